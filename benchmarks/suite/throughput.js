// Benchmarks 1 to 3: tiny tasks, fan-out, messages. Each starts tasklane and every peer at `workers` threads,
// warms them, then alternates rounds.
import { median } from '../lib/common.js';
import { createPeer, PEERS, tasklane } from '../lib/pools.js';
import { rawStream, rawTasks } from '../lib/raw.js';
import { chatter, fan, list, noop } from '../tasks.js';
import { alternate } from './rounds.js';

async function drain(manager) {
  for await (const _ of manager.messages());
}

async function startAll(workers, options) {
  const manager = tasklane(workers, options);
  const peers = PEERS.map((name) => createPeer(name, workers));
  await Promise.all([manager.ready(), ...peers.map((p) => p.start())]);
  return {
    manager,
    peers,
    close: async () => {
      await manager.close('kill');
      await Promise.all(peers.map((p) => p.destroy()));
    },
  };
}

/** 1. n no-op tasks submitted at once, all awaited. tasklane at priority 1 of 2 levels. */
export async function tinyTasks({ workers, n, rounds, roundsOf }) {
  const { manager, peers, close } = await startAll(workers);
  const raw = await rawTasks(workers);
  try {
    const submitAll = (size) => ({
      tasklane: async () => {
        for (let i = 0; i < size; i++) manager.schedule(noop(), 1);
        await drain(manager);
      },
      'tasklane run()': async () => {
        const calls = new Array(size);
        for (let i = 0; i < size; i++) calls[i] = manager.run(noop(), 1);
        await Promise.all(calls);
      },
      ...Object.fromEntries(
        peers.map((p) => [
          p.name,
          async () => {
            const calls = new Array(size);
            for (let i = 0; i < size; i++) calls[i] = p.run(i);
            await Promise.all(calls);
          },
        ]),
      ),
      'raw MessagePort (batched echo)': () => raw.run(size),
    });
    const warm = submitAll(Math.min(n, 5_000));
    const result = await alternate(submitAll(n), { rounds, roundsOf, per: n, warmup: (name) => warm[name]() });
    const { done, failed } = manager.stats();
    if (failed !== 0) throw new Error(`tiny tasks: ${failed} tasklane tasks failed`);
    return { n, result, tasklaneDone: done };
  } finally {
    await raw.close();
    await close();
  }
}

/**
 * 2. One task spawning n subtasks. tasklane natively (ctx.schedule in the worker; `spawnRate` is n over the time
 * until the parent's `t` arrived, i.e. every spawn accepted and queued), and emulated like the peers: a task
 * returns the list and the main thread submits every item.
 */
export async function fanOut({ workers, n, rounds, roundsOf }) {
  const { manager, peers, close } = await startAll(workers);
  try {
    const variants = (size) => ({
      tasklane: async () => {
        const t0 = performance.now();
        let spawnMs = NaN;
        const parent = manager.run(fan(size, 1), 1).then(() => (spawnMs = performance.now() - t0));
        await drain(manager);
        await parent;
        return { spawnMs, spawnRate: (size / spawnMs) * 1000 };
      },
      'tasklane emulated': async () => {
        const items = await manager.run(list(size), 1);
        for (let i = 0; i < items.length; i++) manager.schedule(noop(), 1);
        await drain(manager);
      },
      ...Object.fromEntries(
        peers.map((p) => [
          p.name,
          async () => {
            const items = await p.run({ op: 'list', n: size });
            await Promise.all(items.map((i) => p.run(i)));
          },
        ]),
      ),
    });
    const warm = variants(Math.min(n, 5_000));
    const result = await alternate(variants(n), { rounds, roundsOf, per: n, warmup: (name) => warm[name]() });
    result.tasklane.spawnRate = median(result.tasklane.runs.map((r) => r.spawnRate));
    result.tasklane.spawnMs = median(result.tasklane.runs.map((r) => r.spawnMs));
    return { n, result };
  } finally {
    await close();
  }
}

/**
 * 3. n small messages { i } in total, from `tasks` tasks, to the single reader. Peers that can send from a
 * running task: piscina (parentPort, re-emitted as the pool's 'message') and workerpool (workerEmit). The raw
 * one-way ceilings (one writer thread) are measured in the same alternation.
 */
export async function messages({ workers, n, rounds, tasks = workers * 8 }) {
  const manager = tasklane(workers);
  const piscina = createPeer('piscina', workers);
  const workerpool = createPeer('workerpool', workers);
  await Promise.all([manager.ready(), piscina.start(), workerpool.start()]);
  const raws = {};
  for (const mode of ['port-single', 'port-batched', 'msgpack-batched', 'sab']) raws[mode] = await rawStream(mode);
  const names = { 'port-single': 'raw MessagePort, one post each', 'port-batched': 'raw MessagePort, batched 1024', 'msgpack-batched': 'raw MessagePort, msgpack batched 1024', sab: 'raw SharedArrayBuffer ring' };
  try {
    const variants = (size) => {
      const each = Math.ceil(size / tasks);
      const total = each * tasks;
      return {
        tasklane: async () => {
          for (let t = 0; t < tasks; t++) manager.schedule(chatter(each), 1);
          let got = 0;
          for await (const _ of manager.messages()) got++;
          if (got !== total) throw new Error(`tasklane delivered ${got} of ${total} messages`);
        },
        piscina: async () => {
          let got = 0;
          let all;
          const arrived = new Promise((resolve) => (all = resolve));
          const onMessage = () => {
            if (++got === total) all();
          };
          piscina.pool.on('message', onMessage);
          await Promise.all(Array.from({ length: tasks }, () => piscina.run({ op: 'chatter', n: each })));
          await arrived;
          piscina.pool.off('message', onMessage);
        },
        workerpool: async () => {
          let got = 0;
          const on = () => got++;
          await Promise.all(Array.from({ length: tasks }, () => workerpool.pool.exec('chatter', [each], { on })));
          if (got !== total) throw new Error(`workerpool delivered ${got} of ${total} messages`);
        },
        ...Object.fromEntries(Object.entries(raws).map(([mode, raw]) => [names[mode], () => raw.run(total)])),
      };
    };
    const warm = variants(Math.min(n, 50_000));
    const result = await alternate(variants(n), { rounds, per: n, warmup: (name) => warm[name]() });
    return { n, tasks, result };
  } finally {
    await manager.close('kill');
    await Promise.all([piscina.destroy(), workerpool.destroy(), ...Object.values(raws).map((r) => r.close())]);
  }
}
