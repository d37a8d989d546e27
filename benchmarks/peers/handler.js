// What every peer pool's worker runs (piscina, tinypool, workerpool, poolifier): the same work as benchmarks/tasks.js.
// A number is a no-op task (its payload is just the number); objects name an operation.
import { hashWork } from '../lib/work.js';

export function handle(task) {
  if (typeof task === 'number' || task === null || task === undefined) return undefined;
  switch (task.op) {
    case 'list':
      return Array.from({ length: task.n }, (_, i) => i);
    case 'hash':
      return hashWork(task.rounds);
    case 'spin':
      for (;;);
    default:
      throw new Error(`unknown op ${task.op}`);
  }
}
