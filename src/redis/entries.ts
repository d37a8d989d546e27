import { packPayload, unpackPayload } from '../protocol/payload-codec.js';
import type { SerializedError } from '../task/task-error.js';

/**
 * What travels through Redis, packed with the frames' msgpack codec (so Map, Date, BigInt... survive as they do
 * between threads). BullMQ stores job data as JSON, so a job carries its call as base64 msgpack.
 */

/** A task as a BullMQ job: its id, call and priority; `reply` when a `run()` caller awaits its value. */
export interface JobCall {
  readonly id: number;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly priority: number;
  readonly reply: boolean;
  /** Its timeout in ms, from `schedule(call, p, { timeout })` or the manager's `taskTimeout`. */
  readonly timeout?: number | undefined;
}

export interface JobData {
  readonly c: string;
}

export function encodeJob(call: JobCall): JobData {
  return { c: Buffer.from(packPayload([call.id, call.name, call.args, call.priority, call.reply ? 1 : 0, call.timeout ?? 0])).toString('base64') };
}

export function decodeJob(data: JobData): JobCall {
  const [id, name, args, priority, reply, timeout] = unpackPayload(Buffer.from(data.c, 'base64')) as [number, string, unknown[], number, number, number];
  return { id, name, args, priority, reply: reply === 1, ...(timeout > 0 ? { timeout } : {}) };
}

/** How a task ended, as hosts report it on the stream. */
export const RemoteOutcome = { Ok: 0, Failed: 1, NotRun: 2, Cancelled: 3, Interrupted: 4 } as const;
export type RemoteOutcomeCode = (typeof RemoteOutcome)[keyof typeof RemoteOutcome];

/** Why a task did not succeed: the reason after `task "x" (id n) `, the worker's stack, the error code. */
export interface FailureDetail {
  readonly reason: string;
  readonly remoteStack: string;
  readonly code?: string;
  readonly cause?: SerializedError;
}

/** A `d` entry: one task's outcome. `value` only when a `run()` caller awaits it. */
export interface DoneEntry {
  readonly id: number;
  readonly outcome: RemoteOutcomeCode;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly priority: number;
  /** "host/worker", where it ran. */
  readonly worker: string;
  readonly startedAt: number;
  readonly value?: unknown;
  readonly failure?: FailureDetail;
}

export function encodeDone(entry: DoneEntry): Buffer {
  // Arguments only where the manager needs them (a failure's TaskError, the close report): most entries are small.
  const args = entry.outcome === RemoteOutcome.Ok ? null : entry.args;
  const packed = packPayload([entry.id, entry.outcome, entry.name, args, entry.priority, entry.worker, entry.startedAt, entry.value, entry.failure ?? null]);
  return Buffer.from(packed); // a copy: pack() returns a view into a pooled buffer
}

export function decodeDone(bytes: Uint8Array): DoneEntry {
  const [id, outcome, name, args, priority, worker, startedAt, value, failure] = unpackPayload(bytes) as [
    number, RemoteOutcomeCode, string, unknown[] | null, number, string, number, unknown, FailureDetail | null,
  ];
  return { id, outcome, name, args: args ?? [], priority, worker, startedAt, value, ...(failure ? { failure } : {}) };
}

/** A message for the inbox, as a stream entry's payload. */
export function encodeMessage(message: unknown): Buffer {
  return Buffer.from(packPayload(message)); // a copy, as above
}

export function decodeMessage(bytes: Uint8Array): unknown {
  return unpackPayload(bytes);
}
