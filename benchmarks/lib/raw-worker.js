// The raw transport ceiling: one worker thread and the main thread, no pool, no protocol. `workerData.mode`:
//   echo-port     answers every message with itself (round trips; batched no-op "tasks")
//   echo-sab      answers a sequence number written to shared memory, parked in Atomics.wait between pings
//   stream-*      sends { n } small messages { i } to the main thread, as fast as it can:
//                 port-single (one post each), port-batched (arrays of `batch`), msgpack-batched (msgpackr-packed
//                 arrays, buffers transferred), sab (u32 records in a shared ring, published every `batch`)
//   hash-loop     runs `count` hash tasks back to back and answers their durations: the CPU-bound mix with no
//                 pool and no messages at all (the machine's own floor for that benchmark)
//   wake-cost     posts `count` small buffers, `gapMs` of spinning apart, and answers how long each
//                 postMessage() took (µs): what waking the receiving thread costs the sender
import { parentPort, workerData } from 'node:worker_threads';
import { Packr } from 'msgpackr';
import { hashWork } from './work.js';

const { mode } = workerData;

if (mode === 'echo-port') {
  parentPort.on('message', (message) => {
    if (message instanceof Uint32Array) parentPort.postMessage(message, [message.buffer]);
    else parentPort.postMessage(message);
  });
} else if (mode === 'wake-cost') {
  parentPort.on('message', ({ count, gapMs }) => {
    const took = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const end = performance.now() + gapMs;
      while (performance.now() < end); // on a core, so only the receiver may be asleep
      const bytes = new Uint8Array(64);
      const start = process.hrtime.bigint();
      parentPort.postMessage(bytes, [bytes.buffer]);
      took[i] = Number(process.hrtime.bigint() - start) / 1000;
    }
    parentPort.postMessage({ took }, [took.buffer]);
  });
} else if (mode === 'hash-loop') {
  parentPort.on('message', ({ count, rounds }) => {
    const durations = new Float64Array(count);
    for (let i = 0; i < count; i++) durations[i] = hashWork(rounds);
    parentPort.postMessage(durations, [durations.buffer]);
  });
} else if (mode === 'echo-sab') {
  const cell = new Int32Array(workerData.sab); // [0] ping sequence (main writes), [1] pong sequence (we write)
  let seen = 0;
  for (;;) {
    Atomics.wait(cell, 0, seen);
    const ping = Atomics.load(cell, 0);
    if (ping < 0) break;
    seen = ping;
    Atomics.store(cell, 1, ping);
    Atomics.notify(cell, 1);
  }
} else {
  parentPort.on('message', ({ n, batch }) => {
    if (mode === 'stream-port-single') {
      for (let i = 0; i < n; i++) parentPort.postMessage({ i });
    } else if (mode === 'stream-port-batched') {
      for (let i = 0; i < n; ) {
        const size = Math.min(batch, n - i);
        const out = new Array(size);
        for (let j = 0; j < size; j++) out[j] = { i: i + j };
        parentPort.postMessage(out);
        i += size;
      }
    } else if (mode === 'stream-msgpack-batched') {
      const packr = new Packr({ structuredClone: true });
      for (let i = 0; i < n; ) {
        const size = Math.min(batch, n - i);
        const out = new Array(size);
        for (let j = 0; j < size; j++) out[j] = { i: i + j };
        const bytes = packr.pack(out).slice();
        parentPort.postMessage(bytes, [bytes.buffer]);
        i += size;
      }
    } else if (mode === 'stream-sab') {
      const control = new Int32Array(workerData.control); // [0] head (reader), [1] tail (writer)
      const ring = new Int32Array(workerData.ring);
      const mask = ring.length - 1;
      let tail = Atomics.load(control, 1);
      for (let i = 0; i < n; i++) {
        for (;;) {
          const head = Atomics.load(control, 0);
          if (tail - head < ring.length) break;
          Atomics.wait(control, 0, head, 10);
        }
        ring[tail & mask] = i;
        tail++;
        if (tail % batch === 0 || i === n - 1) {
          Atomics.store(control, 1, tail);
          Atomics.notify(control, 1);
        }
      }
    }
  });
}
