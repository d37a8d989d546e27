/**
 * The module piscina loads in every worker thread. The manager submits exactly one long-lived piscina task per
 * thread, carrying a MessagePort: every frame of that worker travels on that port, in order, until close.
 */
import type { MessagePort } from 'node:worker_threads';
import { portConnection } from './manager-connection.js';
import type { WorkerConfig } from './worker-config.js';
import { TaskRegistry } from './task-registry.js';
import { WorkerLog } from './worker-log.js';
import { WorkerLoop } from './worker-loop.js';

export interface WorkerStart {
  readonly port: MessagePort;
  readonly config: WorkerConfig;
}

export default async function workerEntry({ port, config }: WorkerStart): Promise<void> {
  const log = new WorkerLog(config.logFile, config.workerConsole);
  try {
    const registry = await TaskRegistry.load(config.taskModules);
    await new WorkerLoop(portConnection(port), config, registry, log).run();
  } catch (error) {
    log.line(`worker ${config.workerId} failed: ${error instanceof Error ? error.stack : String(error)}`);
    port.close();
    throw error;
  } finally {
    log.close();
  }
}
