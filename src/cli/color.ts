import { Chalk, supportsColorStderr, type ChalkInstance } from 'chalk';

/**
 * The chalk instance for stderr, where all human output goes. Precedence as in Node's own `getColorDepth`:
 * `--no-color`, then FORCE_COLOR (chalk reads it), then NO_COLOR (chalk does not), then whether stderr is a TTY.
 */
export function stderrColors(colorFlag: boolean, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  return new Chalk({ level: colorLevel(colorFlag, env) });
}

function colorLevel(colorFlag: boolean, env: NodeJS.ProcessEnv): 0 | 1 | 2 | 3 {
  if (!colorFlag) return 0;
  if (!('FORCE_COLOR' in env) && env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  return supportsColorStderr ? supportsColorStderr.level : 0;
}
