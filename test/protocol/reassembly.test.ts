/** FrameDecoder over a byte stream: frames split across chunks however the stream was cut. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, FrameType, FrameWriter, encodeFrame, spawn, type Frame } from 'tasklane/protocol';
import { concat, cut, decodeChunks, fromHex, protocolErrorOf } from './helpers.js';

/** One task's traffic in both directions, with frames without payload and frames of a few hundred bytes. */
const frames: Frame[] = [
  { type: FrameType.Done, payload: [0, 0, { tasks: ['hashFile', 'walk'] }, 0] },
  { type: FrameType.Done, payload: [1, 'walk', ['data'], 0] },
  { type: FrameType.Started, payload: 1 },
  { type: spawn(0), payload: ['walk', ['data/sub']] },
  { type: spawn(1), payload: ['hashFile', ['data/a.txt']] },
  { type: FrameType.SpawnAck, payload: 2 },
  { type: FrameType.Message, payload: { path: 'data/a.txt', digest: 'x'.repeat(300), at: new Date(0) } },
  { type: FrameType.Message, payload: 1 },
  { type: FrameType.Cancel, payload: 1 },
  { type: FrameType.Done, payload: [1, 0, 'digest', 3] },
  { type: FrameType.Message, payload: new Map([[1, new Set([2n])]]) },
  { type: FrameType.Done, payload: undefined },
];
const stream = concat(frames.map((f) => encodeFrame(f.type, f.payload)));
/** Byte offset where each frame starts. */
const starts = frames.map((_, i) => concat(frames.slice(0, i).map((f) => encodeFrame(f.type, f.payload))).length);
/** Byte offset just after each frame. */
const ends = starts.map((_, i) => starts[i + 1] ?? stream.length);

