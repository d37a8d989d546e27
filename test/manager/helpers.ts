import assert from 'node:assert/strict';
import { ProcessManager, type ProcessManagerOptions } from 'tasklane';
// @ts-expect-error: plain JS fixture module without types
import { tree, treeSize } from '../fixtures/tasks.js';

export const TASKS = new URL('../fixtures/tasks.js', import.meta.url);

/** The suite runs once per isolation mode: `TASKLANE_TEST_ISOLATION=process npm test` for child processes. */
export const ISOLATION = (process.env.TASKLANE_TEST_ISOLATION ?? 'thread') as 'thread' | 'process';

/** A manager on the fixture tasks, always closed (kill) when `fn` ends, so no thread outlives a test. */
export async function withManager<T>(options: Partial<ProcessManagerOptions>, fn: (manager: ProcessManager) => Promise<T>): Promise<T> {
  const manager = new ProcessManager({ tasks: TASKS, workers: 2, isolation: ISOLATION, ...options });
  try {
    return await fn(manager);
  } finally {
    await within(manager.close('kill'), 10_000, 'close(kill) in cleanup');
  }
}

export async function collect(manager: ProcessManager): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const message of manager.messages()) out.push(message);
  return out;
}

/** Bounds a wait: rejects naming `what` if `promise` takes longer than `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads messages until one satisfies `match`; returns it, leaving the iterator open for more. */
export async function nextMatching(messages: AsyncIterator<unknown>, match: (message: unknown) => boolean, ms = 10_000): Promise<unknown> {
  return within(
    (async () => {
      for (;;) {
        const { value, done } = await messages.next();
        if (done) throw new Error('messages() ended before the expected message');
        if (match(value)) return value;
      }
    })(),
    ms,
    'waiting for a message',
  );
}

export const isStarted = (message: unknown): boolean => typeof message === 'object' && message !== null && 'started' in message;

/**
 * The termination invariant, on any backend: `runs` rounds of two random spawn trees of `depth` over the manager's
 * priority levels; each round, messages() must end exactly when every node ran (one message per node, all done).
 * `afterRound` checks more of the stats. Returns the nodes run in all.
 */
export async function spawnTreeRounds(
  manager: ProcessManager,
  { runs, depth, levels, roundMs }: { runs: number; depth: number; levels: number; roundMs: number },
  afterRound: (stats: ReturnType<ProcessManager['stats']>, total: number) => void = () => {},
): Promise<number> {
  let total = 0;
  for (let run = 0; run < runs; run++) {
    const seeds = [run * 7919 + 1, run * 104729 + 3];
    const expected = seeds.map((seed) => treeSize(seed, depth, levels) as number).reduce((a, b) => a + b, 0);
    for (const seed of seeds) manager.schedule(tree(seed, depth, levels), run % levels);
    const messages = await within(collect(manager), roundMs, `run ${run}`);
    assert.equal(messages.length, expected, `run ${run}: one message per node`);
    total += expected;
    const stats = manager.stats();
    assert.equal(stats.done, total, `run ${run}: every node done when the reader ends`);
    afterRound(stats, total);
  }
  return total;
}
