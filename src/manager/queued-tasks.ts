import { PriorityLanes, type DrainedLanes } from '../queue/priority-lanes.js';
import type { TaskCall } from '../task/task-call.js';
import type { QueuedBatch } from './task-ledger.js';
import { createRecord, type TaskRecord } from './task-record.js';

/** What a task scheduled with `run()`, or with a timeout other than the default, has besides its call. */
interface Extras {
  readonly call: TaskCall;
  readonly priority: number;
  readonly settle: TaskRecord['settle'];
  readonly timeout: number | undefined;
}

/**
 * The tasks waiting in the manager, without a TaskRecord each: a queued task is its id and its call in the
 * lanes' parallel arrays, plus an `#extras` entry only for a `run()` promise or its own timeout. Its record is
 * made when it is dispatched, or earlier when it is looked up by id (`find`: `cancel(id)`, `ledger.get(id)`);
 * such a record, and one put back at the head of its lane, is kept in `#promoted` so that the task stays one
 * object. About 16 bytes a queued task besides its call, against some 150 for a record and an index entry.
 */
export class QueuedTasks {
  readonly #lanes: PriorityLanes<TaskCall>;
  readonly #defaultTimeout: number | undefined;
  #extras = new Map<number, Extras>();
  #promoted = new Map<number, TaskRecord>();

  constructor(levels: number, defaultTimeout: number | undefined) {
    this.#lanes = new PriorityLanes(levels);
    this.#defaultTimeout = defaultTimeout;
  }

  /** Queued tasks, not counting cancelled ones. */
  get size(): number {
    return this.#lanes.size;
  }

  /** The priority `take()` would serve next, or `undefined` when nothing is queued. */
  peekPriority(): number | undefined {
    return this.#lanes.peekPriority();
  }

  /** Queued tasks per priority level. */
  counts(): number[] {
    return this.#lanes.counts();
  }

  checkPriority(priority: unknown): asserts priority is number {
    this.#lanes.checkPriority(priority);
  }

  /** Queues task `id` (ids only grow) at the tail of its lane. */
  push(id: number, call: TaskCall, priority: number, settle: TaskRecord['settle'], timeout: number | undefined): void {
    this.#lanes.push(id, call, priority);
    if (settle !== undefined || timeout !== this.#defaultTimeout) this.#extras.set(id, { call, priority, settle, timeout });
  }

  /** Puts a dispatched task that never started back at the head of its lane. */
  unshift(task: TaskRecord): void {
    this.#lanes.unshift(task.id, task, task.priority);
    this.#promoted.set(task.id, task);
  }

  /** The next task to dispatch, most urgent first, as a record. */
  take(): TaskRecord | undefined {
    const call = this.#lanes.take();
    if (call === undefined) return undefined;
    const id = this.#lanes.takenId;
    const promoted = this.#promoted.size > 0 ? this.#promoted.get(id) : undefined;
    if (promoted) {
      this.#promoted.delete(id);
      return promoted;
    }
    return this.#record(id, call, this.#lanes.takenPriority);
  }

  /** The record of queued task `id` (the same object from now until it leaves the queue), if it is queued. */
  find(id: number): TaskRecord | undefined {
    const promoted = this.#promoted.get(id);
    if (promoted) return promoted;
    const found = this.#lanes.find(id);
    if (!found) return undefined;
    const task = this.#record(id, found.value, found.priority);
    this.#promoted.set(id, task);
    return task;
  }

  /** Takes a queued task out (the caller found it queued). */
  cancel(task: TaskRecord): void {
    if (task.cancelled) return;
    task.cancelled = true;
    this.#lanes.cancel(task.id, task.priority);
    this.#promoted.delete(task.id);
  }

  /** Empties the queue. The tasks are handed over as they lie in the lanes; records are made when read. */
  drain(): QueuedBatch {
    const batch = new DrainedTasks(this.#lanes.drain(), this.#promoted, this.#extras, (id, call, priority, extras) => this.#record(id, call, priority, extras ?? null));
    this.#promoted = new Map();
    this.#extras = new Map();
    return batch;
  }

  /** `extras` null: the task has none; undefined: look them up (and take them out). */
  #record(id: number, call: TaskCall, priority: number, extras: Extras | null | undefined = this.#takeExtras(id)): TaskRecord {
    const task = createRecord(id, call, priority);
    if (extras) {
      task.settle = extras.settle;
      task.timeout = extras.timeout;
    } else {
      task.timeout = this.#defaultTimeout;
    }
    return task;
  }

  #takeExtras(id: number): Extras | undefined {
    if (this.#extras.size === 0) return undefined;
    const extras = this.#extras.get(id);
    if (extras) this.#extras.delete(id);
    return extras;
  }
}

type MakeRecord = (id: number, call: TaskCall, priority: number, extras: Extras | undefined) => TaskRecord;

/** Drained queued tasks: counted at once, made into records only when someone reads them. */
class DrainedTasks implements QueuedBatch {
  readonly #lanes: DrainedLanes<TaskCall>;
  readonly #extras: ReadonlyMap<number, Extras>;
  readonly #makeRecord: MakeRecord;
  /** Records made so far (promoted ones from the start), so each task stays one object. */
  readonly #made: Map<number, TaskRecord>;
  #records: TaskRecord[] | undefined;

  constructor(lanes: DrainedLanes<TaskCall>, promoted: Map<number, TaskRecord>, extras: ReadonlyMap<number, Extras>, makeRecord: MakeRecord) {
    this.#lanes = lanes;
    this.#made = promoted;
    this.#extras = extras;
    this.#makeRecord = makeRecord;
  }

  get length(): number {
    return this.#lanes.length;
  }

  /** The tasks that have a record already, a `run()` promise or a timeout: what a close must settle one by one. */
  special(): TaskRecord[] {
    for (const [id, extras] of this.#extras) if (!this.#made.has(id)) this.#made.set(id, this.#makeRecord(id, extras.call, extras.priority, extras));
    return [...this.#made.values()];
  }

  /** Every task, most urgent first, FIFO within a level. */
  records(): TaskRecord[] {
    if (!this.#records) {
      const records: TaskRecord[] = [];
      this.#lanes.forEach((id, call, priority) => records.push(this.#made.get(id) ?? this.#makeRecord(id, call, priority, this.#extras.get(id))));
      this.#records = records;
    }
    return this.#records;
  }

  [Symbol.iterator](): Iterator<TaskRecord> {
    return this.records()[Symbol.iterator]();
  }
}
