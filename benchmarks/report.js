// Writes benchmarks/RESULTS.md and benchmarks/results.svg from the latest results in benchmarks/results/
// (bench.json from bench.js, load.json from load.js, soak.json from soak.js). Run by each of them; or by hand:
//   node benchmarks/report.js
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { redisSection } from './lib/redis-section.js';
import { fileURLToPath } from 'node:url';
import { RESULTS_DIR, fmt, median } from './lib/common.js';
import { chart } from './lib/svg.js';
import { RAW as RAW_MIX, medianFigures, runFigures } from './suite/mix.js';
import { CLOSE_NOTE, LATENCY_NOTE, MIX_NOTE, PRIORITY_NOTE } from './lib/notes.js';
import { BARE, FRESH_BARE } from './suite/close.js';
// Internals of the build (not the package's exports): the bound the priority rows are judged by is tasklane's own.
import { PREFETCH_BUDGET_MS } from '../dist/manager/prefetch-gauge.js';
import { DEFAULT_MAX_PREFETCH } from '../dist/manager/options.js';

const MARKDOWN = new URL('./RESULTS.md', import.meta.url);
const SVG = new URL('./results.svg', import.meta.url);
const PEERS = ['piscina', 'tinypool', 'workerpool', 'poolifier'];
const RAW_BATCHED = 'raw MessagePort, batched 1024';
const MB = 2 ** 20;

function read(name) {
  const url = new URL(`${name}.json`, RESULTS_DIR);
  return existsSync(url) ? JSON.parse(readFileSync(url, 'utf8')) : undefined;
}

/**
 * The CPU-bound mix per pool, recomputed from the runs. Ideal = n × the median task duration measured in the
 * workers during that run, over min(workers, cores): the work as long as it really takes with every core busy
 * (two hashing threads slow each other down on this machine's vCPUs), spread with no overhead. The median, not the
 * sum: a task preempted by the OS (4 threads on 2 cores, or other load) lasts longer in wall time, and a sum would
 * count that wait as work. Calibrated ideal = n × one task timed alone on the main thread, over the same.
 */
function mixFigures(bench, w) {
  const r = bench.benchmarks.mix[w];
  const parallel = Math.min(Number(w), bench.machine.cores);
  const calMs = r.calibratedTaskMs ?? bench.calibration?.ms;
  return Object.fromEntries(
    Object.entries(r.result).map(([pool, x]) => {
      const runs = x.runs.map((run) => ({ ms: run.ms, ...runFigures(run, r.n, parallel, calMs) }));
      return [pool, {
        ms: median(runs.map((u) => u.ms)),
        ...medianFigures(runs),
        taskMs: x.taskMs,
        cpuUsPerUnit: x.cpuUsPerUnit,
        threads: x.threadsUsPerUnit,
        rounds: x.runs.length,
      }];
    }),
  );
}

const mark = (ok) => (ok === undefined ? '—' : ok ? '**met**' : '**not met**');
const x2 = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '—');
const wcs = (b) => Object.keys(b ?? {}).filter((k) => /^\d+$/.test(k));

