// One small adapter per pool, so every benchmark drives them the same way:
//   start()  resolves once every worker thread is up;  run(task) -> Promise of the result;
//   destroy() stops everything now (queued tasks rejected, running threads terminated).
// Peers run with their default options, as a user would start them, at a fixed thread count.
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';
import { FixedThreadPool } from 'poolifier';
import { ProcessManager } from 'tasklane';

export const PEERS = ['piscina', 'tinypool', 'workerpool', 'poolifier'];
export const TASKS_URL = new URL('../tasks.js', import.meta.url);
const peerFile = (name) => new URL(`../peers/${name}-worker.js`, import.meta.url);

/** A tasklane manager with the suite's defaults: priorities on (2 levels), quiet workers. */
export function tasklane(workers, options = {}) {
  return new ProcessManager({ tasks: TASKS_URL, workers, priorityLevels: 2, workerConsole: 'silent', ...options });
}

/** piscina and tinypool share one shape: `threads`, `run(task)`, `destroy()`. */
function threadPoolPeer(name, pool, workers) {
  return {
    name,
    pool,
    start: () => waitForThreads(() => pool.threads.length, workers, () => Promise.all(Array.from({ length: workers * 4 }, () => pool.run(0)))),
    run: (task) => pool.run(task),
    destroy: () => pool.destroy(),
  };
}

export function createPeer(name, workers) {
  switch (name) {
    case 'piscina': {
      return threadPoolPeer(name, new Piscina({ filename: peerFile('piscina').href, minThreads: workers, maxThreads: workers, idleTimeout: Infinity }), workers);
    }
    case 'tinypool': {
      return threadPoolPeer(name, new Tinypool({ filename: peerFile('tinypool').href, minThreads: workers, maxThreads: workers, idleTimeout: Infinity }), workers);
    }
    case 'workerpool': {
      const pool = workerpool.pool(fileURLToPath(peerFile('workerpool')), { minWorkers: workers, maxWorkers: workers, workerType: 'thread' });
      return {
        name,
        pool,
        start: () => Promise.all(Array.from({ length: workers * 4 }, () => pool.exec('run', [0]))),
        run: (task) => Promise.resolve(pool.exec('run', [task])),
        destroy: () => Promise.resolve(pool.terminate(true)),
      };
    }
    case 'poolifier': {
      const pool = new FixedThreadPool(workers, fileURLToPath(peerFile('poolifier')), { errorHandler: () => {} });
      return {
        name,
        pool,
        start: async () => {
          if (!pool.info.ready) await new Promise((resolve) => pool.emitter.once('ready', resolve));
          await Promise.all(Array.from({ length: workers * 4 }, () => pool.execute(0)));
        },
        run: (task) => pool.execute(task),
        destroy: () => pool.destroy(),
        // When destroy() does not resolve: terminate its threads directly, so they do not run on behind the suite.
        forceKill: () => Promise.all(pool.workerNodes.map((node) => node.worker.terminate())),
      };
    }
    default:
      throw new Error(`no peer named ${name}`);
  }
}

async function waitForThreads(count, workers, warm) {
  await warm();
  while (count() < workers) await new Promise((resolve) => setTimeout(resolve, 5));
}
