/**
 * The entry of a worker child process (`isolation: 'process'`). The manager passes the WorkerConfig in the
 * environment and talks frames on file descriptor 3. When that pipe closes (the manager closed us, or died,
 * even by SIGKILL) the process exits, so no worker outlives its manager.
 */
import { HELLO_TASK_ID, Outcome } from '../protocol/payloads.js';
import { encodeFrame } from '../protocol/encode.js';
import { FrameType } from '../protocol/frame-type.js';
import { serializeError } from '../task/task-error.js';
import { streamConnection } from './manager-connection.js';
import { TaskRegistry } from './task-registry.js';
import type { WorkerConfig } from './worker-config.js';
import { WorkerLog } from './worker-log.js';
import { WorkerLoop } from './worker-loop.js';

const FRAME_FD = 3;
/** Exit code of a child whose task threw where nothing could catch it (EX_SOFTWARE). */
const UNCAUGHT_EXIT_CODE = 70;

const config = JSON.parse(process.env.TASKLANE_WORKER_CONFIG ?? 'null') as WorkerConfig | null;
if (!config) {
  process.stderr.write('tasklane: this is a worker process; the ProcessManager starts it\n');
  process.exit(2);
}
delete process.env.TASKLANE_WORKER_CONFIG;

let finished = false;
const connection = streamConnection(FRAME_FD, () => {
  if (!finished) process.exit(0); // the manager is gone: nobody can take our results
});
const log = new WorkerLog(config.logFile, config.workerConsole);

async function main(worker: WorkerConfig): Promise<void> {
  let registry: TaskRegistry;
  try {
    registry = await TaskRegistry.load(worker.taskModules);
  } catch (error) {
    // Tell the manager why, in the hello frame, rather than leave it an exit code.
    log.line(`worker ${worker.workerId} failed: ${error instanceof Error ? error.stack : String(error)}`);
    connection.send(encodeFrame(FrameType.Done, [HELLO_TASK_ID, Outcome.Failed, serializeError(error), 0]));
    finish(1);
    return;
  }
  const loop = new WorkerLoop(connection, worker, registry, log);
  process.on('uncaughtException', (error) => {
    log.line(`uncaught exception: ${error.stack ?? String(error)}`);
    loop.crash(error);
    finish(UNCAUGHT_EXIT_CODE);
  });
  await loop.run();
  finish(0);
}

function finish(code: number): void {
  finished = true;
  log.close();
  connection.close(() => process.exit(code));
}

void main(config);
