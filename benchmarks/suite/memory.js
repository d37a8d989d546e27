// Benchmark 6: bytes per queued task, each measurement in its own `node --expose-gc` child process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, rotate } from '../lib/common.js';
import { PEERS } from '../lib/pools.js';

const CHILD = fileURLToPath(new URL('../lib/memory-child.js', import.meta.url));

function measure(variant, workers, n) {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--expose-gc', '--max-old-space-size=8192', CHILD, variant, String(workers), String(n)], { timeout: 180_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return resolve({ variant, error: (stderr || error.message).split('\n').slice(0, 3).join(' ') });
      resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

export async function memoryBench({ workers, n, rounds, variants = ['tasklane', 'tasklane run()', 'tasklane (one shared call)', ...PEERS] }) {
  // Two children at a time: heap figures do not depend on CPU contention (only "ms to queue all" does).
  const runs = Object.fromEntries(variants.map((v) => [v, []]));
  const jobs = [];
  for (let round = 0; round < rounds; round++) for (const v of rotate(variants, round)) jobs.push(v);
  const next = async () => {
    for (let v = jobs.shift(); v !== undefined; v = jobs.shift()) runs[v].push(await measure(v, workers, n));
  };
  await Promise.all([next(), next()]);
  return {
    n,
    result: Object.fromEntries(
      variants.map((v) => {
        const r = runs[v].filter((x) => !x.error);
        return [
          v,
          {
            heapPerTask: median(r.map((x) => x.heapPerTask)),
            externalPerTask: median(r.map((x) => x.externalPerTask)),
            rssPerTask: median(r.map((x) => x.rssPerTask)),
            queueMs: median(r.map((x) => x.queueMs)),
            errors: runs[v].filter((x) => x.error).map((x) => x.error),
          },
        ];
      }),
    ),
  };
}
