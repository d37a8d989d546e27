// Benchmark 7: the CPU-bound mix. n tasks of about 1 ms of SHA-256 each, submitted at once. Every task reports
// its own duration measured in its thread; the ideal wall time is n × their median divided by the workers (the
// work itself, in this run's conditions, perfectly spread with zero overhead; the median, as a preempted task lasts
// longer without doing more work). With more workers than cores each task cannot all run at once: the ideal
// divides by min(workers, cores). `overhead` = wall / ideal - 1. Also given:
// the calibrated ideal, n × (one task timed alone on the main thread) / min(workers, cores), which ignores the
// machine's other load.
import { availableParallelism } from 'node:os';
import { hashWork } from '../lib/work.js';
import { median } from '../lib/common.js';
import { createPeer, PEERS, tasklane } from '../lib/pools.js';
import { hash } from '../tasks.js';
import { rawHashThreads, wakeCost } from '../lib/raw.js';
import { alternate } from './rounds.js';

/** SHA-256 rounds for about `targetMs` ms on this thread (median of several tries). */
export function calibrate(targetMs = 1) {
  let rounds = 16;
  for (let i = 0; i < 20; i++) hashWork(rounds);
  const tries = [];
  for (let t = 0; t < 7; t++) {
    const ms = median(Array.from({ length: 20 }, () => hashWork(rounds)));
    rounds = Math.max(1, Math.round((rounds * targetMs) / ms));
    tries.push(rounds);
  }
  const finalRounds = median(tries.slice(2));
  const ms = median(Array.from({ length: 50 }, () => hashWork(finalRounds)));
  return { rounds: finalRounds, ms };
}

/** The no-pool floor: each thread runs its share in a loop (the machine's other load and V8's own threads still count). */
export const RAW = 'raw threads (no pool)';

/**
 * One run's figures against its ideals: n × the run's median task (see report.js for why the median) and n × the
 * calibrated task, each over `parallel` = min(workers, cores). The suite's table and RESULTS.md both use these.
 */
export function runFigures(run, n, parallel, calibratedTaskMs) {
  const idealMs = (n * run.taskMs) / parallel;
  const calibratedIdealMs = (n * calibratedTaskMs) / parallel;
  return { idealMs, overhead: run.ms / idealMs - 1, calibratedIdealMs, overCalibrated: run.ms / calibratedIdealMs - 1 };
}

/** The median of each of runFigures()'s figures over a pool's runs (each run carrying them). */
export function medianFigures(runs) {
  const of = (key) => median(runs.map((run) => run[key]));
  return { idealMs: of('idealMs'), overhead: of('overhead'), calibratedIdealMs: of('calibratedIdealMs'), overCalibrated: of('overCalibrated') };
}

export async function cpuMix({ workers, n, rounds, roundsOf, hashRounds, calibratedTaskMs }) {
  // Every pool's worker reports to a main thread that is mostly asleep between batches: what one such post costs.
  const wake = await wakeCost();
  const manager = tasklane(workers);
  const peers = PEERS.map((name) => createPeer(name, workers));
  const raw = await rawHashThreads(workers);
  await Promise.all([manager.ready(), ...peers.map((p) => p.start())]);
  try {
    // `shaRounds`: SHA-256 blocks per task (hashRounds, about 1 ms, unless warming up)
    const variants = (size, shaRounds = hashRounds) => ({
      tasklane: async () => summarize(await Promise.all(Array.from({ length: size }, () => manager.run(hash(shaRounds), 1)))),
      ...Object.fromEntries(peers.map((p) => [p.name, async () => summarize(await Promise.all(Array.from({ length: size }, () => p.run({ op: 'hash', rounds: shaRounds }))))])),
      [RAW]: async () => summarize(await raw.run(size, shaRounds)),
    });
    const summarize = (durations) => ({ taskMs: median(durations) });
    // The JIT: each worker thread is an isolate that compiles a pool's per-task code for itself, once the code has
    // run some thousands of times (MIX_NOTE in lib/notes.js). After 1,000 tasks of warm-up, at 4 workers, V8's
    // helper threads still spent ~50 µs per task compiling tasklane's code in the next 10,000 tasks, ~25 in the
    // 10,000 after. Compiling needs calls, not work: every pool first runs 2 × n tasks of one SHA-256 round
    // (~10 µs each, about a second per pool), then 1,000 real ones: tasklane's helper threads then spent 20 to 27
    // µs per task in the first measured round instead of 46 to 58. What a cold pool pays is in MIX_NOTE.
    const warmCalls = variants(Math.min(2 * n, 20_000), 1);
    const warmWork = variants(Math.min(n, 1000));
    const warmup = async (name) => {
      await warmCalls[name]();
      await warmWork[name]();
    };
    const result = await alternate(variants(n), { rounds, roundsOf, per: n, warmup });
    const parallel = Math.min(workers, availableParallelism());
    for (const r of Object.values(result)) {
      for (const run of r.runs) Object.assign(run, runFigures(run, n, parallel, calibratedTaskMs));
      Object.assign(r, medianFigures(r.runs));
      r.taskMs = median(r.runs.map((x) => x.taskMs));
    }
    return { n, hashRounds, parallel, wake, result };
  } finally {
    await manager.close('kill');
    await Promise.all([raw.close(), ...peers.map((p) => p.destroy())]);
  }
}
