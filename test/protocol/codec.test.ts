/**
 * Frame encoding and decoding: every frame type tasklane sends, exact bytes, spawn(), FrameWriter batching.
 * Reassembly, errors and property tests are in the sibling files.
 */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import {
  FrameType,
  FrameDecoder,
  FrameWriter,
  HELLO_TASK_ID,
  MAX_FRAME_LENGTH,
  Outcome,
  encodeFrame,
  spawn,
  type DonePayload,
  type Frame,
  type RunPayload,
  type SpawnPayload,
} from 'tasklane/protocol';
import { concat, decodeChunks, hex } from './helpers.js';

/** encode -> decode one frame, checking the decoder used every byte and kept none. */
function roundTrip(type: number, payload?: unknown): Frame {
  const bytes = encodeFrame(type, payload);
  assert.equal(new DataView(bytes.buffer).getUint32(0, true), bytes.length - 4, 'length prefix = body length');
  assert.equal(bytes[4], type, 'type byte after the prefix');
  const decoder = new FrameDecoder();
  const frames = decoder.push(bytes);
  assert.equal(frames.length, 1);
  assert.equal(decoder.bufferedBytes, 0);
  assert.equal(frames[0]!.type, type);
  return frames[0]!;
}

const anyMessage = {
  path: 'data/a.txt',
  nested: { deep: { list: [1, 'two', null, true, 3.25, -7] }, empty: {} },
  map: new Map<unknown, unknown>([
    ['k', 1],
    [2, { x: [1, 2] }],
  ]),
  set: new Set(['a', 1, 2.5]),
  date: new Date('2024-05-06T07:08:09.010Z'),
  big: 12345678901234567890123n,
  negBig: -42n,
  bytes: new Uint8Array([0, 1, 254, 255]),
  withUndefined: [1, undefined, 3, undefined],
  unicode: 'héllo \u0000 😀',
};

describe('round trip, worker -> manager', () => {
  it("'n' started: task id", () => {
    for (const id of [1, 255, 65_536, 2 ** 32 + 5]) {
      assert.deepEqual(roundTrip(FrameType.Started, id), { type: 0x6e, payload: id });
    }
  });

  it("'t' done: [taskId, outcome, value, sentCount] for ok, error and not run, and the hello frame", () => {
    assert.deepStrictEqual(Outcome, { Ok: 0, Failed: 1, NotRun: 2 });
    assert.equal(HELLO_TASK_ID, 0);
    const error = {
      name: 'TypeError',
      message: 'bad path',
      stack: 'TypeError: bad path\n    at walk (tasks.js:3:9)',
      code: 'ERR_BAD',
      cause: { name: 'Error', message: 'root' },
    };
    const cases: DonePayload[] = [
      [17, Outcome.Ok, { path: 'a.txt', digest: 'e3b0c442' }, 3],
      [18, Outcome.Ok, undefined, 0],
      [19, Outcome.Failed, error, 1],
      [20, Outcome.NotRun, null, 0],
      [HELLO_TASK_ID, Outcome.Ok, { tasks: ['hashFile', 'walk', 'tasklane:chain'] }, 0],
    ];
    for (const payload of cases) assert.deepEqual(roundTrip(FrameType.Done, payload), { type: 0x74, payload });
  });

  it("'m' message: nested objects, Map, Set, Date, BigInt, Uint8Array, undefined inside arrays", () => {
    const frame = roundTrip(FrameType.Message, anyMessage);
    assert.deepStrictEqual(frame.payload, anyMessage);
    const back = frame.payload as typeof anyMessage;
    assert.ok(back.map instanceof Map && back.set instanceof Set && back.date instanceof Date);
    assert.equal(Object.getPrototypeOf(back.bytes), Uint8Array.prototype);
    assert.equal(back.withUndefined.length, 4);
    assert.ok(1 in back.withUndefined, 'undefined is a value, not a hole');
  });

  it("'m' message: scalars and null", () => {
    for (const payload of [0, -1, 1.5, 'text', '', true, false, null, 2n ** 64n, [], {}]) {
      assert.deepStrictEqual(roundTrip(FrameType.Message, payload).payload, payload);
    }
  });

  it('spawn(p) for p = 0, 1, 127: [name, args]', () => {
    for (const p of [0, 1, 127]) {
      const payload: SpawnPayload = ['hashFile', ['data/b.txt', { follow: false }]];
      assert.deepStrictEqual(roundTrip(spawn(p), payload), { type: 0x80 + p, payload });
    }
  });
});