/** Each issue-5 target with the number that decides it, per worker count. */
export function targets(bench) {
  const B = bench?.benchmarks ?? {};
  const rows = [];
  const add = (target, workers, result, ok) => rows.push({ target, workers, result, ok });
  for (const w of wcs(B.tiny)) {
    const r = B.tiny[w].result;
    const vsPiscina = r.tasklane.rate / r.piscina.rate;
    const cpuVsPiscina = r.piscina.cpuUsPerUnit / r.tasklane.cpuUsPerUnit;
    const behind = PEERS.filter((p) => r[p] && r[p].rate >= r.tasklane.rate);
    add('Tiny tasks ≥ 3x piscina, ahead of every peer (priorities on)', w,
      `${x2(vsPiscina)} piscina (${fmt(r.tasklane.rate)} vs ${fmt(r.piscina.rate)} tasks/s; CPU per task ${x2(cpuVsPiscina)} less); ` +
        (behind.length ? `behind ${behind.join(', ')}` : `ahead of all: next best ${bestPeer(r)}`),
      vsPiscina >= 3 && behind.length === 0);
  }
  for (const w of wcs(B.fanout)) {
    const t = B.fanout[w].result.tasklane;
    add('Fan-out ≥ 300,000 spawns/s', w, `${fmt(t.spawnRate)} spawns/s accepted (parent task done); ${fmt(t.rate)} subtasks/s run end to end`, t.spawnRate >= 300_000);
  }
  for (const w of wcs(B.messages)) {
    const r = B.messages[w].result;
    const gap = r[RAW_BATCHED].rate / r.tasklane.rate;
    add('Messages ≥ 1,000,000/s and within 2x of the raw batched ceiling', w,
      `${fmt(r.tasklane.rate)} messages/s; raw batched ${fmt(r[RAW_BATCHED].rate)}/s is ${x2(gap)} faster`, r.tasklane.rate >= 1_000_000 && gap <= 2);
  }
  for (const w of wcs(B.latency)) {
    const t = B.latency[w].tasklane;
    add('Latency p50 < 100 µs, schedule to message, idle pool', w, `p50 ${fmt(t.p50)} µs, p99 ${fmt(t.p99)} µs (raw MessagePort round trip p50 ${fmt(B.latency[w]['raw MessagePort round trip']?.p50)} µs)`, t.p50 < 100);
  }
  for (const w of wcs(B.priority)) {
    for (const key of ['noop', 'busy']) {
      const p = B.priority[w][key];
      const bound = priorityBound(B, w, p.taskUs);
      const allowed = issueAllowance(bound.oneTaskUs);
      const strict = `the stricter bound we aim for, one task + one trip to start (${bound.how}), is ${fmt(bound.us)} µs: ${p.waitUs <= bound.us ? 'met' : 'not met'}`;
      add(`Priority 0 behind ${fmt(p.queued)} priority-1 (${p.taskUs ? `${p.taskUs} µs tasks` : 'no-ops'}) starts within one task per worker plus the prefetch bound`, w,
        `waited ${fmt(p.waitUs)} µs, median of ${p.runs.length} (runs ${waitRange(p)} µs; ${fmt(p.finishedBetween)} tasks finished meanwhile); allowed ${fmt(allowed.us)} µs = ${allowed.how}; ${strict}`, p.waitUs <= allowed.us);
    }
  }
  for (const w of wcs(B.close)) {
    const c = B.close[w];
    const cancel = c.cancel['tasklane, fresh process'] ?? c.cancel.tasklane;
    const warm = c.cancel.tasklane;
    const gcMs = cancel?.runs.some((run) => run.gcMs !== undefined) ? median(cancel.runs.map((run) => run.gcMs ?? 0)) : undefined;
    const gc = gcMs !== undefined ? ` (median of ${cancel.runs.length} fresh processes; V8's pauses inside the close ${fmt(gcMs, 1)} ms: the 1,000,000 queued calls fill ~90 MB of heap, and its collection lands there)` : '';
    const freshBare = c.cancel[FRESH_BARE] ? `, and ${fmt(c.cancel[FRESH_BARE].ms, 1)} ms in a fresh process 50 ms after the same queuing (median of ${c.cancel[FRESH_BARE].runs.length}): the floor under this target, before any round trip` : '';
    const bare = c.kill[BARE] ? `; terminating ${w} bare threads alone takes ${fmt(c.kill[BARE].ms, 1)} ms here${freshBare}` : '';
    if (cancel) add(`cancel with ${fmt(cancel.queued)} queued < 50 ms`, w, `${fmt(cancel.ms, 1)} ms in a fresh process, the first close of a program${gc}${warm && warm !== cancel ? `; ${fmt(warm.ms, 1)} ms after earlier closes warmed the code` : ''}${bare}`, cancel.ms < 50);
    const kill = c.kill.tasklane;
    if (kill) add('kill with every worker spinning < 100 ms', w, `${fmt(kill.ms, 1)} ms`, kill.ms < 100);
  }
  for (const w of wcs(B.memory)) {
    const m = B.memory[w].result.tasklane;
    add('< 100 bytes per queued task (1,000,000 queued)', w, `${fmt(m.heapPerTask)} B of heap per task (schedule(noop()))`, m.heapPerTask < 100);
  }
  for (const w of wcs(B.mix)) {
    const figures = mixFigures(bench, w);
    const t = figures.tasklane;
    const raw = figures[RAW_MIX];
    const floor = raw ? `; with no pool at all (${RAW_MIX}, same run) ${(raw.overhead * 100).toFixed(1)}% over, so tasklane adds ${((t.ms / raw.ms - 1) * 100).toFixed(1)}% to the machine's floor${mixCpuSplit(figures, B.mix[w].wake)}` : '';
    add('CPU-bound mix within 10% of ideal', w, `${(t.overhead * 100).toFixed(1)}% over ideal (${fmt(t.ms)} ms vs ${fmt(t.idealMs)} ms; ${(t.overCalibrated * 100).toFixed(1)}% over the calibrated ideal ${fmt(t.calibratedIdealMs)} ms)${floor}`, t.overhead <= 0.1);
  }
  return rows;
}

