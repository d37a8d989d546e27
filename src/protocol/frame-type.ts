/**
 * The type byte that follows every frame's length prefix (DESIGN section 2).
 *
 * Letters are ASCII so a hex dump reads like the protocol: `n`tarted, `t`ask, `m`essage, `s`pawn ack, `c`ancel,
 * `w`ithdraw.
 * Every byte from 0x80 up is a spawn: `0x80 + p` spawns a subtask at priority `p` (0..127).
 */
export const FrameType = {
  /** worker -> manager: a task started. Payload: task id. */
  Started: 0x6e,
  /**
   * worker -> manager: a task finished and the worker is ready for more (payload: [id, outcome, value, sent]).
   * manager -> worker: run this task (payload: [id, name, args]), or close (no payload).
   */
  Done: 0x74,
  /** worker -> manager: a message for the inbox. manager -> worker: acknowledge `count` messages. */
  Message: 0x6d,
  /** manager -> worker: acknowledge `count` spawns. */
  SpawnAck: 0x73,
  /**
   * manager -> worker: cancel task `id` (payload: id). An extension of DESIGN section 2, which has no frame for
   * `manager.cancel(id)` or the `cancel` close policy: a task not yet started is answered with a `t` frame whose
   * outcome is "not run"; a running one has its `ctx.signal` aborted.
   */
  Cancel: 0x63,
  /**
   * manager -> worker: give task `id` back if it has not started (payload: id), for a worker that has none. An
   * extension like Cancel: a task the worker holds but has not started is answered with a "not run" `t`, and the
   * manager queues it again; a task running or finished is left alone.
   */
  Withdraw: 0x77,
  /** The first spawn type: `0x80 + p` for priority `p`. */
  SpawnBase: 0x80,
  /** The type byte of a spawn at priority `p`: `0x80 + p` (the same function as the `spawn` export). */
  spawn: (priority: number): number => spawn(priority),
} as const;

export type FrameTypeCode = number;

/** The highest priority level a spawn frame can name (0x80 + 127 = 0xFF). */
export const MAX_SPAWN_PRIORITY = 127;

/** The type byte of a spawn at priority `priority`; throws a RangeError outside 0..127. */
export function spawn(priority: number): number {
  if (!Number.isInteger(priority) || priority < 0 || priority > MAX_SPAWN_PRIORITY) {
    throw new RangeError(`spawn priority must be an integer from 0 to ${MAX_SPAWN_PRIORITY}, got ${String(priority)}`);
  }
  return FrameType.SpawnBase + priority;
}

/** True for a spawn type byte (0x80..0xFF). */
export function isSpawn(type: number): boolean {
  return type >= FrameType.SpawnBase && type <= 0xff;
}

/** The priority a spawn type byte carries. */
export function spawnPriority(type: number): number {
  return type - FrameType.SpawnBase;
}

/** True for every type byte this protocol knows. */
export function isKnownFrameType(type: number): boolean {
  return (
    type === FrameType.Started ||
    type === FrameType.Done ||
    type === FrameType.Message ||
    type === FrameType.SpawnAck ||
    type === FrameType.Cancel ||
    type === FrameType.Withdraw ||
    isSpawn(type)
  );
}

/** A readable name for a type byte, for errors and logs: `'t'`, `'spawn(3)'`, `'0x41'`. */
export function frameTypeName(type: number): string {
  if (isSpawn(type)) return `spawn(${spawnPriority(type)})`;
  if (isKnownFrameType(type)) return `'${String.fromCharCode(type)}'`;
  return `0x${type.toString(16).padStart(2, '0')}`;
}
