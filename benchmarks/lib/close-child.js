// One close('cancel') in a fresh process, as a program does it once: cold code, no earlier close warmed it up, and
// the whole queue formed before the first task started.
//   node benchmarks/lib/close-child.js <workers> <queued>
// Prints one JSON line: ms (close() to resolved), syncMs (the close() call itself), queuedAtClose, gcMs (V8's
// pauses inside the close: with 1,000,000 queued the heap has grown by ~90 MB, and a collection of it often lands
// there).
import { PerformanceObserver } from 'node:perf_hooks';
import { tasklane } from './pools.js';
import { noop } from '../tasks.js';
import { sleep } from './common.js';

const [workers, queued] = process.argv.slice(2).map(Number);
const manager = tasklane(workers);
await manager.ready();
// No warm-up: a program that queues its work at once and is then cancelled (Ctrl-C). The queue forms before any
// task has started, as in load.js.
for (let i = 0; i < queued; i++) manager.schedule(noop(), 1);
await sleep(50);
const queuedAtClose = manager.stats().queued.reduce((a, b) => a + b, 0);
const pauses = [];
const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
observer.observe({ entryTypes: ['gc'] });
const t0 = performance.now();
const closing = manager.close('cancel');
const syncMs = performance.now() - t0;
const report = await closing;
const t1 = performance.now();
const ms = t1 - t0;
await new Promise((resolve) => setImmediate(resolve)); // the observer is told a turn later
const gcMs = pauses.filter((e) => e.startTime + e.duration > t0 && e.startTime < t1).reduce((sum, e) => sum + e.duration, 0);
process.stdout.write(`${JSON.stringify({ ms, syncMs, gcMs, queuedAtClose, notRun: report.notRun.length })}\n`);
process.exit(0);
