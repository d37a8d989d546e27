// Smoke benchmark: tiny-task throughput of tasklane against plain piscina, in one process.
//
//   npm run build && npm run bench:smoke
//   node benchmarks/smoke.js --tasks 20000 --rounds 5 --workers 2,4    (options, all optional)
//   node --cpu-prof --cpu-prof-dir=prof benchmarks/smoke.js --only 'tasklane schedule' --workers 2   (profile one)
//
// For each worker count, both pools are started and warmed up, then rounds alternate between them. Each round
// submits N no-op tasks at once and waits for all of them. tasklane is measured two ways:
//   schedule  manager.schedule(noop()) N times, then `for await (const _ of manager.messages())` until it ends
//   run       await Promise.all(N calls of manager.run(noop()))
// piscina:    await Promise.all(N calls of pool.run(null)), default options (atomics 'sync', unbounded queue).
// Reported: the median tasks/s of each, tasklane/piscina ratios, and the median CPU time per task (all threads of
// this process, from process.cpuUsage()): on a busy machine wall-clock rates swing, CPU per task much less.
// Not part of `npm test`.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Piscina } from 'piscina';
import { ProcessManager } from 'tasklane';
import { noop } from './noop-tasks.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2,4' },
    warmup: { type: 'string', default: '5000' },
    only: { type: 'string', multiple: true },
    // Prints each timed round's monotonic start and end (µs, the clock of --cpu-prof) to cut profiles to them.
    marks: { type: 'boolean', default: false },
  },
});
const TASKS = Number(values.tasks);
const ROUNDS = Number(values.rounds);
const WORKER_COUNTS = values.workers.split(',').map(Number);
const WARMUP = Number(values.warmup);

const TASK_MODULE = new URL('./noop-tasks.js', import.meta.url);
const PISCINA_MODULE = new URL('./piscina-noop.js', import.meta.url).href;

/** The variants, in the order they alternate within a round. */
const allVariants = {
  'tasklane schedule': async ({ manager }, n) => {
    for (let i = 0; i < n; i++) manager.schedule(noop());
    for await (const _ of manager.messages()); // the no-op sends nothing: this ends when all n are done
  },
  'tasklane run': async ({ manager }, n) => {
    const calls = new Array(n);
    for (let i = 0; i < n; i++) calls[i] = manager.run(noop());
    await Promise.all(calls);
  },
  piscina: async ({ pool }, n) => {
    const calls = new Array(n);
    for (let i = 0; i < n; i++) calls[i] = pool.run(null);
    await Promise.all(calls);
  },
};

/** `--only` picks variants by name (repeatable). */
const variants = values.only
  ? Object.fromEntries(
      values.only.map((name) => {
        if (!(name in allVariants)) throw new Error(`--only: no variant "${name}" (have: ${Object.keys(allVariants).join(', ')})`);
        return [name, allVariants[name]];
      }),
    )
  : allVariants;

/** Wall-clock ms and CPU µs (user + system, every thread of the process) of one round. */
async function timed(fn, pools, n) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn(pools, n);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuUs: used.user + used.system };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function benchmark(workers) {
  const names = Object.keys(variants);
  const manager = names.some((name) => name.startsWith('tasklane'))
    ? new ProcessManager({ tasks: TASK_MODULE, workers, workerConsole: 'silent' })
    : undefined;
  const pool = names.includes('piscina')
    ? new Piscina({ filename: PISCINA_MODULE, minThreads: workers, maxThreads: workers, idleTimeout: Infinity })
    : undefined;
  const pools = { manager, pool };
  try {
    await manager?.ready();
    // Warm up: threads started, code paths compiled, tasklane's task-time estimate settled.
    for (const fn of Object.values(variants)) await fn(pools, WARMUP);
    const rates = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
    const cpuPerTask = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, fn] of Object.entries(variants)) {
        const from = process.hrtime.bigint() / 1000n;
        const { ms, cpuUs } = await timed(fn, pools, TASKS);
        if (values.marks) console.log(`mark ${workers} ${name}: ${from} ${process.hrtime.bigint() / 1000n}`);
        rates[name].push((TASKS / ms) * 1000);
        cpuPerTask[name].push(cpuUs / TASKS);
      }
    }
    // Every task ran: a benchmark that lost tasks would report nonsense.
    const tasklaneVariants = Object.keys(variants).filter((name) => name.startsWith('tasklane')).length;
    const piscinaVariants = Object.keys(variants).length - tasklaneVariants;
    const stats = manager?.stats() ?? { done: 0, failed: 0 };
    const expected = (WARMUP + TASKS * ROUNDS) * tasklaneVariants;
    if (stats.done !== expected || stats.failed !== 0) throw new Error(`tasklane ran ${stats.done} of ${expected} tasks (${stats.failed} failed)`);
    const expectedPiscina = (WARMUP + TASKS * ROUNDS) * piscinaVariants;
    if ((pool?.completed ?? 0) !== expectedPiscina) throw new Error(`piscina completed ${pool?.completed} of ${expectedPiscina} tasks`);
    return { rates, cpuPerTask };
  } finally {
    await manager?.close('kill');
    await pool?.destroy();
  }
}

console.log(
  `tasklane vs piscina, ${fmt(TASKS)} no-op tasks submitted at once, ${ROUNDS} round(s), median tasks/s ` +
    `(Node ${process.version}, ${availableParallelism()} CPUs: ${cpus()[0]?.model ?? 'unknown'}; load average ${loadavg()[0].toFixed(1)})\n`,
);
const rows = [];
for (const workers of WORKER_COUNTS) {
  const { rates, cpuPerTask } = await benchmark(workers);
  const medians = Object.fromEntries(Object.entries(rates).map(([name, xs]) => [name, median(xs)]));
  const cpu = Object.fromEntries(Object.entries(cpuPerTask).map(([name, xs]) => [name, median(xs)]));
  rows.push({ workers, medians, rates, cpu });
}

const names = Object.keys(variants);
const ratios = ['tasklane schedule', 'tasklane run'].filter((name) => names.includes(name) && names.includes('piscina'));
const header = ['workers', ...names, ...ratios.map((name) => `${name.replace('tasklane ', '')}/piscina`)];
const table = rows.map(({ workers, medians }) => [
  String(workers),
  ...names.map((name) => fmt(medians[name])),
  ...ratios.map((name) => (medians[name] / medians.piscina).toFixed(2)),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
console.log(`\nCPU time per task, median, µs (all threads; lower is better; load average ${loadavg()[0].toFixed(1)} at the end):`);
for (const { workers, cpu } of rows) {
  console.log(`  ${workers} workers: ${names.map((name) => `${name} ${cpu[name].toFixed(1)}`).join(', ')}`);
}
console.log('\nevery round (tasks/s):');
for (const { workers, rates } of rows) {
  for (const name of names) console.log(`  ${workers} workers, ${name.padEnd(17)} ${rates[name].map(fmt).join('  ')}`);
}
