// The benchmark suite of issue 5: tasklane against piscina, tinypool, workerpool and poolifier, and against the
// raw transport (MessagePort, SharedArrayBuffer+Atomics, no pool), at the same worker counts.
//
//   npm run build && npm run bench                          the whole suite (9.5 minutes here at load average 1 to 5)
//   node benchmarks/bench.js --full                           every pool in every round (about 15 minutes)
//   node benchmarks/bench.js --only tiny,latency --workers 2  a part of it
//   node benchmarks/bench.js --quick                          every benchmark at a tenth of its size, 2 rounds
//   node benchmarks/bench.js --only close --merge             redo a part and put it into the latest full results
//
// Rounds: tasklane always runs 3. So do the peers where a target compares with them (tiny tasks: piscina, the
// nearest peer poolifier and the raw ceiling 3; tinypool and workerpool, 10x and more behind and 10 to 16 s a
// round, 1), the messages and latency benchmarks, and kill. Where the target is absolute
// (fan-out spawns/s, the CPU-bound mix against its ideal), the peers are context and run 1 round, alternating with
// tasklane's first; so do the peers' cancel with 100,000 queued (seconds each). --full gives everyone 3 rounds;
// --rounds N gives everyone N.
//
// Benchmarks: tiny, fanout, messages, latency, priority, close, memory, mix (each described in
// benchmarks/RESULTS.md). Every benchmark alternates the pools within each round, several rounds, and reports medians and
// the ratio tasklane/peer; CPU time per unit (all threads of this process) is reported beside wall-clock rates,
// because other work on the machine moves wall-clock rates much more than CPU time.
// Writes benchmarks/results/bench.json (and a timestamped copy), then benchmarks/RESULTS.md and
// benchmarks/results.svg from the latest bench, load and soak results (--quick and --only write
// bench-quick.json / bench-partial.json and leave RESULTS.md alone). Not part of `npm test`.
import { parseArgs } from 'node:util';
import chalk from 'chalk';
import { load1, machine, writeResult } from './lib/common.js';
import { tinyTasks, fanOut, messages } from './suite/throughput.js';
import { latency, priorityWait } from './suite/latency.js';
import { closeBench } from './suite/close.js';
import { memoryBench } from './suite/memory.js';
import { calibrate, cpuMix, RAW as RAW_MIX } from './suite/mix.js';
import { writeReport } from './report.js';
import { print } from './lib/print.js';

const ALL = ['tiny', 'fanout', 'messages', 'latency', 'priority', 'close', 'memory', 'mix'];
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    workers: { type: 'string', default: '2,4' },
    rounds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    'no-report': { type: 'boolean', default: false },
    // With --only: put these benchmarks' figures into the latest full results instead of starting new ones.
    merge: { type: 'boolean', default: false },
  },
});
const only = values.only ? values.only.split(',') : ALL;
for (const name of only) if (!ALL.includes(name)) throw new Error(`--only: no benchmark "${name}" (have: ${ALL.join(', ')})`);
const WORKERS = values.workers.split(',').map(Number);
const scale = values.quick ? 0.1 : 1;
const rounds = (standard) => Number(values.rounds ?? (values.quick ? 2 : standard));
/** Rounds per variant: tasklane's and `main` ones get `rounds(3)`; the others `context` unless --full or --rounds. */
const roundsOf = (context, main = []) => (name) =>
  name.startsWith('tasklane') || main.includes(name) || values.full || values.rounds || values.quick ? rounds(3) : context;
const size = (n) => Math.max(1, Math.round(n * scale));

const results = { kind: 'bench', machine: machine(), quick: values.quick, full: values.full || values.rounds !== undefined, workers: WORKERS, benchmarks: {} };
const started = performance.now();
const log = (text) => process.stderr.write(chalk.dim(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s, load ${load1()}] ${text}\n`));

console.log(chalk.bold(`tasklane benchmark suite`) + chalk.dim(` · Node ${process.version} · ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB · load average ${results.machine.loadavg.join(' ')}`));

/** Runs one benchmark for every worker count, recording the load average around it. */
async function each(name, fn) {
  if (!only.includes(name)) return;
  const out = {};
  for (const workers of WORKERS) {
    log(`${name}, ${workers} workers`);
    const loadBefore = load1();
    const t0 = performance.now();
    out[workers] = await fn(workers);
    out[workers].load = [loadBefore, load1()];
    out[workers].seconds = Math.round((performance.now() - t0) / 100) / 10;
  }
  results.benchmarks[name] = out;
  print(name, out);
}

await each('tiny', (workers) => tinyTasks({ workers, n: size(100_000), rounds: rounds(3), roundsOf: roundsOf(1, ['piscina', 'poolifier', 'raw MessagePort (batched echo)']) }));
await each('fanout', (workers) => fanOut({ workers, n: size(100_000), rounds: rounds(3), roundsOf: roundsOf(1) }));
await each('messages', (workers) => messages({ workers, n: size(1_000_000), rounds: rounds(3) }));
await each('latency', (workers) => latency({ workers, samples: size(300), rounds: rounds(3) }));
await each('priority', async (workers) => ({
  noop: await priorityWait({ workers, queued: size(100_000), rounds: rounds(7), taskUs: 0 }),
  busy: await priorityWait({ workers, queued: size(100_000), rounds: rounds(7), taskUs: 100 }),
}));
await each('close', (workers) => closeBench({ workers, queued: size(1_000_000), peerQueued: size(100_000), rounds: rounds(3), peerRounds: values.full ? rounds(3) : Number(values.rounds ?? 1) }));
if (only.includes('memory')) {
  log('memory (child processes)');
  results.benchmarks.memory = { 2: await memoryBench({ workers: 2, n: size(1_000_000), rounds: Number(values.rounds ?? 1) }) };
  print('memory', results.benchmarks.memory);
}
if (only.includes('mix')) {
  const cal = calibrate(1);
  results.calibration = cal;
  log(`mix: ${cal.rounds} SHA-256 rounds of 16 KiB ≈ ${cal.ms.toFixed(2)} ms here`);
  await each('mix', async (workers) => ({ ...(await cpuMix({ workers, n: size(10_000), rounds: rounds(3), roundsOf: roundsOf(1, [RAW_MIX]), hashRounds: cal.rounds, calibratedTaskMs: cal.ms })), calibratedTaskMs: cal.ms }));
}

results.seconds = Math.round((performance.now() - started) / 1000);
results.machine.loadavgEnd = machine().loadavg;
if (values.merge) {
  const { readFileSync } = await import('node:fs');
  const { RESULTS_DIR } = await import('./lib/common.js');
  const base = JSON.parse(readFileSync(new URL('bench.json', RESULTS_DIR), 'utf8'));
  base.benchmarks = { ...base.benchmarks, ...results.benchmarks };
  if (results.calibration) base.calibration = results.calibration;
  (base.merged ??= []).push({ only, machine: results.machine, seconds: results.seconds });
  writeResult('bench', base);
} else if (values.only || values.quick) {
  writeResult(values.quick ? 'bench-quick' : 'bench-partial', results); // RESULTS.md keeps the last full run
  values['no-report'] = true;
} else {
  writeResult('bench', results);
}
if (!values['no-report']) {
  const { markdown, svg } = await writeReport();
  log(`wrote ${markdown} and ${svg}`);
}
log(`done in ${results.seconds} s`);

