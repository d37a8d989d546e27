// Issue 7: throughput of the Redis backend against local threads and against plain BullMQ, in the same run.
//   node benchmarks/redis.js [--tasks 5000] [--rounds 3] [--workers 2]
// Starts Debian's redis-server on a free loopback port (persistence off), stops it by PID at the end.
// Writes benchmarks/results/redis.json; `node benchmarks/report.js` puts it into RESULTS.md (lib/redis-section.js).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { ProcessManager } from 'tasklane';
import { fan, noop } from './tasks.js';
import { fmt, load1, machine, median, rotate, timed, within, writeResult } from './lib/common.js';

const { values } = parseArgs({ options: { tasks: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '3' }, workers: { type: 'string', default: '2' } } });
const TASKS = Number(values.tasks);
const ROUNDS = Number(values.rounds);
const WORKERS = Number(values.workers);
const MODULE = new URL('./tasks.js', import.meta.url);

const redis = await startRedis();
const url = `redis://127.0.0.1:${redis.port}/0`;
let queues = 0;

/** n no-op tasks scheduled from the main thread, the reader waits for the end. */
async function tasklaneTiny(options) {
  const manager = new ProcessManager({ tasks: MODULE, workers: WORKERS, ...options, ...(options.redis ? { queue: `bench-${++queues}` } : {}) });
  await manager.ready();
  const run = await timed(async () => {
    for (let i = 0; i < TASKS; i++) manager.schedule(noop(), 1);
    for await (const _ of manager.messages());
  });
  await manager.close('join');
  return run;
}

/** One task spawns n no-ops from inside a worker. */
async function tasklaneFan(options) {
  const manager = new ProcessManager({ tasks: MODULE, workers: WORKERS, ...options, ...(options.redis ? { queue: `bench-${++queues}` } : {}) });
  await manager.ready();
  const run = await timed(async () => {
    manager.schedule(fan(TASKS, 1), 0);
    for await (const _ of manager.messages());
  });
  await manager.close('join');
  return run;
}

/** Plain BullMQ: addBulk from the main thread, a Worker with an in-process no-op processor (concurrency 2 x threads). */
async function bullmqTiny() {
  const name = `plain-${++queues}`;
  const connection = { url, maxRetriesPerRequest: null };
  const queue = new Queue(name, { connection });
  let done = 0;
  let finished;
  const allDone = new Promise((resolve) => (finished = resolve));
  const worker = new Worker(name, async () => undefined, { connection, concurrency: WORKERS * 2, autorun: false });
  worker.on('completed', () => ++done === TASKS && finished());
  await worker.waitUntilReady();
  const run = await timed(async () => {
    void worker.run();
    const jobs = Array.from({ length: TASKS }, () => ({ name: 'noop', data: {}, opts: { priority: 2, removeOnComplete: true } }));
    for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
    await allDone;
  });
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return run;
}

const contenders = [
  { name: 'tasklane, local threads', bench: 'tiny', run: () => tasklaneTiny({}) },
  { name: 'tasklane, Redis (threads in the manager)', bench: 'tiny', run: () => tasklaneTiny({ redis: url }) },
  { name: 'plain BullMQ (in-process processor)', bench: 'tiny', run: () => bullmqTiny() },
  { name: 'tasklane fan-out, local threads', bench: 'fan-out', run: () => tasklaneFan({}) },
  { name: 'tasklane fan-out, Redis', bench: 'fan-out', run: () => tasklaneFan({ redis: url }) },
];

const samples = new Map(contenders.map((c) => [c.name, []]));
const loadStart = load1();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const contender of rotate(contenders, round)) {
      const { ms, cpuUs } = await within(contender.run(), 300_000, contender.name);
      samples.get(contender.name).push({ ms, cpuUs });
      process.stderr.write(`round ${round + 1}: ${contender.name}: ${fmt(TASKS / (ms / 1000))} tasks/s\n`);
    }
  }
} finally {
  await redis.stop();
}

const rows = contenders.map((c) => {
  const list = samples.get(c.name);
  const ms = median(list.map((s) => s.ms));
  return { name: c.name, bench: c.bench, tasksPerSecond: TASKS / (ms / 1000), ms, cpuUsPerTask: median(list.map((s) => s.cpuUs)) / TASKS, rounds: list.length };
});
const local = rows.find((r) => r.name === 'tasklane, local threads');
const bull = rows.find((r) => r.name.startsWith('plain BullMQ'));
const onRedis = rows.find((r) => r.name.startsWith('tasklane, Redis'));
console.log(`\n${TASKS} tasks, ${WORKERS} threads, ${ROUNDS} rounds, medians (load ${loadStart} -> ${load1()}):`);
for (const row of rows) console.log(`  ${row.name.padEnd(44)} ${fmt(row.tasksPerSecond).padStart(9)} tasks/s  ${fmt(row.cpuUsPerTask, 1).padStart(7)} CPU µs/task`);
console.log(`  tasklane on Redis / plain BullMQ: ${fmt(onRedis.tasksPerSecond / bull.tasksPerSecond, 2)}x; local threads / tasklane on Redis: ${fmt(local.tasksPerSecond / onRedis.tasksPerSecond, 1)}x`);
writeResult('redis', { machine: machine(), redis: redis.version, tasks: TASKS, workers: WORKERS, rounds: ROUNDS, loadStart, loadEnd: load1(), rows });

async function startRedis() {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  await within(
    new Promise((resolve, reject) => {
      child.once('error', reject);
      child.stdout.on('data', (chunk) => (output += chunk) && output.includes('Ready to accept connections') && resolve());
    }),
    10_000,
    'redis-server start',
  );
  child.stdout.resume();
  const version = /v=(\S+)/.exec(output)?.[1] ?? /Redis version=(\S+)/.exec(output)?.[1] ?? 'unknown';
  return { port, version, stop: async () => (child.kill('SIGTERM'), await once(child, 'exit')) };
}
