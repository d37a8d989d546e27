// One close('cancel') in a fresh process, as a program does it once: cold code, no earlier close warmed it up, and
// the whole queue formed before the first task started.
//   node benchmarks/lib/close-child.js <workers> <queued>
// Prints one JSON line: ms (close() to resolved), syncMs (the close() call itself), queuedAtClose.
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
const t0 = performance.now();
const closing = manager.close('cancel');
const syncMs = performance.now() - t0;
const report = await closing;
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ ms, syncMs, queuedAtClose, notRun: report.notRun.length })}\n`);
process.exit(0);