describe('round trip, manager -> worker', () => {
  it("'t' run: [taskId, name, args, priority]", () => {
    const payload: RunPayload = [7, 'walk', ['data', new Map([['depth', 2]])], 1];
    assert.deepStrictEqual(roundTrip(FrameType.Done, payload), { type: 0x74, payload });
  });

  it("'t' close: no payload, exactly 01 00 00 00 74", () => {
    assert.equal(hex(encodeFrame(FrameType.Done)), '01 00 00 00 74');
    assert.equal(hex(encodeFrame(FrameType.Done, undefined)), '01 00 00 00 74');
    assert.deepStrictEqual(roundTrip(FrameType.Done), { type: 0x74, payload: undefined });
  });

  it("'m' and 's' acks: a count; 'c' cancel and 'w' withdraw: a task id", () => {
    assert.deepStrictEqual(roundTrip(FrameType.Message, 1), { type: 0x6d, payload: 1 });
    assert.deepStrictEqual(roundTrip(FrameType.SpawnAck, 250), { type: 0x73, payload: 250 });
    assert.deepStrictEqual(roundTrip(FrameType.Cancel, 99), { type: 0x63, payload: 99 });
    assert.deepStrictEqual(roundTrip(FrameType.Withdraw, 7), { type: 0x77, payload: 7 });
  });
});

describe('exact bytes', () => {
  it('type codes are the ASCII letters of DESIGN section 2', () => {
    assert.equal(FrameType.Started, 'n'.charCodeAt(0));
    assert.equal(FrameType.Done, 't'.charCodeAt(0));
    assert.equal(FrameType.Message, 'm'.charCodeAt(0));
    assert.equal(FrameType.SpawnAck, 's'.charCodeAt(0));
    assert.equal(FrameType.Cancel, 'c'.charCodeAt(0));
    assert.equal(FrameType.Withdraw, 'w'.charCodeAt(0));
  });

  it('u32 LE length, type byte, msgpack payload', () => {
    assert.equal(hex(encodeFrame(FrameType.Started, 7)), '02 00 00 00 6e 07');
    assert.equal(hex(encodeFrame(FrameType.SpawnAck, 3)), '02 00 00 00 73 03');
    assert.equal(hex(encodeFrame(FrameType.Cancel, 300)), '04 00 00 00 63 cd 01 2c'); // uint16 is big-endian
    assert.equal(hex(encodeFrame(spawn(127), ['a', []])), '05 00 00 00 ff 92 a1 61 90');
    assert.equal(hex(encodeFrame(FrameType.Done, [5, 0, null, 0])), '06 00 00 00 74 94 05 00 c0 00');
    // a plain object is a standard msgpack map (msgpackr writes map16: de 00 01), no msgpackr record
    assert.equal(hex(encodeFrame(FrameType.Message, { hello: 1 })), '0b 00 00 00 6d de 00 01 a5 68 65 6c 6c 6f 01');
  });

  it('the length prefix is little-endian over all four bytes', () => {
    // with structuredClone a Uint8Array is msgpack ext 0x74 (typed array), subtype 01: c8 = ext16, c9 = ext32
    const frame = encodeFrame(FrameType.Message, new Uint8Array(300));
    assert.equal(frame.length, 4 + 1 + 5 + 300);
    assert.equal(hex(frame.subarray(0, 10)), '32 01 00 00 6d c8 01 2d 74 01'); // 306 = 0x132
    const big = encodeFrame(FrameType.Message, new Uint8Array(70_000));
    assert.equal(hex(big.subarray(0, 12)), '78 11 01 00 6d c9 00 01 11 71 74 01'); // 1 + 7 + 70000 = 0x011178
  });

  it('a payload decodes with a fresh msgpackr instance (the other process), even after many object shapes', () => {
    const fresh = () => new Packr({ useRecords: false, moreTypes: true });
    for (let i = 0; i < 100; i++) {
      const value = { [`key${i}`]: i, nested: { [`n${i % 70}`]: [i] } };
      const frame = encodeFrame(FrameType.Message, value);
      assert.deepStrictEqual(fresh().unpack(frame.subarray(5)), value);
    }
  });
});

describe('spawn()', () => {
  it('returns 0x80 + p', () => {
    assert.equal(spawn(0), 0x80);
    assert.equal(spawn(1), 0x81);
    assert.equal(spawn(127), 0xff);
    assert.equal(FrameType.SpawnBase, 0x80);
    assert.equal(FrameType.spawn(5), 0x85, 'also reachable as FrameType.spawn');
    assert.throws(() => FrameType.spawn(128), RangeError);
  });

  it('throws RangeError outside integers 0..127', () => {
    for (const p of [-1, 128, 1.5, NaN, Infinity]) assert.throws(() => spawn(p), RangeError, `spawn(${p})`);
  });
});

describe('encodeFrame()', () => {
  it('throws RangeError for a type outside 0..255', () => {
    for (const type of [-1, 256, 1.5, NaN]) {
      assert.throws(() => encodeFrame(type, 1), RangeError, `type ${type}`);
      assert.throws(() => encodeFrame(type), RangeError, `type ${type}, no payload`);
    }
  });

  it('encodes any byte as a type, known or not (the decoder is what refuses unknown types)', () => {
    assert.equal(hex(encodeFrame(0)), '01 00 00 00 00');
    assert.equal(hex(encodeFrame(255)), '01 00 00 00 ff');
  });

  it('throws RangeError for a frame longer than MAX_FRAME_LENGTH, and accepts one of exactly that length', () => {
    assert.equal(MAX_FRAME_LENGTH, 64 * 1024 * 1024);
    const binHeader = 5; // a Buffer packs as bin32: c6 + u32 length
    const largest = MAX_FRAME_LENGTH - 1 - binHeader;
    assert.throws(() => encodeFrame(FrameType.Message, Buffer.alloc(largest + 1)), RangeError);
    const atMax = encodeFrame(FrameType.Message, Buffer.alloc(largest));
    assert.equal(new DataView(atMax.buffer).getUint32(0, true), MAX_FRAME_LENGTH);
  });

  it('returns a fresh, exact-size buffer each time', () => {
    const a = encodeFrame(FrameType.Started, 1);
    const b = encodeFrame(FrameType.Started, 2);
    assert.notEqual(a.buffer, b.buffer);
    assert.equal(a.buffer.byteLength, a.length);
    assert.equal(hex(a), '02 00 00 00 6e 01');
  });
});

