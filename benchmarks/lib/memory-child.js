// Benchmark 6, one measurement per process: bytes per queued task. Run with --expose-gc:
//   node --expose-gc benchmarks/lib/memory-child.js <variant> <workers> <n>
// The pool is started and warmed, the heap is collected and measured, n tasks are queued in one synchronous
// stretch (so none is dispatched yet, except what a peer hands to idle threads at once), the heap is collected
// and measured again. Prints one JSON line: heap (heapUsed) and external deltas per task, and the RSS delta.
import { createPeer, tasklane } from './pools.js';
import { noop } from '../tasks.js';

const [variant, workersArg, nArg] = process.argv.slice(2);
const workers = Number(workersArg);
const n = Number(nArg);
if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');

function snapshot() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, rss: m.rss };
}

let queue;
let keep;
if (variant.startsWith('tasklane')) {
  const manager = tasklane(workers);
  await manager.ready();
  for (let i = 0; i < 1000; i++) manager.schedule(noop(), 1);
  for await (const _ of manager.messages());
  const shared = noop();
  queue = {
    'tasklane': () => {
      for (let i = 0; i < n; i++) manager.schedule(noop(), 1);
    },
    'tasklane run()': () => {
      keep = new Array(n);
      for (let i = 0; i < n; i++) keep[i] = manager.run(noop(), 1);
    },
    'tasklane (one shared call)': () => {
      for (let i = 0; i < n; i++) manager.schedule(shared, 1);
    },
  }[variant];
} else {
  const peer = createPeer(variant, workers);
  await peer.start();
  queue = () => {
    keep = new Array(n);
    for (let i = 0; i < n; i++) keep[i] = peer.run(i);
    for (const p of keep) p.catch(() => {});
  };
}
if (!queue) throw new Error(`unknown variant ${variant}`);
const before = snapshot();
const t0 = performance.now();
queue();
const queueMs = performance.now() - t0;
const after = snapshot();
const per = (key) => (after[key] - before[key]) / n;
process.stdout.write(
  `${JSON.stringify({ variant, workers, n, heapPerTask: per('heapUsed'), externalPerTask: per('external'), rssPerTask: per('rss'), queueMs, heapUsedAfter: after.heapUsed })}\n`,
);
process.exit(0);
