/** Property tests (fast-check): the decoder's result does not depend on how the stream was cut. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FrameDecoder,
  FrameType,
  FrameWriter,
  MAX_FRAME_LENGTH,
  ProtocolError,
  encodeFrame,
  frameTypeName,
  isKnownFrameType,
  unpackPayload,
  type Frame,
} from 'tasklane/protocol';
import { concat, cut, decodeChunks, lengthPrefix } from './helpers.js';

const NUM_RUNS = 500;

const knownType = fc.oneof(
  fc.constantFrom(FrameType.Started, FrameType.Done, FrameType.Message, FrameType.SpawnAck, FrameType.Cancel, FrameType.Withdraw),
  fc.integer({ min: 0x80, max: 0xff }),
);

/**
 * Values the payload codec carries exactly. Left out on purpose (see docs/protocol.md): -0 (arrives as 0), a
 * `__proto__` key (arrives as `__proto_`), null-prototype objects (arrive with Object.prototype), array holes.
 */
const leaf = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double().filter((d) => !Object.is(d, -0)),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 16 }),
);
const key = fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__');
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
    // A Map sends its whole payload through the structured-clone ext (see docs/protocol.md)
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((entries) => new Map(entries)),
  ),
}));
const frame: fc.Arbitrary<Frame> = fc.record({
  type: knownType,
  payload: fc.option(value, { nil: undefined, freq: 4 }),
}, { noNullPrototype: true });
/** Cut positions, scaled to a stream of `length` bytes by the test. */
const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('property: encode, concatenate, cut anywhere, decode', () => {
  it('gives back exactly the original frames, in order, from any chunking', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 12 }), cuts, (frames, positions) => {
        const stream = concat(frames.map((f) => encodeFrame(f.type, f.payload)));
        const chunks = cut(stream, positions.map((p) => p % (stream.length + 1)));
        const decoder = new FrameDecoder();
        assert.deepStrictEqual(decodeChunks(chunks, decoder), frames);
        assert.equal(decoder.bufferedBytes, 0);
        // pushTo hands over the same frames, in the same order
        const handed: Frame[] = [];
        const other = new FrameDecoder();
        for (const chunk of chunks) other.pushTo(chunk, (type, payload) => void handed.push({ type, payload }));
        assert.deepStrictEqual(handed, frames);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('FrameWriter writes the same bytes as encodeFrame, concatenated', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 12 }), fc.nat({ max: 64 }), (frames, capacity) => {
        const writer = new FrameWriter(capacity);
        for (const f of frames) writer.write(f.type, f.payload);
        assert.equal(writer.frameCount, frames.length);
        const expected = concat(frames.map((f) => encodeFrame(f.type, f.payload)));
        assert.deepStrictEqual(writer.take() ?? new Uint8Array(0), expected);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

/** `provenAt`: how many bytes of the stream prove the error (the decoder must throw as soon as it has them). */
type Outcome = { frames: Frame[]; error?: { reason: string; offset: number; provenAt: number }; partial: number };

/** A reference model of the decoder, written from the protocol text: the outcome of a whole stream. */
function model(stream: Uint8Array, max: number): Outcome {
  const frames: Frame[] = [];
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  let at = 0;
  const fail = (reason: string, proof: number): Outcome => ({
    frames,
    error: { reason, offset: at, provenAt: at + proof },
    partial: 0,
  });
  while (at < stream.length) {
    if (stream.length - at < 4) return { frames, partial: stream.length - at };
    const length = view.getUint32(at, true);
    if (length === 0) return fail('frame length 0 (a frame holds at least its type byte)', 4);
    if (length > max) return fail(`frame length ${length} exceeds the maximum of ${max} bytes`, 4);
    const type = stream[at + 4];
    if (type !== undefined && !isKnownFrameType(type)) return fail(`unknown frame type ${frameTypeName(type)}`, 5);
    if (stream.length - at - 4 < length) return { frames, partial: stream.length - at };
    let payload: unknown;
    if (length > 1) {
      try {
        payload = unpackPayload(stream.subarray(at + 5, at + 4 + length));
      } catch (cause) {
        return fail(`payload of ${frameTypeName(type!)} frame does not decode: ${(cause as Error).message}`, 4 + length);
      }
    }
    frames.push({ type: type!, payload });
    at += 4 + length;
  }
  return { frames, partial: 0 };
}

/** Well-formed frames, random bytes, and headers with small random lengths, types and bodies. */
const segment = fc.oneof(
  frame.map((f) => encodeFrame(f.type, f.payload)),
  fc.uint8Array({ maxLength: 12 }),
  fc
    .tuple(fc.nat({ max: 40 }), fc.oneof(knownType, fc.nat({ max: 255 })), fc.uint8Array({ maxLength: 40 }))
    .map(([length, type, body]) => concat([lengthPrefix(length), Uint8Array.of(type), body])),
);

describe('property: arbitrary bytes', () => {
  it('throw only ProtocolError, when and where the model says, for any chunking; nothing buffered beyond input', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 6 }),
        cuts,
        fc.constantFrom(undefined, 16, 100, 4096),
        (segments, positions, maxFrameLength) => {
          const stream = concat(segments);
          const expected = model(stream, maxFrameLength ?? MAX_FRAME_LENGTH);
          const decoder = new FrameDecoder(maxFrameLength === undefined ? {} : { maxFrameLength });
          const frames: Frame[] = [];
          let pushed = 0;
          let error: ProtocolError | undefined;
          for (const chunk of cut(stream, positions.map((p) => p % (stream.length + 1)))) {
            pushed += chunk.length;
            try {
              frames.push(...decoder.push(chunk)); // returns: a hang would stop the test run here
              assert.ok(decoder.bufferedBytes <= pushed && decoder.bufferedBytes <= 4 + (maxFrameLength ?? MAX_FRAME_LENGTH));
            } catch (e) {
              if (!(e instanceof ProtocolError)) throw e;
              if (error) assert.equal(e, error, 'a failed decoder throws the same error again');
              else frames.push(...((e as { frames?: Frame[] }).frames ?? []));
              error = e;
              assert.ok(e.offset >= 0 && e.offset < pushed, 'the offset is inside the data given');
            }
            const due = expected.error !== undefined && pushed >= expected.error.provenAt;
            assert.equal(error !== undefined, due, `error thrown as soon as proven, not before (${pushed} bytes in)`);
          }
          assert.deepStrictEqual(frames, expected.frames);
          const { provenAt: _, ...expectedError } = expected.error ?? {};
          assert.deepStrictEqual(error && { reason: error.reason, offset: error.offset }, expected.error && expectedError);
          if (!error) assert.equal(decoder.bufferedBytes, expected.partial);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
