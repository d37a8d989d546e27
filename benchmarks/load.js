// Load (issue 6): 1,000,000 tiny tasks through one manager, submitted at once, with memory sampled along the way.
//
//   npm run build && node benchmarks/load.js [--tasks 1000000] [--workers 2] [--sample-ms 100]
//
// Reports the heap per queued task (collected right after queuing, before anything is dispatched), peak heap and
// RSS sampled every --sample-ms while the tasks run, the time and CPU per task, and the heap after a final
// collection (it should come back to the baseline). Writes benchmarks/results/load.json and refreshes
// benchmarks/RESULTS.md. Not part of `npm test`.
import { parseArgs } from 'node:util';
import { load1, machine, memory, writeResult } from './lib/common.js';
import { withExposedGc } from './lib/expose-gc.js';
import { tasklane } from './lib/pools.js';
import { noop } from './tasks.js';
import { writeReport } from './report.js';

if (await withExposedGc()) {
  const { values } = parseArgs({ options: { tasks: { type: 'string', default: '1000000' }, workers: { type: 'string', default: '2' }, 'sample-ms': { type: 'string', default: '100' } } });
  const n = Number(values.tasks);
  const workers = Number(values.workers);
  const sampleMs = Number(values['sample-ms']);
  const MB = 2 ** 20;

  const atStart = machine();
  const manager = tasklane(workers);
  await manager.ready();
  for (let i = 0; i < 10_000; i++) manager.schedule(noop(), 1);
  for await (const _ of manager.messages());

  const baseline = memory();
  const samples = [];
  const t0 = performance.now();
  const sample = () => {
    const m = process.memoryUsage();
    const s = manager.stats();
    samples.push({ t: Math.round(performance.now() - t0), rss: m.rss, heapUsed: m.heapUsed, queued: s.queued.reduce((a, b) => a + b, 0), done: s.done });
  };
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) manager.schedule(noop(), 1);
  const queueMs = performance.now() - t0;
  const queuedHeap = memory(); // synchronous: nothing was dispatched yet
  const heapPerTask = (queuedHeap.heapUsed - baseline.heapUsed) / n;
  sample();
  const timer = setInterval(sample, sampleMs);
  for await (const _ of manager.messages());
  const totalMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  sample();
  const stats = manager.stats();
  await manager.close('join');
  const end = memory();
  const peak = { rss: Math.max(...samples.map((s) => s.rss), queuedHeap.rss), heapUsed: Math.max(...samples.map((s) => s.heapUsed), queuedHeap.heapUsed) };
  const result = {
    kind: 'load',
    machine: atStart,
    loadavgEnd: machine().loadavg,
    n,
    workers,
    sampleMs,
    queueMs,
    totalMs,
    rate: (n / totalMs) * 1000,
    cpuUsPerTask: (cpu.user + cpu.system) / n,
    heapPerTask,
    baseline,
    queued: queuedHeap,
    peak,
    end,
    stats: { done: stats.done - 10_000, failed: stats.failed, cancelled: stats.cancelled },
    samples,
  };
  writeResult('load', result);
  await writeReport();
  console.log(`load: ${n.toLocaleString('en-US')} tasks in ${Math.round(totalMs)} ms (${Math.round(result.rate).toLocaleString('en-US')}/s, ${result.cpuUsPerTask.toFixed(1)} µs CPU each), ` +
    `${Math.round(heapPerTask)} B of heap per queued task; heap ${(baseline.heapUsed / MB).toFixed(1)} → peak ${(peak.heapUsed / MB).toFixed(1)} → ${(end.heapUsed / MB).toFixed(1)} MiB, ` +
    `RSS ${(baseline.rss / MB).toFixed(0)} → peak ${(peak.rss / MB).toFixed(0)} → ${(end.rss / MB).toFixed(0)} MiB; load average ${load1()}`);
  if (result.stats.done !== n || stats.failed !== 0) {
    console.error(`load: expected ${n} done and none failed, got ${result.stats.done} done and ${stats.failed} failed`);
    process.exitCode = 1;
  }
}
