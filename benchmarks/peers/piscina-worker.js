// piscina (and tinypool, the same worker contract): a default-exported function. `chatter` posts on parentPort,
// which piscina re-emits as the pool's 'message' event.
import { parentPort } from 'node:worker_threads';
import { handle } from './handler.js';

export default function run(task) {
  if (task?.op === 'chatter') {
    for (let i = 0; i < task.n; i++) parentPort.postMessage({ i });
    return undefined;
  }
  return handle(task);
}
