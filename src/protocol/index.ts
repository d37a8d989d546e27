/** The public wire codec: `import { FrameType, encodeFrame, FrameDecoder, ProtocolError } from 'tasklane/protocol'`. */
export { FrameType, spawn, isSpawn, spawnPriority, isKnownFrameType, frameTypeName, MAX_SPAWN_PRIORITY } from './frame-type.js';
export { encodeFrame, FrameWriter, HEADER_BYTES, MAX_FRAME_LENGTH } from './encode.js';
export { FrameDecoder, type Frame, type FrameDecoderOptions, type FrameHandler, type DecodeFailure } from './decode.js';
export { ProtocolError } from './protocol-error.js';
export { packPayload, unpackPayload } from './payload-codec.js';
export { Outcome, HELLO_TASK_ID, type OutcomeCode, type RunPayload, type DonePayload, type SpawnPayload, type HelloValue } from './payloads.js';
