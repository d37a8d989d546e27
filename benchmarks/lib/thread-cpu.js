// CPU time per thread of this process, to split a benchmark's CPU between the main thread, the pool's worker
// threads and V8's helper threads (garbage collection, compilation). Linux only: /proc/self/task/<tid>/schedstat
// gives each thread's time on a CPU in ns (the kernel's own figure, not sampled). Elsewhere every call returns
// undefined and the suite reports process totals only.
//
// "Helpers" are the threads that already existed when this module was loaded, before any pool started: on Node
// 20 that is the V8 platform's worker threads (and the inspector's, if any). Every thread started later (a pool's
// workers, libuv's file-system threads) counts as "workers".
import { readdirSync, readFileSync } from 'node:fs';

const TASKS = '/proc/self/task';
const MAIN = String(process.pid);

function snapshot() {
  let tids;
  try {
    tids = readdirSync(TASKS);
  } catch {
    return undefined;
  }
  const ns = new Map();
  for (const tid of tids) {
    try {
      ns.set(tid, Number(readFileSync(`${TASKS}/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // the thread ended between the listing and the read: its time is gone with it
    }
  }
  return ns;
}

const startup = snapshot();
const helpers = new Set(startup ? [...startup.keys()].filter((tid) => tid !== MAIN) : []);

/** A snapshot to give to `threadCpuSince()` later; undefined where /proc is not there. */
export const threadCpu = snapshot;

/** µs of CPU since `before`, by kind of thread: { mainUs, helpersUs, workersUs }; undefined without /proc. */
export function threadCpuSince(before) {
  const after = before && snapshot();
  if (!after) return undefined;
  const split = { mainUs: 0, helpersUs: 0, workersUs: 0 };
  for (const [tid, ns] of after) {
    const us = (ns - (before.get(tid) ?? 0)) / 1000;
    if (tid === MAIN) split.mainUs += us;
    else if (helpers.has(tid)) split.helpersUs += us;
    else split.workersUs += us;
  }
  return split;
}
