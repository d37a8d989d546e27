/**
 * A thread's last frames are handled before its end. piscina reports a thread's end on a port of its own; the
 * frames travel on ours, and the two are not ordered. Here a stand-in pool posts frames and settles its task in
 * the same turn, the tightest case: the end is seen (a microtask) before the port delivers anything (a later turn
 * of the event loop).
 */
import assert from 'node:assert/strict';
import type { MessagePort } from 'node:worker_threads';
import { describe, it } from 'node:test';
import type { Piscina } from 'piscina';
import { FrameType, encodeFrame } from 'tasklane/protocol';
import { ThreadTransport } from '../../src/manager/transport/thread-transport.js';

/** A pool whose one "thread" posts `frames` on its port, then ends with `outcome` at once. */
function poolThatPostsThenEnds(frames: Uint8Array[], outcome: 'returns' | 'throws'): Piscina {
  const run = ({ port }: { port: MessagePort }): Promise<void> => {
    for (const frame of frames) port.postMessage(frame);
    return outcome === 'returns' ? Promise.resolve() : Promise.reject(new Error('the thread crashed'));
  };
  return { run } as unknown as Piscina;
}

function startTransport(pool: Piscina) {
  const events: string[] = [];
  const transport = new ThreadTransport(pool, { workerId: 1, taskModules: [], priorityLevels: 2, sendWindow: 16, workerConsole: 'inherit' }, {
    onData: (chunk) => events.push(`data ${chunk.length}`),
    onExit: (error) => events.push(`exit ${error?.message ?? 'clean'}`),
  });
  return { transport, events };
}

describe('a thread that ends right after posting', () => {
  const frames = [encodeFrame(FrameType.Message, 'last words'), encodeFrame(FrameType.Done, [7, 0, null, 1])];
  const expected = frames.map((frame) => `data ${frame.length}`);

  for (const outcome of ['returns', 'throws'] as const) {
    it(`hands over every frame it posted before its end (its task ${outcome})`, async () => {
      const { transport, events } = startTransport(poolThatPostsThenEnds(frames, outcome));
      await transport.ended;
      assert.deepStrictEqual(events, [...expected, outcome === 'returns' ? 'exit clean' : 'exit the thread crashed']);
    });
  }

  it('after terminate(), frames still on the port are not handed over: the worker counts as gone', async () => {
    let post: (() => void) | undefined;
    let end: (() => void) | undefined;
    const pool = {
      run: ({ port }: { port: MessagePort }) => {
        post = () => port.postMessage(frames[0]);
        return new Promise<void>((resolve) => (end = resolve));
      },
    } as unknown as Piscina;
    const { transport, events } = startTransport(pool);
    post!();
    const terminated = transport.terminate(new Error('killed'));
    end!(); // piscina settles the task once the thread is terminated
    await terminated;
    assert.deepStrictEqual(events, ['exit killed']);
  });
});
