// Benchmark 4: latency on an idle, warm pool, and the start wait of an urgent task behind a full queue.
import { median, percentile, rotate, sleep } from '../lib/common.js';
import { createPeer, PEERS, tasklane } from '../lib/pools.js';
import { rawPortPing, rawSabPing } from '../lib/raw.js';
import { busy, noop, stamp } from '../tasks.js';

const now = () => performance.timeOrigin + performance.now();

/**
 * tasklane: schedule() of a task that sends one message, to that message in the reader's hands (µs); the
 * message carries the worker's start time, which splits the trip into "to start" and "back to the reader".
 * Peers: run() of a no-op to its resolved promise (one trip each way, as for tasklane). Raw: ping-pong on an
 * idle thread. Every sample is taken after `gapMs` of idleness, so threads are parked, caches warm.
 * "Warm" includes V8's JIT: every pool first makes `warm` round trips back to back. A trip runs each function
 * once, so the optimizing compiler takes thousands of trips to reach all of them (tasklane, 2 workers, p50 by
 * trip number: 363 µs over the first 250, 141 at 1,000, 92 at 1,750, 57 after 3,500; see RESULTS.md).
 */
export async function latency({ workers, samples, rounds, gapMs = 1, warm = 4000 }) {
  const manager = tasklane(workers);
  const peers = PEERS.map((name) => createPeer(name, workers));
  await Promise.all([manager.ready(), ...peers.map((p) => p.start())]);
  const port = await rawPortPing();
  const sab = await rawSabPing();
  const one = {
    tasklane: async () => {
      const reader = manager.messages();
      const t0 = now();
      manager.schedule(stamp(), 1);
      const { value: startedAt } = await reader.next();
      const t1 = now();
      await reader.next(); // ends: the task finished
      return { us: (t1 - t0) * 1000, toStartUs: (startedAt - t0) * 1000 };
    },
    ...Object.fromEntries(
      peers.map((p) => [
        p.name,
        async () => {
          const t0 = performance.now();
          await p.run(0);
          return { us: (performance.now() - t0) * 1000 };
        },
      ]),
    ),
    'raw MessagePort round trip': async () => ({ us: await port.ping() }),
    'raw SharedArrayBuffer+Atomics round trip': async () => ({ us: await sab.ping() }),
  };
  try {
    const names = Object.keys(one);
    for (const name of names) for (let i = 0; i < warm; i++) await one[name]();
    const all = Object.fromEntries(names.map((name) => [name, { us: [], toStartUs: [] }]));
    // Rounds of `samples` per pool, alternating pools between rounds.
    for (let round = 0; round < rounds; round++) {
      for (const name of rotate(names, round)) {
        for (let i = 0; i < samples; i++) {
          await sleep(gapMs);
          const s = await one[name]();
          all[name].us.push(s.us);
          if (s.toStartUs !== undefined) all[name].toStartUs.push(s.toStartUs);
        }
      }
    }
    return Object.fromEntries(
      names.map((name) => {
        const { us, toStartUs } = all[name];
        const out = { p50: percentile(us, 50), p90: percentile(us, 90), p99: percentile(us, 99), samples: us.length };
        if (toStartUs.length) out.toStart = { p50: percentile(toStartUs, 50), p99: percentile(toStartUs, 99) };
        return [name, out];
      }),
    );
  } finally {
    await port.close();
    await sab.close();
    await manager.close('kill');
    await Promise.all(peers.map((p) => p.destroy()));
  }
}

/**
 * A priority-0 task scheduled while `queued` priority-1 tasks wait and the workers are busy with them: the time
 * from its schedule() to its start in a worker (µs), and how many priority-1 tasks finished in between.
 * `taskUs` 0 means no-op tasks; otherwise each priority-1 task is busy that long. The tasks left are cancelled.
 * Bound (the target): the task running at the worker it goes to, plus one idle trip (latency's "to start" p50);
 * prefetch adds nothing (see src/manager/urgent-link.ts).
 */
export async function priorityWait({ workers, queued, rounds, taskUs }) {
  const manager = tasklane(workers);
  await manager.ready();
  const call = () => (taskUs > 0 ? busy(taskUs) : noop());
  try {
    // Warm: the task-time estimate settles on this task size.
    for (let i = 0; i < 2000; i++) manager.schedule(call(), 1);
    for await (const _ of manager.messages());
    const runs = [];
    for (let round = 0; round < rounds; round++) {
      const ids = new Array(queued);
      for (let i = 0; i < queued; i++) ids[i] = manager.schedule(call(), 1);
      // Let the pool get going: workers busy, prefetch full.
      const warmUntil = manager.stats().done + Math.min(queued / 10, taskUs > 0 ? 200 : 5000);
      while (manager.stats().done < warmUntil) await sleep(1);
      const doneBefore = manager.stats().done;
      const t0 = now();
      manager.schedule(stamp(), 0);
      const reader = manager.messages();
      const { value: startedAt } = await reader.next();
      const doneAt = manager.stats().done;
      const waitUs = (startedAt - t0) * 1000;
      for (const id of ids) manager.cancel(id); // the rest need not run
      for (;;) if ((await reader.next()).done) break;
      runs.push({ waitUs, finishedBetween: doneAt - doneBefore });
    }
    return { queued, taskUs, waitUs: median(runs.map((r) => r.waitUs)), finishedBetween: median(runs.map((r) => r.finishedBetween)), runs };
  } finally {
    await manager.close('kill');
  }
}
