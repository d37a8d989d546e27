// Re-runs the current script under `node --expose-gc` when gc is not exposed, so heap figures are taken after a
// full collection. Resolves to true in the process that should do the work.
import { spawn } from 'node:child_process';

export async function withExposedGc() {
  if (typeof globalThis.gc === 'function') return true;
  const child = spawn(process.execPath, ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  process.exitCode = code;
  return false;
}
