/**
 * The payload of each frame, as both ends build and read it (docs/protocol.md has worked examples).
 *
 *   manager -> worker   t  [id, name, args, priority]    run a task     (no payload: close)
 *                       c  id                            cancel a task
 *                       m  count / s  count              acknowledge messages / spawns
 *   worker -> manager   n  id                            task started
 *                       t  [id, outcome, value, sent]    task finished; `sent` = its m and spawn frames
 *                       m  message                       for the inbox
 *                       0x80+p  [name, args]             spawn at priority p
 *
 * A worker's first frame is a `t` with id 0 (HELLO_TASK_ID): "ready", its value `{ tasks: string[] }`.
 */
export const Outcome = {
  /** value: the task's return value */
  Ok: 0,
  /** value: a SerializedError */
  Failed: 1,
  /** value: null. The task was cancelled before it started. */
  NotRun: 2,
} as const;
export type OutcomeCode = (typeof Outcome)[keyof typeof Outcome];

export const HELLO_TASK_ID = 0;

export type RunPayload = [id: number, name: string, args: readonly unknown[], priority: number];
export type DonePayload = [id: number, outcome: OutcomeCode, value: unknown, sent: number];
export type SpawnPayload = [name: string, args: readonly unknown[]];
export interface HelloValue {
  readonly tasks: string[];
}