/** Where tasklane's CPU per task goes beyond the no-pool floor's, by thread, and what piscina's main thread costs. */
function mixCpuSplit(figures, wake) {
  const t = figures.tasklane?.threads;
  const raw = figures[RAW_MIX]?.threads;
  if (!t || !raw) return '';
  const piscina = figures.piscina?.threads;
  // signed: in a quiet round a pool's threads can take less CPU than the floor's
  const signed = (us) => (Math.round(us) < 0 ? `-${fmt(-us)}` : `+${fmt(Math.abs(us))}`);
  const more = (kind) => signed(t[kind] - raw[kind]);
  const woke = wake ? `; a post that wakes a sleeping thread costs its sender ${fmt(wake.asleepUs)} µs here (${fmt(wake.awakeUs, 1)} when it is awake)` : '';
  return `. CPU per task beyond the floor's: main thread ${more('mainUs')} µs${piscina ? ` (piscina's ${signed(piscina.mainUs - raw.mainUs)})` : ''}, worker threads ${more('workersUs')} µs, V8 helper threads ${more('helpersUs')} µs${woke}`;
}

function bestPeer(r) {
  const [name, x] = PEERS.filter((p) => r[p]).map((p) => [p, r[p]]).sort((a, b) => b[1].rate - a[1].rate)[0] ?? [];
  return name ? `${name} ${fmt(x.rate)}/s (${x2(r.tasklane.rate / x.rate)})` : '—';
}

/**
 * The task running at the worker it goes to + one idle trip to start. Prefetch adds nothing: an urgent task is sent
 * at once, past the prefetch depth, and a worker polls its port after every task (src/manager/urgent-link.ts).
 */
function priorityBound(B, w, taskUs) {
  const tinyRate = B.tiny?.[w]?.result.tasklane.rate;
  const overheadUs = tinyRate ? (Number(w) * 1e6) / tinyRate : 20; // wall time of a no-op per worker, transport included
  const oneTask = (taskUs || 0) + overheadUs;
  const trip = B.latency?.[w]?.tasklane.toStart?.p50 ?? B.latency?.[w]?.tasklane.p50 ?? 100;
  return { us: oneTask + trip, oneTaskUs: oneTask, how: `${fmt(oneTask)} task + ${fmt(trip)} trip` };
}

/**
 * Issue 5's allowance: one task's time, plus the prefetch bound, the tasks a worker may hold ahead of it: depth - 1,
 * where depth = 1 + min(maxPrefetch, budget / task time) (src/manager/prefetch-gauge.ts, with the default maxPrefetch).
 */
function issueAllowance(oneTaskUs) {
  const ahead = Math.min(DEFAULT_MAX_PREFETCH, Math.floor((PREFETCH_BUDGET_MS * 1000) / oneTaskUs));
  return { us: oneTaskUs * (1 + ahead), how: `one task ${fmt(oneTaskUs)} + ${ahead} prefetched` };
}

const waitRange = (p) => `${fmt(Math.min(...p.runs.map((r) => r.waitUs)))} – ${fmt(Math.max(...p.runs.map((r) => r.waitUs)))}`;

const closeMs = (x) => (x.timedOut ? `> ${fmt(x.ms)} (no answer: gave up)` : fmt(x.ms, 1));

/** A markdown table; `left`: how many leading columns are text (left-aligned), the rest are numbers. */
function table(header, rows, left = 1) {
  return [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i < left ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function benchSections(bench) {
  const B = bench.benchmarks;
  const out = [];
  const loadOf = (r) => (r.load ? ` (load ${r.load.join(' → ')})` : '');
  const rateTable = (name, unit, title, extra) => {
    if (!B[name]) return;
    out.push(`### ${title}`);
    for (const w of wcs(B[name])) {
      const r = B[name][w];
      const base = r.result.tasklane;
      out.push(`\n${w} workers${loadOf(r)}, medians:\n`);
      out.push(table(['pool', unit, 'tasklane / pool', 'CPU µs per unit', 'tasklane CPU advantage', 'rounds'], Object.entries(r.result).map(([pool, x]) => [
        pool.startsWith('tasklane') ? `**${pool}**` : pool,
        fmt(x.rate),
        pool === 'tasklane' ? '' : x2(base.rate / x.rate),
        fmt(x.cpuUsPerUnit, 2),
        pool === 'tasklane' ? '' : x2(x.cpuUsPerUnit / base.cpuUsPerUnit),
        x.runs.length,
      ])));
      if (extra) out.push(extra(r));
    }
    out.push('');
  };
  rateTable('tiny', 'tasks/s', '1. Tiny tasks: 100,000 no-ops submitted at once, all awaited');
  rateTable('fanout', 'subtasks/s end to end', '2. Fan-out: one task spawns 100,000 subtasks', (r) =>
    `\ntasklane spawns accepted: **${fmt(r.result.tasklane.spawnRate)}/s** (${fmt(r.result.tasklane.spawnMs)} ms until the parent task's \`t\` arrived, every spawn queued). "emulated" and the peers: a task returns the list of 100,000 items and the main thread submits them.`);
  rateTable('messages', 'messages/s', '3. Messages: 1,000,000 small messages `{ i }` in total to the single reader');
  if (B.latency) {
    out.push('### 4a. Latency on an idle, warm pool (µs)\n');
    out.push('tasklane: `schedule()` to the message in the reader\'s hands ("to start": to the task\'s first line in the worker). Peers: `run()` of a no-op to its resolved promise. Raw: a round trip. 1 ms idle before each sample.\n');
    for (const w of wcs(B.latency)) {
      const r = B.latency[w];
      out.push(`\n${w} workers${loadOf(r)}:\n`);
      out.push(table(['pool', 'p50', 'p90', 'p99', 'to start p50', 'to start p99', 'samples'], Object.entries(r).filter(([k]) => !['load', 'seconds'].includes(k)).map(([pool, x]) => [pool.startsWith('tasklane') ? `**${pool}**` : pool, fmt(x.p50, 1), fmt(x.p90, 1), fmt(x.p99, 1), x.toStart ? fmt(x.toStart.p50, 1) : '', x.toStart ? fmt(x.toStart.p99, 1) : '', fmt(x.samples)])));
    }
    out.push('');
    out.push(LATENCY_NOTE);
  }
  if (B.priority) {
    out.push('### 4b. A priority-0 task behind 100,000 queued priority-1 tasks\n');
    out.push('Scheduled once the workers are busy with the priority-1 tasks; the wait is from `schedule()` to the task\'s first line in a worker. The peers have no priorities: a task submitted behind 100,000 waits for all of them. "Allowed" is issue 5\'s target: one task, plus the prefetch bound (the tasks a worker may hold ahead of it: up to 32, or 10 ms of task time). "One task + one trip" is the stricter bound this design aims at, since an urgent task skips what is prefetched: the task running at its worker, plus an idle pool\'s trip to a task\'s start (4a).\n');
    out.push(table(['workers', 'priority-1 tasks', 'wait µs (median)', 'runs (min – max)', 'finished meanwhile', 'allowed µs (one task + prefetch)', 'one task + one trip µs'], wcs(B.priority).flatMap((w) => ['noop', 'busy'].map((k) => {
      const p = B.priority[w][k];
      const bound = priorityBound(B, w, p.taskUs);
      return [w, p.taskUs ? `${p.taskUs} µs busy` : 'no-op', fmt(p.waitUs), waitRange(p), fmt(p.finishedBetween), fmt(issueAllowance(bound.oneTaskUs).us), fmt(bound.us)];
    }))));
    out.push('');
    out.push(PRIORITY_NOTE);
  }
  if (B.close) {
    out.push('### 5. Close (ms, from `close()` to its promise resolved, every thread gone)\n');
    out.push('tasklane `close(\'cancel\')` / `close(\'kill\')`; peers: piscina and tinypool `destroy()`, workerpool `terminate(true)`, poolifier `destroy()`. Queued tasks are no-ops, submitted 50 ms before the close; for kill, every worker runs an endless loop. A fresh pool for each measurement.\n');
    for (const w of wcs(B.close)) {
      const c = B.close[w];
      out.push(`\n${w} workers${loadOf(c)}:\n`);
      out.push(table(['case', 'queued', 'ms (median)', 'rounds'], [
        ...Object.values(c.cancel).map((x) => [`cancel: ${x.pool.startsWith('tasklane') ? `**${x.pool}**` : x.pool}`, fmt(x.queued), closeMs(x), x.runs.length]),
        ...Object.values(c.kill).map((x) => [`kill: ${x.pool.startsWith('tasklane') ? `**${x.pool}**` : x.pool}`, x.pool === BARE ? 'idle, nothing loaded' : 'every worker spinning', closeMs(x), x.runs.length]),
      ]));
    }
    out.push('');
    out.push(CLOSE_NOTE);
  }
  if (B.memory) {
    for (const w of wcs(B.memory)) {
      const m = B.memory[w];
      out.push(`### 6. Memory: bytes per queued task at ${fmt(m.n)} queued (${w} workers)\n`);
      out.push('Each in its own `node --expose-gc` process: heap collected and measured before and after queuing, in one synchronous stretch (nothing dispatched yet). "one shared call" schedules the same call object every time: the manager\'s own cost without the call objects.\n');
      out.push(table(['variant', 'heap B/task', 'RSS B/task', 'ms to queue all'], Object.entries(m.result).map(([v, x]) => [v.startsWith('tasklane') ? `**${v}**` : v, fmt(x.heapPerTask), fmt(x.rssPerTask), fmt(x.queueMs)])));
      out.push('');
    }
  }
  if (B.mix) {
    out.push('### 7. CPU-bound mix: 10,000 tasks of ~1 ms SHA-256\n');
    out.push(`Ideal = 10,000 × the median task duration measured in the workers during the run, over min(workers, cores): the work as long as it really takes with every core busy (two hashing threads slow each other down on these vCPUs), spread with no overhead; the median, because a task the OS preempts (4 threads on 2 cores, other load) lasts longer without doing more work. Calibrated ideal = 10,000 × one task timed alone on the main thread (${bench.calibration ? `${bench.calibration.rounds} × SHA-256 of 16 KiB ≈ ${bench.calibration.ms.toFixed(2)} ms` : '—'}) over the same; it ignores the machine's other load. Every pool is first warmed with 20,000 tasks of one SHA-256 round and 1,000 real ones (the JIT: MIX_NOTE below). CPU µs per task: every thread of the process, the hashing included; then split by thread (the kernel's figure per thread, /proc/self/task/*/schedstat): the main thread, the pool's worker threads (the hashing included), and V8's helper threads (garbage collection, compilation).\n`);
    for (const w of wcs(B.mix)) {
      const r = B.mix[w];
      out.push(`\n${w} workers${loadOf(r)}:\n`);
      const split = (x, kind) => (x.threads ? fmt(x.threads[kind]) : '—');
      out.push(table(['pool', 'wall ms', 'ideal ms', 'over ideal', 'over calibrated ideal', 'task ms (median)', 'CPU µs per task', 'main thread', 'worker threads', 'V8 helpers', 'rounds'], Object.entries(mixFigures(bench, w)).map(([pool, x]) => [pool === 'tasklane' ? '**tasklane**' : pool, fmt(x.ms), fmt(x.idealMs), `${(x.overhead * 100).toFixed(1)}%`, `${(x.overCalibrated * 100).toFixed(1)}%`, fmt(x.taskMs, 2), fmt(x.cpuUsPerUnit), split(x, 'mainUs'), split(x, 'workersUs'), split(x, 'helpersUs'), x.rounds])));
      if (r.wake) out.push(`\nA postMessage() that wakes a sleeping thread costs its sender ${fmt(r.wake.asleepUs)} µs (p50) in this run, ${fmt(r.wake.awakeUs, 1)} µs when the receiver is busy on a core.`);
    }
    out.push(MIX_NOTE);
  }
  return out.join('\n');
}

function loadSection(load) {
  const out = ['## Load: 1,000,000 tiny tasks through one manager (`node benchmarks/load.js`)\n'];
  out.push(`${load.machine.date.slice(0, 16).replace('T', ' ')} UTC, Node ${load.machine.node}, ${load.workers} workers, load average ${load.machine.loadavg.join(' ')} → ${load.loadavgEnd?.join(' ') ?? ''}.\n`);
  out.push(table(['figure', 'value'], [
    ['tasks', fmt(load.n)],
    ['all done in', `${fmt(load.totalMs)} ms (${fmt(load.rate)} tasks/s)`],
    ['CPU per task (all threads)', `${fmt(load.cpuUsPerTask, 2)} µs`],
    ['queuing all (schedule() × 1,000,000)', `${fmt(load.queueMs)} ms`],
    ['heap per queued task (gc, right after queuing)', `${fmt(load.heapPerTask)} B`],
    ['heap: baseline → peak sampled → end (after gc)', `${fmt(load.baseline.heapUsed / MB, 1)} → ${fmt(load.peak.heapUsed / MB, 1)} → ${fmt(load.end.heapUsed / MB, 1)} MiB`],
    ['RSS: baseline → peak sampled → end', `${fmt(load.baseline.rss / MB, 1)} → ${fmt(load.peak.rss / MB, 1)} → ${fmt(load.end.rss / MB, 1)} MiB`],
    ['samples', `${fmt(load.samples.length)} every ${load.sampleMs} ms`],
    ['done / failed', `${fmt(load.stats.done)} / ${fmt(load.stats.failed)}`],
  ], 2));
  return out.join('\n');
}

function soakSection(soak) {
  const out = [`## Soak: ${soak.minutes} minutes of mixed work (\`node benchmarks/soak.js --minutes ${soak.minutes}\`)\n`];
  out.push(`${soak.machine.date.slice(0, 16).replace('T', ' ')} UTC, Node ${soak.machine.node}, ${soak.workers} workers, \`failFast: false\`, load average ${soak.machine.loadavg.join(' ')} → ${soak.loadavgEnd?.join(' ') ?? ''}. ${soak.description}\n`);
  const f = soak.flat;
  out.push(table(['figure', 'second minute (median; the first is warm-up)', 'last minute (median)', 'change', 'flat?'], f.map((x) => [x.name, x.first, x.last, x.change, x.flat ? 'yes' : '**no**']), 1));
  // Per-minute medians: where a figure moved, and whether it settled.
  const minutes = [];
  for (const x of soak.samples.slice(1, -1)) if (x.t < soak.minutes * 60_000) (minutes[Math.floor(x.t / 60_000)] ??= []).push(x);
  const med = (xs) => median(xs);
  const rows = minutes.map((xs, i) => xs && [String(i + 1), `${(med(xs.map((x) => x.heapUsed)) / MB).toFixed(2)}`, `${(med(xs.map((x) => x.rss)) / MB).toFixed(1)}`, `${(med(xs.map((x) => x.external)) / MB).toFixed(2)}`, String(med(xs.map((x) => x.handles))), fmt(xs.at(-1).done)]).filter(Boolean);
  out.push('\nMedians minute by minute (heap after a full collection; RSS covers every thread, the workers\' heaps included):\n');
  out.push(table(['minute', 'heap MiB', 'RSS MiB', 'external MiB', 'handles', 'tasks done by then'], rows));
  const second = minutes[1];
  const lastMinute = minutes.filter(Boolean).at(-1);
  if (second && lastMinute && second !== lastMinute) {
    const d = (key) => med(lastMinute.map((x) => x[key])) - med(second.map((x) => x[key]));
    out.push(`\nFrom minute 2 to the last minute: heap ${d('heapUsed') >= 0 ? '+' : ''}${(d('heapUsed') / MB).toFixed(2)} MiB, RSS ${d('rss') >= 0 ? '+' : ''}${(d('rss') / MB).toFixed(1)} MiB, handles ${d('handles') >= 0 ? '+' : ''}${d('handles')}.`);
  }
  out.push(`\nWork done: ${Object.entries(soak.totals).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}. Every task accounted for: ${soak.accounted ? 'yes' : '**no**'}.`);
  out.push(`\nVerdict: memory and handles ${soak.verdict ? '**stay flat**' : '**do not stay flat**'} (flat: the last minute's median within ${soak.tolerance}).`);
  return out.join('\n');
}

function svgFor(bench) {
  const B = bench.benchmarks;
  const series = (bench.workers ?? []).map((w) => `${w} workers`);
  const W = bench.workers ?? [];
  const pick = (name, pools, get) => pools.map((pool) => ({ label: pool, highlight: pool.startsWith('tasklane'), values: W.map((w) => get(B[name]?.[w], pool)) }));
  const panels = [];
  if (B.tiny) panels.push({ title: '1. Tiny tasks (100k no-ops)', unit: 'tasks/s', rows: pick('tiny', ['tasklane', 'tasklane run()', ...PEERS], (r, p) => r?.result[p]?.rate) });
  if (B.fanout) panels.push({ title: '2. Fan-out (1 task → 100k subtasks)', unit: 'per s', rows: [...pick('fanout', ['tasklane'], (r) => r?.result.tasklane.spawnRate).map((x) => ({ ...x, label: 'tasklane spawns' })), ...pick('fanout', ['tasklane', 'tasklane emulated', ...PEERS], (r, p) => r?.result[p]?.rate)], note: 'subtasks run end to end' });
  if (B.messages) panels.push({ title: '3. Messages (1M small, one reader)', unit: 'messages/s', log: true, rows: pick('messages', ['tasklane', 'piscina', 'workerpool', 'raw MessagePort, one post each', RAW_BATCHED, 'raw SharedArrayBuffer ring'], (r, p) => r?.result[p]?.rate) });
  if (B.latency) panels.push({ title: '4. Latency, idle pool (p50)', unit: 'µs', better: 'lower', rows: pick('latency', ['tasklane', ...PEERS, 'raw MessagePort round trip', 'raw SharedArrayBuffer+Atomics round trip'], (r, p) => r?.[p]?.p50).map((x) => ({ ...x, label: x.label.replace(' round trip', '') })) });
  if (B.close) {
    const k = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
    const c0 = B.close[W[0]] ?? {};
    const cancelRows = [{ label: `tasklane, ${k(c0.queued)}, fresh process`, highlight: true, values: W.map((w) => B.close[w]?.cancel['tasklane, fresh process']?.ms) }, { label: `tasklane, ${k(c0.queued)} queued`, highlight: true, values: W.map((w) => B.close[w]?.cancel.tasklane?.ms) }, ...['tasklane', ...PEERS].map((p) => ({ label: `${p}, ${k(c0.peerQueued)} queued`, highlight: p === 'tasklane', values: W.map((w) => Object.values(B.close[w]?.cancel ?? {}).find((x) => x.pool === p && x.queued !== B.close[w].queued)?.ms) }))];
    panels.push({ title: '5a. Close: cancel with tasks queued', unit: 'ms', better: 'lower', log: true, rows: cancelRows });
    panels.push({ title: '5b. Close: kill, every worker spinning', unit: 'ms', better: 'lower', log: true, rows: pick('close', ['tasklane', ...PEERS], (r, p) => r?.kill[p]?.ms) });
  }
  if (B.memory) {
    const w0 = wcs(B.memory)[0];
    panels.push({ title: `6. Memory per queued task (1M queued, ${w0} workers)`, unit: 'heap bytes', better: 'lower', rows: Object.entries(B.memory[w0].result).map(([v, x]) => ({ label: v.replace(' (one shared call)', ', shared call'), highlight: v.startsWith('tasklane'), values: W.map((_, i) => (i === 0 ? x.heapPerTask : NaN)) })) });
  }
  if (B.mix) {
    const figs = Object.fromEntries(wcs(B.mix).map((w) => [w, mixFigures(bench, w)]));
    panels.push({ title: '7. CPU-bound mix (10k × ~1 ms)', unit: '% over ideal', better: 'lower', rows: ['tasklane', ...PEERS].map((p) => ({ label: p, highlight: p === 'tasklane', values: W.map((w) => (figs[w]?.[p] ? Math.max(figs[w][p].overhead * 100, 0.1) : NaN)) })) });
  }
  return chart({ title: 'tasklane vs piscina, tinypool, workerpool, poolifier and the raw transport', subtitle: `${bench.machine.date.slice(0, 10)} · Node ${bench.machine.node} · ${bench.machine.cpu}, ${bench.machine.cores} cores · load average ${bench.machine.loadavg[0]} at start · medians`, series, panels });
}

export async function writeReport() {
  const bench = read('bench');
  const load = read('load');
  const soak = read('soak');
  const parts = ['# tasklane benchmark results', ''];
  parts.push('Generated by `benchmarks/report.js` from the latest `npm run bench`, `node benchmarks/load.js` and `node benchmarks/soak.js` runs (raw JSON in `benchmarks/results/`, not committed). Do not edit by hand: rerun.\n');
  parts.push([
    'How to run (after `npm run build`; none of it is part of `npm test`):',
    '',
    '- `npm run bench`: the suite, about 10 minutes on this machine; `--full` gives every peer 3 rounds everywhere (about 15 minutes), `--quick` runs a tenth of every size, `--only tiny,messages` and `--workers 2` pick parts.',
    '- `node benchmarks/load.js`: 1,000,000 tiny tasks through one manager, memory sampled.',
    '- `node benchmarks/soak.js --minutes 10`: the soak; exit code 1 when memory or handles grow or a task is unaccounted for.',
    '- `node benchmarks/report.js`: rewrites this file and `results.svg` from the JSON in `benchmarks/results/`.',
    '',
  ].join('\n'));
  if (bench) {
    const m = bench.machine;
    parts.push(`**Suite run:** ${m.date.slice(0, 16).replace('T', ' ')} UTC · Node ${m.node} · ${m.platform} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · load average ${m.loadavg.join(' / ')} (1/5/15 min) at start, ${m.loadavgEnd?.join(' / ') ?? '?'} at the end · ${bench.seconds} s in total · commit ${m.commit ?? '?'}${m.srcDirty ? ' with uncommitted changes in src/' : ''}${bench.quick ? ' · **--quick (a tenth of the sizes): not the real figures**' : ''}.\n`);
    for (const m2 of bench.merged ?? []) {
      parts.push(`Re-run afterwards and merged in (\`--only ${m2.only.join(',')} --merge\`): ${m2.only.join(', ')} at ${m2.machine.date.slice(0, 16).replace('T', ' ')} UTC, commit ${m2.machine.commit ?? '?'}, load average ${m2.machine.loadavg.join(' / ')} at start, ${m2.machine.loadavgEnd?.join(' / ') ?? '?'} at the end.\n`);
    }
    parts.push('This machine is shared: other jobs keep the load average high, which moves wall-clock rates from run to run. So every benchmark alternates the pools within each round (each round starting with a different one), reports medians, and gives CPU time per unit (all threads of this process, `process.cpuUsage()`) beside the rates: CPU time is far steadier under load. Peers run with their default options at the same thread count; tasklane with `priorityLevels: 2` and tasks at priority 1.\n');
    parts.push('![benchmark chart](results.svg)\n');
    parts.push('## Targets of issue 5\n');
    parts.push(table(['target', 'workers', 'result', 'verdict'], targets(bench).map((t) => [t.target, t.workers, t.result, mark(t.ok)]), 4));
    parts.push('\n## The figures\n');
    parts.push(benchSections(bench));
    writeFileSync(SVG, svgFor(bench));
  }
  if (load) parts.push(loadSection(load), '');
  if (soak) parts.push(soakSection(soak), '');
  const redis = read('redis');
  if (redis) parts.push(redisSection(redis), '');
  writeFileSync(MARKDOWN, `${parts.join('\n')}\n`);
  return { markdown: fileURLToPath(MARKDOWN), svg: fileURLToPath(SVG) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { markdown, svg } = await writeReport();
  console.log(`wrote ${markdown} and ${svg}`);
}
