// Helpers shared by the suite, load.js and soak.js: statistics, timing, the machine's description, output paths.
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { threadCpu, threadCpuSince } from './thread-cpu.js';

export const RESULTS_DIR = new URL('../results/', import.meta.url);

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The p-th percentile (0..100), nearest rank, of an unsorted array. */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Runs `fn` and returns its wall time (ms) and the CPU time of every thread of this process (µs). */
export async function timed(fn) {
  const threads = threadCpu();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await fn();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuUs: used.user + used.system, threads: threadCpuSince(threads), value };
}

/** Resolves `promise`, or rejects after `ms` with a message naming `what`. */
export function within(promise, ms, what) {
  let timer;
  return Promise.race([
    Promise.resolve(promise).finally(() => clearTimeout(timer)), // a plain promise: workerpool's own has odd finally()
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

export function machine() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    ...git(),
  };
}

/** The commit measured, and whether src/ had uncommitted changes (dist/ is built from the working tree). */
function git() {
  try {
    const cwd = new URL('../..', import.meta.url);
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd, encoding: 'utf8' }).trim().length > 0;
    return { commit, srcDirty: dirty };
  } catch {
    return {};
  }
}

export const load1 = () => Math.round(loadavg()[0] * 100) / 100;

export function writeResult(name, data) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = JSON.stringify(data, null, 2);
  writeFileSync(new URL(`${name}.json`, RESULTS_DIR), json);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(new URL(`${name}-${stamp}.json`, RESULTS_DIR), json);
}

export const fmt = (n, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';

/** Rotates `items` by `k`: round k starts with a different pool, so no pool always runs first or last. */
export function rotate(items, k) {
  const n = items.length;
  return items.map((_, i) => items[(i + k) % n]);
}

/** Memory snapshot; `gc` first when it is exposed. */
export function memory() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}
