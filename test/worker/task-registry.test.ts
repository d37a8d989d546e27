/** TaskRegistry (src/worker/task-registry.ts): resolve() and its synchronous twin resolveNow(). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskRegistry } from '../../src/worker/task-registry.js';

const fixture = (name: string): string => new URL(`../fixtures/registry/${name}.js`, import.meta.url).href;

describe('TaskRegistry.resolveNow', () => {
  it('gives a task of a module without a session at once', async () => {
    const registry = await TaskRegistry.load([fixture('plain')]);
    const now = registry.resolveNow('plainTask');
    assert.ok(now, 'resolved without waiting');
    const { plainTask } = (await import(fixture('plain'))) as { plainTask: unknown };
    assert.equal(now.factory, plainTask);
    assert.equal(now.session, undefined);
  });

  it('waits for a session being made, then gives the session resolve() made', async () => {
    const registry = await TaskRegistry.load([fixture('gated-session')]);
    assert.equal(registry.resolveNow('gatedTask'), undefined, 'no session yet');
    const resolving = registry.resolve('gatedTask');
    assert.equal(registry.resolveNow('gatedTask'), undefined, 'the session is still being made');
    (globalThis as { openRegistrySessionGate?: () => void }).openRegistrySessionGate!();
    const resolved = await resolving;
    assert.deepEqual(resolved.session, { made: 'session' });
    const now = registry.resolveNow('gatedTask');
    assert.ok(now, 'resolved without waiting once the session is made');
    assert.equal(now.session, resolved.session, 'the same session object');
    assert.equal(now.factory, resolved.factory);
  });

  it('leaves a module whose session failed to resolve(), which gives the error', async () => {
    const registry = await TaskRegistry.load([fixture('failing-session')]);
    await assert.rejects(registry.resolve('sessionlessTask'), /createSession\(\) of .*failing-session\.js failed: no database here/);
    assert.equal(registry.resolveNow('sessionlessTask'), undefined);
    await assert.rejects(registry.resolve('sessionlessTask'), /no database here/);
  });

  it('throws for an unknown task as resolve() rejects, naming the known ones', async () => {
    const registry = await TaskRegistry.load([fixture('plain')]);
    assert.throws(() => registry.resolveNow('nope'), /no task named "nope" in the task modules \(known: plainTask\)/);
    await assert.rejects(registry.resolve('nope'), /no task named "nope" in the task modules \(known: plainTask\)/);
  });
});
