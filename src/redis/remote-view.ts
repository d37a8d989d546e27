import type { Queue } from 'bullmq';
import type { RunningTaskInfo } from '../manager/close-report.js';
import type { EngineMode } from '../manager/engine.js';
import type { TaskLedger } from '../manager/task-ledger.js';
import type { TaskRecord } from '../manager/task-record.js';
import { deserializeError, TaskError } from '../task/task-error.js';
import { decodeJob, RemoteOutcome, type DoneEntry, type JobData, type RemoteOutcomeCode } from './entries.js';
import { bullPriorityOf, jobIdOf, type QueueKeys } from './keys.js';
import { finishCall, type ScriptedRedis } from './scripts.js';

const REFRESH_MS = 500;
type BullQueue = Queue<JobData, unknown, string, JobData>;
const WAITING_STATES = ['prioritized', 'waiting', 'delayed'] as const;

/**
 * What `stats()` and `ready()` show of the other hosts, refreshed every REFRESH_MS (stats() is synchronous):
 * queued counts per priority, running tasks, the task names hosts registered. Each refresh also settles jobs
 * that BullMQ failed on its own (a task whose hosts kept dying: it stalled too often), so they are not lost.
 */
export class RemoteView {
  queued: number[];
  running: RunningTaskInfo[] = [];
  taskNames: ReadonlySet<string> | undefined;
  readonly #levels: number;
  readonly #changed: () => void;
  readonly #finishedSpawns = new Set<number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(levels: number, changed: () => void) {
    this.#levels = levels;
    this.queued = new Array<number>(levels).fill(0);
    this.#changed = changed;
  }

  start(redis: ScriptedRedis, queue: BullQueue, keys: QueueKeys, onError: (error: Error) => void): void {
    let refreshing = false;
    const refresh = (): void => {
      if (refreshing) return;
      refreshing = true;
      this.#refresh(redis, queue, keys)
        .catch(onError)
        .finally(() => (refreshing = false));
    };
    refresh();
    this.#timer = setInterval(refresh, REFRESH_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  finish(id: number): void {
    this.#finishedSpawns.add(id);
  }

  finished(id: number): boolean {
    return this.#finishedSpawns.has(id);
  }

  async #refresh(redis: ScriptedRedis, queue: BullQueue, keys: QueueKeys): Promise<void> {
    const priorities = Array.from({ length: this.#levels }, (_, p) => bullPriorityOf(p));
    const [counts, running, hosts] = await Promise.all([queue.getCountsPerPriority(priorities), redis.hgetall(keys.running), redis.hgetall(keys.hosts)]);
    this.queued = priorities.map((bull) => Number(counts[bull] ?? 0));
    this.running = Object.entries(running).map(([id, json]) => {
      const [name, worker, startedAt] = JSON.parse(json) as [string, string, number];
      return { id: Number(id), name, workerId: 0, host: worker, startedAt };
    });
    const names = new Set<string>();
    for (const json of Object.values(hosts)) for (const name of (JSON.parse(json) as { names: string[] }).names) names.add(name);
    const hadNames = this.taskNames !== undefined;
    if (names.size > 0) this.taskNames = names;
    for (const job of await queue.getFailed(0, 99)) {
      const call = decodeJob(job.data);
      const reason = `failed: BullMQ gave it up (${job.failedReason ?? 'no reason given'}); its hosts stopped while running it`;
      await finishCall(redis, keys, call, RemoteOutcome.Failed, { failure: { reason, remoteStack: '' } });
      await job.remove().catch(() => {});
    }
    if (!hadNames && this.taskNames) this.#changed();
  }
}

/**
 * Removes jobs no host has taken and records them as not run (a close) or cancelled (`cancel(id)`). With `onlyId`,
 * just that task; true when it was removed. With `abandonRunning` (kill), every task still open is recorded as
 * interrupted: hosts that finish it later change nothing (FINISH takes the first outcome).
 */
export async function finishUnstarted(
  redis: ScriptedRedis,
  queue: BullQueue,
  keys: QueueKeys,
  mode: EngineMode,
  abandonRunning = false,
  onlyId?: number,
): Promise<boolean> {
  const outcome: RemoteOutcomeCode = onlyId === undefined ? RemoteOutcome.NotRun : RemoteOutcome.Cancelled;
  const reason = onlyId === undefined ? `was not run: the manager closed with '${mode}'` : 'was cancelled before it started';
  const removeAndFinish = async (job: { data: JobData; remove(): Promise<void> } | undefined): Promise<boolean> => {
    if (!job) return false;
    try {
      await job.remove(); // refused while a host holds its lock: that host reports it
    } catch {
      return false;
    }
    await finishCall(redis, keys, decodeJob(job.data), outcome, { failure: { reason, remoteStack: '' } });
    return true;
  };
  if (onlyId !== undefined) return removeAndFinish(await queue.getJob(jobIdOf(onlyId)));
  for (;;) {
    const jobs = await queue.getJobs([...WAITING_STATES], 0, 999);
    if (jobs.length === 0) break;
    let removed = 0;
    for (const job of jobs) if (await removeAndFinish(job)) removed++;
    if (removed === 0) break;
  }
  if (abandonRunning) {
    for (const id of await redis.smembers(keys.open)) {
      const job = await queue.getJob(jobIdOf(Number(id)));
      const call = job ? decodeJob(job.data) : { id: Number(id), name: '(unknown)', args: [], priority: 0, reply: false };
      const failure = { reason: `was interrupted by close('${mode}'): its host was abandoned`, remoteStack: '' };
      await finishCall(redis, keys, call, RemoteOutcome.Interrupted, { failure });
    }
  }
  return true;
}

/** Gives a task the outcome a host reported, through the same ledger as local tasks. */
export function applyOutcome(ledger: TaskLedger, task: TaskRecord, done: DoneEntry, mode: EngineMode): void {
  if (done.startedAt > 0) task.startedAt = done.startedAt;
  task.workerId = Number(/\/(\d+)$/.exec(done.worker)?.[1] ?? 0);
  const policy = mode === 'kill' ? 'kill' : 'cancel';
  const error = done.failure ? remoteError(task, done) : undefined;
  switch (done.outcome) {
    case RemoteOutcome.Ok:
      return ledger.ok(task, done.value);
    case RemoteOutcome.Failed:
      return ledger.failed(task, error!);
    case RemoteOutcome.NotRun:
      return ledger.notRun(task, policy);
    case RemoteOutcome.Cancelled:
      return ledger.cancelled(task, done.failure?.reason ?? 'was cancelled', error);
    default:
      return ledger.interrupted(task, policy, error);
  }
}

function remoteError(task: TaskRecord, done: DoneEntry): TaskError {
  const failure = done.failure!;
  const where = done.worker ? ` (on ${done.worker})` : '';
  const cause = failure.cause ? deserializeError(failure.cause) : undefined;
  const error = new TaskError(`task "${task.name}" (id ${task.id}) ${failure.reason}${where}`, {
    taskName: task.name,
    args: task.args,
    taskId: task.id,
    workerId: task.workerId,
    remoteStack: failure.remoteStack,
    ...(cause ? { cause } : {}),
  });
  if (failure.code) (error as { code?: string }).code = failure.code;
  return error;
}
