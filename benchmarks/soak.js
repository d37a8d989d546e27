// Soak (issue 6): one long-lived manager under mixed work for --minutes (default 10), sampling heap (after a full
// collection), RSS and the process's active handles every --sample-seconds; then compares the second minute (the
// first is warm-up) and the last. Work, all at once and continuously: tasks that send messages and spawn subtasks, busy tasks, tasks that
// fail (failFast: false), tasks cancelled while queued or running, tasks that time out, chains; and once a
// minute a second, short-lived manager that is created, used and closed (join, cancel, kill in turn), to catch
// threads or handles that outlive close().
//
//   npm run build && node benchmarks/soak.js [--minutes 10] [--workers 2] [--sample-seconds 5]
//
// Writes benchmarks/results/soak.json and refreshes benchmarks/RESULTS.md. Exit code 1 when something does not
// stay flat or a task is unaccounted for. Not part of `npm test`.
import { parseArgs } from 'node:util';
import { chain } from 'tasklane';
import { load1, machine, median, sleep, writeResult } from './lib/common.js';
import { withExposedGc } from './lib/expose-gc.js';
import { tasklane } from './lib/pools.js';
import { busy, fail, mixed, noop } from './tasks.js';
import { writeReport } from './report.js';

if (await withExposedGc()) {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, workers: { type: 'string', default: '2' }, 'sample-seconds': { type: 'string', default: '5' } } });
  const minutes = Number(values.minutes);
  const workers = Number(values.workers);
  const sampleMs = Number(values['sample-seconds']) * 1000;
  const durationMs = minutes * 60_000;
  const windowMs = Math.min(60_000, durationMs / 3); // "a minute" (shorter for short runs: 3 windows at least)
  const MB = 2 ** 20;

  const atStart = machine();
  const manager = tasklane(workers, { failFast: false, cancelGracePeriod: 1000 });
  await manager.ready();
  const totals = { messages: 0, runTimeouts: 0, runOk: 0, cancelRequests: 0, shortManagers: 0, shortManagerTasks: 0 };
  let stopping = false;

  // The reader: drains the inbox for the whole run, starting again whenever the manager was idle.
  const reader = (async () => {
    for (;;) {
      for await (const _ of manager.messages()) totals.messages++;
      if (stopping) break; // the manager was idle after the driver stopped: all done
      await sleep(5);
    }
  })();

  // The driver: a batch of mixed work every 5 ms while fewer than 2,000 tasks wait.
  let tick = 0;
  const pendingRuns = new Set();
  const driver = setInterval(() => {
    if (stopping) return;
    const queued = manager.stats().queued.reduce((a, b) => a + b, 0);
    if (queued > 2000) return;
    tick++;
    for (let i = 0; i < 20; i++) manager.schedule(mixed(2, 2, 0), 1); // 2 messages, 2 subtasks each
    for (let i = 0; i < 4; i++) manager.schedule(busy(200), 1);
    for (let i = 0; i < 8; i++) manager.schedule(noop(), i % 2);
    manager.schedule(chain(noop(), mixed(1, 0, 0), noop()), 1);
    manager.schedule(fail(tick), 1);
    for (let i = 0; i < 4; i++) {
      // Cancelled while queued or while running (they sleep 20 ms, listening to ctx.signal).
      const id = manager.schedule(mixed(1, 0, 20), 1);
      setTimeout(() => {
        totals.cancelRequests++;
        manager.cancel(id);
      }, Math.random() * 40);
    }
    if (tick % 4 === 0) {
      // Times out: the task would sleep 200 ms, its timeout is 10 ms.
      const p = manager.run(mixed(0, 0, 200), 1, { timeout: 10 }).then(
        () => totals.runOk++,
        () => totals.runTimeouts++,
      );
      pendingRuns.add(p);
      p.finally(() => pendingRuns.delete(p));
    }
  }, 5);

  // A short-lived manager now and then: created, used, closed; its threads must all go.
  const policies = ['join', 'cancel', 'kill'];
  const shortLived = setInterval(async () => {
    if (stopping) return;
    const policy = policies[totals.shortManagers % policies.length];
    totals.shortManagers++;
    const other = tasklane(2, { failFast: false, cancelGracePeriod: 200 });
    for (let i = 0; i < 500; i++) other.schedule(mixed(1, 1, 0), 1);
    totals.shortManagerTasks += 500;
    if (policy === 'join') for await (const _ of other.messages());
    else await sleep(20);
    await other.close(policy);
  }, 60_000);

  // Samples.
  const samples = [];
  const t0 = performance.now();
  const sample = () => {
    globalThis.gc();
    const m = process.memoryUsage();
    const resources = process.getActiveResourcesInfo();
    const byType = {};
    for (const r of resources) byType[r] = (byType[r] ?? 0) + 1;
    const s = manager.stats();
    samples.push({ t: Math.round(performance.now() - t0), heapUsed: m.heapUsed, rss: m.rss, external: m.external, handles: resources.length, byType, queued: s.queued.reduce((a, b) => a + b, 0), done: s.done, failed: s.failed, cancelled: s.cancelled, inbox: s.inbox });
    const last = samples.at(-1);
    process.stderr.write(`[${(last.t / 1000).toFixed(0).padStart(4)} s] heap ${(last.heapUsed / MB).toFixed(1)} MiB, rss ${(last.rss / MB).toFixed(0)} MiB, handles ${last.handles}, done ${last.done}, failed ${last.failed}, cancelled ${last.cancelled}, queued ${last.queued}, load ${load1()}\n`);
  };
  sample();
  const sampler = setInterval(sample, sampleMs);
  await sleep(durationMs);

  // Wind down: no new work, let everything finish, then close.
  stopping = true;
  clearInterval(driver);
  clearInterval(shortLived);
  await Promise.all(pendingRuns);
  await sleep(300); // the last cancel timers fire
  await reader;
  clearInterval(sampler);
  sample();
  const report = await manager.close('join');
  const s = manager.stats();
  const accounted = s.scheduled === s.done + s.failed + s.cancelled && report.notRun.length === 0;

  // Flat? Compare the medians of the second window and the last. The first is warm-up: RSS grows there by some
  // 40 MiB (code compiled, heaps and malloc arenas sized to the load) and is flat afterwards (soak of 2026-11-25:
  // 151 MiB in minute 1, 197 in minute 2, 193 in minute 10), which a comparison with minute 1 called a leak.
  const body = samples.slice(1, -1);
  const first = body.filter((x) => x.t > windowMs && x.t <= 2 * windowMs + sampleMs);
  const last = body.filter((x) => x.t >= body.at(-1).t - windowMs);
  const compare = (name, key, unit, allow) => {
    const a = median(first.map((x) => x[key]));
    const b = median(last.map((x) => x[key]));
    const d = b - a;
    const show = (v) => (unit === 'MiB' ? `${(v / MB).toFixed(1)} MiB` : String(Math.round(v)));
    return { name, first: show(a), last: show(b), change: `${d >= 0 ? '+' : ''}${unit === 'MiB' ? `${(d / MB).toFixed(1)} MiB` : Math.round(d)} (${a ? ((d / a) * 100).toFixed(1) : '—'}%)`, flat: d <= allow(a), a, b };
  };
  const flat = [
    compare('heap used (after gc)', 'heapUsed', 'MiB', (a) => Math.max(0.1 * a, 2 * MB)),
    compare('RSS (all threads)', 'rss', 'MiB', (a) => Math.max(0.15 * a, 16 * MB)),
    compare('external memory', 'external', 'MiB', (a) => Math.max(0.1 * a, 2 * MB)),
    compare('active handles and requests', 'handles', '', () => 2),
  ];
  const verdict = flat.every((x) => x.flat);
  const result = {
    kind: 'soak',
    machine: atStart,
    loadavgEnd: machine().loadavg,
    minutes,
    workers,
    sampleMs,
    windowMs,
    description: 'Every 5 ms while fewer than 2,000 tasks wait: 20 tasks sending 2 messages and spawning 2 subtasks each, 4 busy tasks of 200 µs, 8 no-ops (priorities 0 and 1), a chain of 3, a failing task, 4 tasks of 20 ms cancelled at a random moment in their first 40 ms (queued or running), and every 4th batch a `run()` that times out; once a minute a second manager runs 500 tasks and closes (join, cancel, kill in turn).',
    tolerance: 'heap and external: +10% or +2 MiB; RSS: +15% or +16 MiB; handles: +2',
    flat,
    verdict,
    accounted,
    totals: { scheduled: s.scheduled, done: s.done, failed: s.failed, cancelled: s.cancelled, ...totals },
    samples,
  };
  writeResult('soak', result);
  await writeReport();
  for (const x of flat) console.log(`${x.name.padEnd(28)} minute 2 ${x.first.padStart(10)}  last ${x.last.padStart(10)}  ${x.change.padStart(18)}  ${x.flat ? 'flat' : 'NOT FLAT'}`);
  console.log(`scheduled ${s.scheduled}, done ${s.done}, failed ${s.failed}, cancelled ${s.cancelled}, messages ${totals.messages}, run() timeouts ${totals.runTimeouts}, short-lived managers ${totals.shortManagers}; accounted: ${accounted}`);
  if (!verdict || !accounted) process.exitCode = 1;
}