describe('FrameWriter', () => {
  const batch: Array<[number, unknown?]> = [
    [FrameType.Started, 5],
    [FrameType.Message, anyMessage],
    [spawn(3), ['walk', ['data/sub']]],
    [FrameType.Done, [5, 0, 'digest', 2]],
    [FrameType.Done],
  ];

  it('batches several frames into the bytes encodeFrame gives, and one push decodes them all', () => {
    const writer = new FrameWriter(16); // small, so that it has to grow
    for (const [type, payload] of batch) writer.write(type, payload);
    assert.equal(writer.frameCount, batch.length);
    const expected = concat(batch.map(([type, payload]) => encodeFrame(type, payload)));
    assert.equal(writer.byteLength, expected.length);
    const bytes = writer.take()!;
    assert.deepStrictEqual(bytes, expected);
    assert.equal(bytes.buffer.byteLength, bytes.length, 'exact size, safe to transfer');
    const frames = new FrameDecoder().push(bytes);
    assert.deepStrictEqual(frames, batch.map(([type, payload]) => ({ type, payload })));
  });

  it('take() returns undefined when empty and resets the counts', () => {
    const writer = new FrameWriter();
    assert.equal(writer.take(), undefined);
    writer.write(FrameType.SpawnAck, 2);
    writer.write(FrameType.Message, 1);
    assert.equal(writer.frameCount, 2);
    assert.equal(writer.byteLength, 12);
    assert.equal(hex(writer.take()!), '02 00 00 00 73 02 02 00 00 00 6d 01');
    assert.equal(writer.frameCount, 0);
    assert.equal(writer.byteLength, 0);
    assert.equal(writer.take(), undefined);
  });

  it('a taken buffer is a copy: later writes do not change it', () => {
    const writer = new FrameWriter(64);
    writer.write(FrameType.Started, 1);
    const first = writer.take()!;
    writer.write(FrameType.Started, 2);
    assert.equal(hex(first), '02 00 00 00 6e 01');
    assert.equal(hex(writer.take()!), '02 00 00 00 6e 02');
  });

  it('grows from any initial capacity, including 0', () => {
    // in a child process with a deadline, since the failure this guards against is an endless loop
    const script = `import { FrameWriter } from 'tasklane/protocol';
      const writer = new FrameWriter(0); writer.write(0x74); writer.write(0x6e, 1);
      process.stdout.write(Buffer.from(writer.take()).toString('hex'));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)), // the package root, where 'tasklane' resolves
      timeout: 10_000,
      encoding: 'utf8',
    });
    assert.equal(child.error, undefined, 'FrameWriter(0).write() returned');
    assert.equal(child.stdout, '0100000074' + '020000006e01');
    for (const capacity of [1, 5]) {
      const writer = new FrameWriter(capacity);
      for (const [type, payload] of batch) writer.write(type, payload);
      assert.deepStrictEqual(decodeChunks([writer.take()!]), batch.map(([type, payload]) => ({ type, payload })));
    }
  });

  it('copies each payload out of the codec before the next one overwrites it, across the codec buffer\'s wrap', () => {
    // The writer copies straight from msgpackr's pooled 8 KiB buffer: thousands of frames of every size make it
    // wrap and reallocate; a Map goes through the structured-clone path, a long string past the short-copy loop.
    const payloads: unknown[] = [];
    for (let i = 0; i < 3000; i++) {
      const kind = i % 5;
      payloads.push(kind === 0 ? { i } : kind === 1 ? 'x'.repeat(i % 300) : kind === 2 ? new Map([[i, [i]]]) : kind === 3 ? new Uint8Array(i * 7) : [i, `n${i}`, { deep: { i } }]);
    }
    const writer = new FrameWriter(32);
    for (const payload of payloads) writer.write(FrameType.Message, payload);
    const bytes = writer.take()!;
    assert.deepStrictEqual(bytes, concat(payloads.map((payload) => encodeFrame(FrameType.Message, payload))));
    assert.deepStrictEqual(new FrameDecoder().push(bytes).map((frame) => frame.payload), payloads);
  });

  it('a rejected write writes nothing', () => {
    const writer = new FrameWriter();
    writer.write(FrameType.Started, 1);
    assert.throws(() => writer.write(256, 1), RangeError);
    assert.throws(() => writer.write(FrameType.Message, Symbol('no')));
    assert.equal(writer.frameCount, 1);
    assert.equal(hex(writer.take()!), '02 00 00 00 6e 01');
  });
});
