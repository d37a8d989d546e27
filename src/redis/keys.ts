/**
 * The Redis keys of one queue's run, beside BullMQ's own (`bull:<queue>:*`):
 *
 *   tasklane:<queue>:open      SET    ids scheduled or spawned and not finished: the run is over when it is empty
 *   tasklane:<queue>:done      SET    ids finished: a task that runs twice (at-least-once) finishes once
 *   tasklane:<queue>:spawns    HASH   "<parent id>.<n>" -> id: a parent that runs again spawns the same ids
 *   tasklane:<queue>:ids       STRING counter for spawned ids (the manager numbers its own)
 *   tasklane:<queue>:events    STREAM messages (m), outcomes (d) and "open went empty" marks (i), in order
 *   tasklane:<queue>:running   HASH   id -> [name, worker, startedAt] of tasks that run now, for stats()
 *   tasklane:<queue>:hosts     HASH   host -> [task names, threads, pid, hostname]
 *   tasklane:<queue>:state     STRING "open|cancel|kill <levels> <high-water mark>": what hosts do next, run limits
 *   tasklane:<queue>:owner     STRING the manager's token, with a TTL: one manager per queue
 *   tasklane:<queue>:control   CHANNEL "cancel <id>", "state": tells hosts at once
 */
export class QueueKeys {
  readonly queue: string;
  readonly open: string;
  readonly done: string;
  readonly spawns: string;
  readonly ids: string;
  readonly events: string;
  readonly running: string;
  readonly hosts: string;
  readonly state: string;
  readonly owner: string;
  readonly control: string;

  constructor(queue: string) {
    const prefix = `tasklane:${queue}:`;
    this.queue = queue;
    this.open = `${prefix}open`;
    this.done = `${prefix}done`;
    this.spawns = `${prefix}spawns`;
    this.ids = `${prefix}ids`;
    this.events = `${prefix}events`;
    this.running = `${prefix}running`;
    this.hosts = `${prefix}hosts`;
    this.state = `${prefix}state`;
    this.owner = `${prefix}owner`;
    this.control = `${prefix}control`;
  }

  /** The keys a finished run leaves behind (hosts stay registered). */
  get runKeys(): string[] {
    return [this.open, this.done, this.spawns, this.ids, this.events, this.running];
  }
}

/** BullMQ job ids must not look like integers. */
export function jobIdOf(id: number): string {
  return `t${id}`;
}

/** BullMQ's priority 0 means "none" and runs before every prioritized job: our level p is BullMQ's p + 1. */
export function bullPriorityOf(priority: number): number {
  return priority + 1;
}
