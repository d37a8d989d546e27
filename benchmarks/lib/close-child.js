// One close('cancel') in a fresh process, as a program does it once: cold code, no earlier close warmed it up, and
// the whole queue formed before the first task started. With `bare`, the floor under it instead: in the same state,
// terminate() of as many bare threads (started before the queuing, idle, nothing loaded), then kill.
//   node benchmarks/lib/close-child.js <workers> <queued> [bare]
// Prints one JSON line: ms (close() to resolved), syncMs (the close() call itself), queuedAtClose, gcMs (V8's
// pauses inside the close: with 1,000,000 queued the heap has grown by ~90 MB, and a collection of it often lands
// there).
import { PerformanceObserver } from 'node:perf_hooks';
import { tasklane } from './pools.js';
import { noop } from '../tasks.js';
import { sleep } from './common.js';
import { rawThreads } from './raw.js';

const [workers, queued] = process.argv.slice(2, 4).map(Number);
const bare = process.argv[4] === 'bare';
const manager = tasklane(workers);
await manager.ready();
const threads = bare ? await rawThreads(workers) : undefined;
// No warm-up: a program that queues its work at once and is then cancelled (Ctrl-C). The queue forms before any
// task has started, as in load.js.
for (let i = 0; i < queued; i++) manager.schedule(noop(), 1);
await sleep(50);
const queuedAtClose = manager.stats().queued.reduce((a, b) => a + b, 0);
const pauses = [];
const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
observer.observe({ entryTypes: ['gc'] });
const t0 = performance.now();
const closing = bare ? threads.close() : manager.close('cancel');
const syncMs = performance.now() - t0;
const closed = await closing;
const report = bare ? { notRun: [] } : closed;
const t1 = performance.now();
if (bare) await manager.close('kill');
const ms = t1 - t0;
await new Promise((resolve) => setImmediate(resolve)); // the observer is told a turn later
const gcMs = pauses.filter((e) => e.startTime + e.duration > t0 && e.startTime < t1).reduce((sum, e) => sum + e.duration, 0);
process.stdout.write(`${JSON.stringify({ ms, syncMs, gcMs, queuedAtClose, notRun: report.notRun.length })}\n`);
process.exit(0);
