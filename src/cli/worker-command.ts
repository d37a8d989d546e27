import { availableParallelism } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { LogDirectory } from '../manager/log-directory.js';
import { resolveOptions } from '../manager/options.js';
import { RedisTaskHost } from '../redis/task-host.js';
import { ExitCode } from './exit-codes.js';
import { integerIn } from './options.js';
import { SignalWatch } from './signals.js';

interface WorkerOptions {
  readonly redis: string;
  readonly queue: string;
  readonly tasks: string[];
  readonly workers: number;
  readonly lockDuration: number;
  readonly logDir?: string;
  readonly isolation: 'thread' | 'process';
  readonly taskTimeout?: number;
}

/**
 * `tasklane worker`: adds this machine's threads to a Redis queue's run until SIGINT/SIGTERM. The first signal
 * stops taking tasks and lets running ones finish; the second stops at once, and what ran is run again elsewhere
 * once its lock lapses (delivery is at-least-once).
 */
export function registerWorkerCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('worker')
    .description('serve a Redis queue: run its tasks on this machine\'s threads until SIGINT/SIGTERM (see docs/scaling-out.md)')
    .addOption(new Option('--redis <url>', 'the Redis server, redis://[user:password@]host[:port][/db]').argParser(redisUrl).makeOptionMandatory())
    .requiredOption('-t, --tasks <module...>', 'task module(s): the same files the manager was given')
    .addOption(new Option('--queue <name>', 'the queue the manager was given').default('tasklane'))
    .addOption(new Option('-w, --workers <n>', 'worker threads').argParser(integerIn(1, 1024)).default(availableParallelism() * 2, 'twice the CPU count'))
    .addOption(
      new Option('--lock-duration <ms>', 'how long a claim on a running task lasts before another host may run it again')
        .argParser(integerIn(1000, 3_600_000))
        .default(30_000),
    )
    .option('--log-dir <dir>', 'write worker-<n>.log files to <dir>')
    .addOption(new Option('--isolation <mode>', 'workers as threads or child processes').choices(['thread', 'process']).default('thread'))
    .addOption(new Option('--task-timeout <ms>', 'fail any task still running after <ms>').argParser(integerIn(1, 2 ** 31 - 1)))
    .addHelpText('after', '\nExample:\n  tasklane worker --redis redis://10.0.0.5:6379/0 --queue crawl --tasks ./tasks.js -w 8')
    .action(async (options: WorkerOptions) => {
      setExitCode(await serve(options));
    });
}

async function serve(options: WorkerOptions): Promise<number> {
  const resolved = resolveOptions({
    tasks: options.tasks,
    workers: options.workers,
    isolation: options.isolation,
    workerConsole: 'stderr',
    redis: options.redis,
    queue: options.queue,
    lockDuration: options.lockDuration,
    ...(options.taskTimeout !== undefined ? { taskTimeout: options.taskTimeout } : {}),
  });
  let stopping: Promise<void> | undefined;
  let host: RedisTaskHost | undefined;
  let stopped!: () => void;
  const ended = new Promise<void>((resolve) => (stopped = resolve));
  const stop = (force: boolean): void => {
    if (!host) return;
    const current = host;
    stopping = current.stop(force).finally(stopped);
    if (force) process.stderr.write('tasklane worker: stopping now; running tasks will run again elsewhere\n');
  };
  const signals = new SignalWatch(
    (signal) => {
      process.stderr.write(`tasklane worker: ${signal}: finishing running tasks (send it again to stop now)\n`);
      stop(false);
    },
    () => stop(true),
  );
  try {
    const log = options.logDir === undefined ? undefined : new LogDirectory(options.logDir);
    host = await RedisTaskHost.start(resolved.redis!, resolved, log);
    process.stderr.write(`tasklane worker: ${host.label} serves queue "${options.queue}" with ${options.workers} threads\n`);
    if (signals.received) stop(false); // a signal came while starting
    await ended;
    await stopping;
    return signals.exitCode ?? ExitCode.Ok;
  } catch (error) {
    process.stderr.write(`tasklane worker: ${(error as Error).message}\n`);
    return signals.exitCode ?? ExitCode.Failed;
  } finally {
    signals.uninstall();
  }
}

function redisUrl(value: string): string {
  if (!/^rediss?:\/\/[^/]/.test(value)) throw new InvalidArgumentError('expected a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0.');
  return value;
}
