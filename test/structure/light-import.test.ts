/**
 * Every worker thread imports `tasklane` (task modules call defineTask), so what that import loads is paid per
 * thread, at start and again at terminate: the Redis libraries must wait until Redis is used.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const HOOKS = new URL('../fixtures/forbid-redis-hooks.mjs', import.meta.url).href;
const REGISTER = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(HOOKS)});`;

function importInChild(code: string): { status: number | null; stderr: string } {
  const child = spawnSync(process.execPath, ['--import', REGISTER, '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
  return { status: child.status, stderr: child.stderr };
}

describe('importing tasklane', () => {
  it('loads neither bullmq nor ioredis', () => {
    const child = importInChild(`await import('tasklane');`);
    assert.equal(child.status, 0, child.stderr);
  });

  it('is checked by hooks that do catch a Redis import', () => {
    const child = importInChild(`await import('bullmq');`);
    assert.notEqual(child.status, 0);
    assert.match(child.stderr, /imported bullmq/);
  });
});
