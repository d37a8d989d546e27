// The main thread's side of the raw transport ceiling (see raw-worker.js).
import { Worker } from 'node:worker_threads';
import { Packr } from 'msgpackr';
import { median } from './common.js';

const WORKER = new URL('./raw-worker.js', import.meta.url);

function start(mode, extra = {}) {
  const worker = new Worker(WORKER, { workerData: { mode, ...extra } });
  return new Promise((resolve, reject) => {
    worker.once('online', () => resolve(worker));
    worker.once('error', reject);
  });
}

/**
 * `workers` echo threads answering batches of task ids: the no-pool ceiling for no-op tasks. All n ids leave at
 * once in batches of `batch`, round robin over the threads.
 */
export async function rawTasks(workers, batch = 256) {
  const threads = await Promise.all(Array.from({ length: workers }, () => start('echo-port')));
  return {
    run(n) {
      return new Promise((resolve) => {
        let answered = 0;
        const onMessage = (ids) => {
          answered += ids.length;
          if (answered === n) {
            for (const t of threads) t.off('message', onMessage);
            resolve();
          }
        };
        for (const t of threads) t.on('message', onMessage);
        for (let i = 0, k = 0; i < n; i += batch, k++) {
          const ids = new Uint32Array(Math.min(batch, n - i));
          for (let j = 0; j < ids.length; j++) ids[j] = i + j;
          threads[k % workers].postMessage(ids, [ids.buffer]);
        }
      });
    },
    close: () => Promise.all(threads.map((t) => t.terminate())),
  };
}

/**
 * What a postMessage() costs the sending thread (p50 µs) when the receiving thread sleeps in its event loop
 * (the post must wake it: the kernel, and on a VM the hypervisor) and when it is busy on a core (no wake-up).
 * A worker reporting a batch to an idle main thread pays the first.
 */
export async function wakeCost(count = 300, gapMs = 1) {
  const worker = await start('wake-cost');
  const answer = () => new Promise((resolve) => {
    const onMessage = (message) => {
      if (!message.took) return; // one of the timed posts
      worker.off('message', onMessage);
      resolve(median(message.took));
    };
    worker.on('message', onMessage);
    worker.postMessage({ count, gapMs });
  });
  try {
    const asleepUs = await answer();
    let spinning = true;
    const spin = () => {
      const end = performance.now() + 20;
      while (performance.now() < end);
      if (spinning) setImmediate(spin); // the posts land during the spin; the turn between lets them in
    };
    spin();
    const awakeUs = await answer().finally(() => (spinning = false));
    return { asleepUs, awakeUs };
  } finally {
    await worker.terminate();
  }
}

/** `workers` idle echo threads, online: what terminating threads costs with no pool and nothing loaded. */
export async function rawThreads(workers) {
  const threads = await Promise.all(Array.from({ length: workers }, () => start('echo-port')));
  return { close: () => Promise.all(threads.map((t) => t.terminate())) };
}

/**
 * `workers` threads that each run their share of n hash tasks in a loop, told once and answering once: the
 * CPU-bound mix with no pool. Resolves to every task's duration (ms).
 */
export async function rawHashThreads(workers) {
  const threads = await Promise.all(Array.from({ length: workers }, () => start('hash-loop')));
  return {
    async run(n, rounds) {
      const shares = threads.map((_, i) => Math.floor(n / workers) + (i < n % workers ? 1 : 0));
      const answers = threads.map((t) => new Promise((resolve) => t.once('message', resolve)));
      threads.forEach((t, i) => t.postMessage({ count: shares[i], rounds }));
      return (await Promise.all(answers)).flatMap((durations) => [...durations]);
    },
    close: () => Promise.all(threads.map((t) => t.terminate())),
  };
}

/** Round trips on an idle thread: MessagePort echo. Returns a function measuring one trip in µs. */
export async function rawPortPing() {
  const worker = await start('echo-port');
  return {
    async ping() {
      const t0 = performance.now();
      await new Promise((resolve) => {
        worker.once('message', resolve);
        worker.postMessage(1);
      });
      return (performance.now() - t0) * 1000;
    },
    close: () => worker.terminate(),
  };
}

/** Round trips through shared memory: the worker parks in Atomics.wait; the main thread blocks for the answer. */
export async function rawSabPing() {
  const sab = new SharedArrayBuffer(8);
  const cell = new Int32Array(sab);
  const worker = await start('echo-sab', { sab });
  let seq = 0;
  return {
    async ping() {
      const t0 = performance.now();
      seq++;
      Atomics.store(cell, 0, seq);
      Atomics.notify(cell, 0);
      while (Atomics.load(cell, 1) !== seq) Atomics.wait(cell, 1, seq - 1, 50);
      return (performance.now() - t0) * 1000;
    },
    async close() {
      Atomics.store(cell, 0, -1);
      Atomics.notify(cell, 0);
      await worker.terminate();
    },
  };
}

/**
 * One writer thread streaming `n` small messages { i } to the main thread, which touches each one (sums `i`).
 * Modes: 'port-single', 'port-batched', 'msgpack-batched', 'sab'.
 */
export async function rawStream(mode, batch = 1024) {
  const control = new SharedArrayBuffer(8);
  const ring = new SharedArrayBuffer(4 * (1 << 16));
  const worker = await start(`stream-${mode}`, mode === 'sab' ? { control, ring } : {});
  const packr = new Packr({ structuredClone: true });
  return {
    run(n) {
      if (mode === 'sab') {
        worker.postMessage({ n, batch });
        const c = new Int32Array(control);
        const r = new Int32Array(ring);
        const mask = r.length - 1;
        let head = Atomics.load(c, 0);
        const end = head + n;
        let sum = 0;
        while (head < end) {
          const tail = Atomics.load(c, 1);
          if (tail === head) {
            Atomics.wait(c, 1, tail, 50);
            continue;
          }
          for (; head < tail; head++) sum += r[head & mask];
          Atomics.store(c, 0, head);
          Atomics.notify(c, 0);
        }
        return Promise.resolve(sum);
      }
      return new Promise((resolve) => {
        let got = 0;
        let sum = 0;
        const onMessage =
          mode === 'port-single'
            ? (m) => {
                sum += m.i;
                if (++got === n) done();
              }
            : (m) => {
                const items = mode === 'msgpack-batched' ? packr.unpack(m) : m;
                for (const item of items) sum += item.i;
                got += items.length;
                if (got === n) done();
              };
        const done = () => {
          worker.off('message', onMessage);
          resolve(sum);
        };
        worker.on('message', onMessage);
        worker.postMessage({ n, batch });
      });
    },
    close: () => worker.terminate(),
  };
}
