// Real CPU work for the CPU-bound mix, the same code in every pool's workers: SHA-256 over a 16 KiB buffer,
// `rounds` times. The main thread calibrates `rounds` so that one call takes about 1 ms on this machine.
import { createHash } from 'node:crypto';

const block = Buffer.alloc(16 * 1024, 7);

/** Hashes `rounds` blocks; returns the wall time it took in this thread, in ms. */
export function hashWork(rounds) {
  const start = performance.now();
  const hash = createHash('sha256');
  for (let i = 0; i < rounds; i++) hash.update(block);
  hash.digest();
  return performance.now() - start;
}

/** Spins for `us` microseconds (a task of known length that does not sleep). */
export function spinFor(us) {
  const end = performance.now() + us / 1000;
  while (performance.now() < end);
}