describe('reassembly', () => {
  it('one chunk holding every frame', () => {
    assert.deepStrictEqual(decodeChunks([stream]), frames);
  });

  it('the stream cut in two at every position', () => {
    for (let at = 0; at <= stream.length; at++) {
      const decoder = new FrameDecoder();
      const [a, b] = cut(stream, [at]);
      const first = decoder.push(a!);
      // the first chunk completes exactly the frames that end at or before the cut, and keeps the rest
      const completed = ends.filter((e) => e <= at).length;
      assert.equal(first.length, completed, `frames from the first chunk, cut at ${at}`);
      assert.equal(decoder.bufferedBytes, at - (completed > 0 ? ends[completed - 1]! : 0), `buffered, cut at ${at}`);
      const second = decoder.push(b!);
      assert.deepStrictEqual([...first, ...second], frames, `cut at ${at}`);
      assert.equal(decoder.bufferedBytes, 0);
    }
  });

  it('byte by byte', () => {
    const decoder = new FrameDecoder();
    const out: Frame[] = [];
    for (let i = 0; i < stream.length; i++) {
      const got = decoder.push(stream.subarray(i, i + 1));
      // a frame completes exactly on its last byte
      assert.equal(got.length, ends.includes(i + 1) ? 1 : 0, `byte ${i}`);
      assert.equal(decoder.bufferedBytes, i + 1 - Math.max(0, ...ends.filter((e) => e <= i + 1)), `buffered at byte ${i}`);
      out.push(...got);
    }
    assert.deepStrictEqual(out, frames);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('a length prefix split across two and three chunks, at every split of the header', () => {
    const at = starts[3]!; // a spawn frame's header
    for (const parts of [[1], [2], [3], [1, 2], [1, 3], [2, 3], [1, 2, 3]]) {
      const chunks = cut(stream, [at - 1, ...parts.map((p) => at + p)]);
      assert.deepStrictEqual(decodeChunks(chunks), frames, `header cut after ${parts.join(', ')} bytes`);
    }
  });

  it('the stream cut in three at every pair of positions in the first 80 bytes', () => {
    for (let i = 0; i <= 80; i++) {
      for (let j = i; j <= 80; j++) assert.deepStrictEqual(decodeChunks(cut(stream, [i, j])), frames, `cuts ${i}, ${j}`);
    }
  });

  it('bufferedBytes counts a received length prefix, so a stream cut after it is seen as truncated', () => {
    const frame = encodeFrame(FrameType.Started, 1);
    for (let n = 1; n < frame.length; n++) {
      const decoder = new FrameDecoder();
      assert.deepStrictEqual(decoder.push(frame.subarray(0, n)), []);
      assert.equal(decoder.bufferedBytes, n, `after ${n} of ${frame.length} bytes`);
    }
  });

  it('empty chunks change nothing, wherever they come', () => {
    const decoder = new FrameDecoder();
    const out: Frame[] = [];
    for (const chunk of cut(stream, [0, 2, 2, 4, 4, 5, 5, 40, 40, stream.length])) {
      out.push(...decoder.push(chunk));
      assert.deepStrictEqual(decoder.push(new Uint8Array(0)), []);
    }
    assert.deepStrictEqual(out, frames);
  });

  it('FrameWriter batches pushed whole, then cut at random-looking points', () => {
    const writer = new FrameWriter(32);
    for (const f of frames) writer.write(f.type, f.payload);
    const batch = writer.take()!;
    assert.deepStrictEqual(decodeChunks(cut(batch, [7, 13, 100, 101, 102, 333])), frames);
  });

  it('a 1 MiB payload pushed in 64 KiB chunks, between small frames', () => {
    const payload = new Uint8Array(1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) & 0xff;
    const expected: Frame[] = [
      { type: FrameType.Started, payload: 9 },
      { type: FrameType.Message, payload },
      { type: FrameType.Done, payload: [9, 0, null, 1] },
    ];
    const bytes = concat(expected.map((f) => encodeFrame(f.type, f.payload)));
    const decoder = new FrameDecoder();
    const out: Frame[] = [];
    const chunk = 64 * 1024;
    for (let at = 0; at < bytes.length; at += chunk) {
      const got = decoder.push(bytes.subarray(at, at + chunk));
      out.push(...got);
      if (at + chunk < bytes.length) {
        assert.equal(out.length, 1, 'the big frame completes only with its last chunk');
        const firstFrameBytes = encodeFrame(FrameType.Started, 9).length;
        assert.equal(decoder.bufferedBytes, at + chunk - firstFrameBytes);
      }
    }
    assert.equal(out.length, 3);
    assert.deepStrictEqual(out, expected);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('decoded payloads do not share memory with the chunks they came from', () => {
    // Uint8Array travels as a typed-array extension, Buffer and other peers' bytes as msgpack bin
    const cases: Array<[Uint8Array, Uint8Array]> = [
      [encodeFrame(FrameType.Message, new Uint8Array([1, 2, 3, 4])), new Uint8Array([1, 2, 3, 4])],
      [encodeFrame(FrameType.Message, Buffer.from([5, 6, 7, 8])), new Uint8Array([5, 6, 7, 8])],
      [encodeFrame(FrameType.Message, { raw: Buffer.from([9, 10]) }), new Uint8Array([9, 10])],
      [fromHex('05 00 00 00 6d c4 02 0b 0c'), new Uint8Array([11, 12])], // bin 8, as any msgpack peer writes bytes
    ];
    for (const [frame, bytes] of cases) {
      for (const chunks of [[frame], cut(frame, [6])]) {
        const copy = chunks.map((c) => c.slice());
        const [decoded] = decodeChunks(copy);
        for (const c of copy) c.fill(0);
        const payload = decoded!.payload as Uint8Array | { raw: Uint8Array };
        assert.deepStrictEqual(new Uint8Array('raw' in payload ? payload.raw : payload), bytes);
      }
    }
  });

  it('decodes payloads in place without changing the chunk as the caller sees it', () => {
    const chunk = cut(stream, [])[0]!; // a view at a non-zero byteOffset into a larger buffer
    const before = chunk.slice();
    assert.deepStrictEqual(new FrameDecoder().push(chunk), frames);
    assert.deepStrictEqual(chunk, before, 'same bytes and no enumerable property added');
  });

  it('a payload cut inside a header fails with the same reason whatever follows its frame', () => {
    // 'n' holding c4 (bin8 without its length byte); msgpackr reads the length from the next frame if it can
    const alone = protocolErrorOf(() => new FrameDecoder().push(fromHex('02 00 00 00 6e c4')));
    const followed = protocolErrorOf(() => new FrameDecoder().push(fromHex('02 00 00 00 6e c4  01 00 00 00 6e')));
    assert.match(alone.reason, /^payload of 'n' frame does not decode: /);
    assert.equal(followed.reason, alone.reason);
    assert.equal(followed.offset, 0);
  });

  it('a payload is read up to its own frame end, never into the next frame', () => {
    // 'm' holding an array of 2 with 1 element, then 'n' 5: the next frame's bytes must not complete the array
    const error = protocolErrorOf(() => new FrameDecoder().push(fromHex('03 00 00 00 6d 92 01  02 00 00 00 6e 05')));
    assert.match(error.reason, /^payload of 'm' frame does not decode: Unexpected end of MessagePack data$/);
    assert.equal(error.offset, 0);
  });
});
