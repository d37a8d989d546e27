import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from './exit-codes.js';

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);

/**
 * The URL of the task module `tasklane run` was given, checked before any worker starts so that the common
 * mistakes are usage errors with a hint rather than a failed worker.
 */
export function resolveTaskModule(spec: string, isolation: 'thread' | 'process' = 'thread'): URL {
  const path = spec.startsWith('file:') ? fileURLToPath(spec) : resolve(spec);
  let info;
  try {
    info = statSync(path);
  } catch {
    throw new UsageError(`cannot find task module ${spec}`, `give the path of a .js or .mjs file that exports defineTask() tasks (relative to ${process.cwd()})`);
  }
  if (info.isDirectory()) throw new UsageError(`${spec} is a directory, not a task module`, 'give the path of the .js file itself');
  // Node 20's loaders (tsx, ts-node) hook the main thread only; worker threads import plain Node. Worker
  // processes do get a loader passed through NODE_OPTIONS, and newer Node strips types natively in every thread
  // (process.features.typescript): no refusal in those cases.
  if (isTypeScript(path) && isolation === 'thread' && !nativeTypeScript()) {
    throw new UsageError(
      `${spec} is TypeScript, which worker threads cannot import on Node ${process.version} (a loader such as tsx does not reach them)`,
      `compile it first (for example npx tsc) and run the emitted .js file, or run worker processes with a loader: NODE_OPTIONS='--import tsx' tasklane run ${spec} ... --isolation process`,
    );
  }
  return pathToFileURL(path);
}

export function isTypeScript(path: string): boolean {
  return TYPESCRIPT.has(extname(path).toLowerCase());
}

function nativeTypeScript(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript);
}

/** A command-line task argument: JSON when it parses as JSON (`3`, `true`, `{"a":1}`, `"x"`), else the string. */
export function parseTaskArgument(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
