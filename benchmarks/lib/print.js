// Terminal tables for bench.js (chalk).
import chalk from 'chalk';
import { fmt } from './common.js';

// Terminal tables.

export function print(name, byWorkers) {
  for (const [workers, r] of Object.entries(byWorkers)) {
    const title = chalk.bold(`\n${TITLES[name]}`) + chalk.dim(` · ${workers} workers · load ${r.load?.join(' → ') ?? ''}`);
    console.log(title);
    const rows = ROWS[name](r);
    table(rows.header, rows.body);
  }
}

const ratio = (x) => (Number.isFinite(x) ? (x >= 1 ? chalk.green : chalk.red)(`${x.toFixed(2)}x`) : '—');

const TITLES = {
  tiny: 'Tiny tasks: 100,000 no-ops submitted at once (tasks/s)',
  fanout: 'Fan-out: one task, 100,000 subtasks (subtasks/s end to end)',
  messages: 'Messages: 1,000,000 small messages to one reader (messages/s)',
  latency: 'Latency on an idle warm pool (µs)',
  priority: 'Priority 0 behind 100,000 queued priority-1 tasks: start wait',
  close: 'Close (ms)',
  memory: 'Memory: bytes per queued task at 1,000,000 queued',
  mix: 'CPU-bound mix: 10,000 tasks of ~1 ms SHA-256',
};

function rateRows(r, unit = 'per s', higherBetter = true, key = 'rate') {
  const base = r.result.tasklane[key];
  return {
    header: ['pool', unit, 'tasklane/pool', 'CPU µs/unit'],
    body: Object.entries(r.result).map(([pool, x]) => [pool, fmt(x[key]), pool === 'tasklane' ? '' : ratio(higherBetter ? base / x[key] : x[key] / base), fmt(x.cpuUsPerUnit, 2)]),
  };
}

const ROWS = {
  tiny: (r) => rateRows(r, 'tasks/s'),
  fanout: (r) => {
    const rows = rateRows(r, 'subtasks/s');
    rows.body[0].push(`spawns accepted: ${fmt(r.result.tasklane.spawnRate)}/s`);
    rows.header.push('');
    return rows;
  },
  messages: (r) => rateRows(r, 'messages/s'),
  latency: (r) => ({
    header: ['pool', 'p50', 'p90', 'p99', 'to start p50'],
    body: Object.entries(r).filter(([k]) => k !== 'load' && k !== 'seconds').map(([pool, x]) => [pool, fmt(x.p50, 1), fmt(x.p90, 1), fmt(x.p99, 1), x.toStart ? fmt(x.toStart.p50, 1) : '']),
  }),
  priority: (r) => ({
    header: ['priority-1 tasks', 'wait µs (median)', 'priority-1 tasks finished meanwhile'],
    body: [r.noop, r.busy].map((x) => [x.taskUs ? `${x.taskUs} µs busy` : 'no-op', fmt(x.waitUs), fmt(x.finishedBetween)]),
  }),
  close: (r) => ({
    header: ['case', 'queued', 'ms', 'rounds'],
    body: [
      ...Object.entries(r.cancel).map(([label, x]) => [`cancel: ${x.pool}`, fmt(x.queued), x.timedOut ? `> ${fmt(x.ms)} (timed out)` : fmt(x.ms, 1), String(x.runs.length)]),
      ...Object.entries(r.kill).map(([label, x]) => [`kill: ${x.pool}`, x.pool.startsWith('bare') ? 'idle' : 'all spinning', x.timedOut ? `> ${fmt(x.ms)} (timed out)` : fmt(x.ms, 1), String(x.runs.length)]),
    ],
  }),
  memory: (r) => ({
    header: ['variant', 'heap B/task', 'external B/task', 'RSS B/task', 'queue ms'],
    body: Object.entries(r.result).map(([v, x]) => [v, fmt(x.heapPerTask), fmt(x.externalPerTask), fmt(x.rssPerTask), fmt(x.queueMs)]),
  }),
  mix: (r) => ({
    header: ['pool', 'wall ms', 'ideal ms', 'over ideal', 'over calibrated ideal', 'task ms', 'CPU µs/task'],
    body: Object.entries(r.result).map(([pool, x]) => [pool, fmt(x.ms), fmt(x.idealMs), `${(x.overhead * 100).toFixed(1)}%`, `${(x.overCalibrated * 100).toFixed(1)}%`, fmt(x.taskMs, 2), fmt(x.cpuUsPerUnit)]),
  }),
};

function table(header, body) {
  const strip = (s) => String(s).replace(/\x1b\[[0-9;]*m/g, '');
  const widths = header.map((h, i) => Math.max(strip(h).length, ...body.map((row) => strip(row[i] ?? '').length)));
  const pad = (cell, i) => {
    const s = String(cell ?? '');
    const gap = ' '.repeat(widths[i] - strip(s).length);
    return i === 0 ? s + gap : gap + s;
  };
  console.log(header.map((h, i) => chalk.cyan(pad(h, i))).join('  '));
  for (const row of body) console.log(row.map((c, i) => (i === 0 && c.startsWith('tasklane') ? chalk.bold(pad(c, i)) : pad(c, i))).join('  '));
}
