/**
 * piscina's entry for our worker threads. CommonJS on purpose: piscina `require()`s its filename first, and on
 * Node 20.19+ that loads an ES module through require(esm), which can then collide with the `import()` of a task
 * module that imports tasklane again ("Unexpected status of a module that is imported again after being
 * required"). From here the whole ES module graph is loaded by `import()` alone.
 */
import type { WorkerStart } from './entry.js';

module.exports = async function threadEntry(start: WorkerStart): Promise<void> {
  const { default: workerEntry } = await import('./entry.js');
  await workerEntry(start);
};
