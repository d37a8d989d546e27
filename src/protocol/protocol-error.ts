/** A frame that breaks the wire protocol: bad length, unknown type, or a payload that does not decode. */
export class ProtocolError extends Error {
  /** What was wrong, without the offset: `'unknown frame type 0x41'`. */
  readonly reason: string;
  /** Byte offset in the stream (counted from the first byte ever pushed) where the bad frame starts. */
  readonly offset: number;

  constructor(reason: string, offset: number, options?: { cause?: unknown }) {
    super(`protocol error at byte ${offset}: ${reason}`, options);
    this.name = 'ProtocolError';
    this.reason = reason;
    this.offset = offset;
  }
}
