/**
 * Errors across the task API: error (de)serialization, TaskError, and the ProcessManager's report of a failing
 * chain step.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessManager, TaskError, chain } from 'tasklane';
import { packPayload, unpackPayload } from 'tasklane/protocol';
import { deserializeError, serializeError, type SerializedError } from '../../src/task/task-error.js';
import { within } from '../manager/helpers.js';
// @ts-expect-error: plain JS fixture module without types
import { double, failingStep, mark, throwUnprintable } from '../fixtures/chain-tasks.js';

describe('serializeError / deserializeError', () => {
  it('keeps name, message, stack and a string or number code', () => {
    const error = Object.assign(new RangeError('out of range'), { code: 'E_RANGE' });
    const data = serializeError(error);
    assert.deepEqual(data, { name: 'RangeError', message: 'out of range', stack: error.stack, code: 'E_RANGE' });
    assert.equal(serializeError(Object.assign(new Error('n'), { code: 42 })).code, 42);
    assert.equal('code' in serializeError(Object.assign(new Error('o'), { code: { not: 'kept' } })), false);
    assert.equal('cause' in data, false);
  });

  it('keeps a custom name and an error without a stack', () => {
    class CustomError extends Error {
      override name = 'CustomError';
    }
    assert.equal(serializeError(new CustomError('c')).name, 'CustomError');
    const stackless = new Error('no stack');
    stackless.stack = undefined;
    assert.deepEqual(serializeError(stackless), { name: 'Error', message: 'no stack' });
  });

  it('carries a nested cause chain, including a non-Error cause', () => {
    const root = new TypeError('root');
    const middle = new Error('middle', { cause: root });
    const top = new Error('top', { cause: middle });
    const data = serializeError(top);
    assert.equal(data.cause?.message, 'middle');
    assert.equal(data.cause?.cause?.name, 'TypeError');
    assert.equal(data.cause?.cause?.stack, root.stack);
    assert.equal(data.cause?.cause?.cause, undefined);
    const withString = serializeError(new Error('wrapper', { cause: 'just text' }));
    assert.deepEqual(withString.cause, { name: 'NonError', message: 'a non-Error value was thrown: "just text"' });
  });

  it('stops a cyclic or very deep cause chain (five levels kept)', () => {
    const self = new Error('self');
    (self as { cause?: unknown }).cause = self;
    let depth = 0;
    for (let e: SerializedError | undefined = serializeError(self); e; e = e.cause) depth++;
    assert.equal(depth, 5);
  });

  it('describes thrown values that are not Errors', () => {
    const described = (value: unknown): string => {
      const data = serializeError(value);
      assert.equal(data.name, 'NonError');
      assert.equal(data.stack, undefined);
      return data.message.replace('a non-Error value was thrown: ', '');
    };
    assert.equal(described('plain'), '"plain"');
    assert.equal(described(42), '42');
    assert.equal(described(null), 'null');
    assert.equal(described(undefined), 'undefined');
    assert.equal(described(10n), '10');
    assert.equal(described(Symbol('sym')), 'Symbol(sym)');
    assert.equal(described({ reason: 'odd', n: [1] }), '{"reason":"odd","n":[1]}');
    const long = described({ text: 'x'.repeat(500) });
    assert.equal(long.length, 203);
    assert.ok(long.endsWith('...'));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(described(cyclic), '[object Object]');
    const unprintable = Object.create(null) as Record<string, unknown>;
    unprintable.self = unprintable;
    assert.equal(described(unprintable), '[object Object]');
  });

  it('deserializeError rebuilds an Error with the remote stack, code and causes', () => {
    const original = Object.assign(new SyntaxError('bad token', { cause: Object.assign(new Error('inner'), { code: 7 }) }), { code: 'E_SYNTAX' });
    const rebuilt = deserializeError(serializeError(original));
    assert.ok(rebuilt instanceof Error);
    assert.equal(rebuilt.name, 'SyntaxError');
    assert.equal(rebuilt.message, 'bad token');
    assert.equal(rebuilt.stack, original.stack);
    assert.equal((rebuilt as { code?: unknown }).code, 'E_SYNTAX');
    const cause = rebuilt.cause as Error & { code?: unknown };
    assert.ok(cause instanceof Error);
    assert.equal(cause.message, 'inner');
    assert.equal(cause.code, 7);
    assert.equal(cause.stack, (original.cause as Error).stack);
    assert.equal(deserializeError({ name: 'Odd', message: 'no stack' }).stack, 'Odd: no stack');
    assert.equal('cause' in deserializeError({ name: 'Error', message: 'm' }), false);
  });

  it('a serialized error survives the wire codec unchanged', () => {
    const data = serializeError(new Error('over the wire', { cause: Object.assign(new TypeError('why'), { code: 'E_WHY' }) }));
    assert.deepEqual(unpackPayload(packPayload(data)), data);
  });
});

describe('TaskError', () => {
  it('carries the task name, arguments, ids, remote stack and cause', () => {
    const cause = new RangeError('inner');
    const error = new TaskError('task "x" (id 3) failed on worker 2: RangeError: inner', {
      taskName: 'x',
      args: [1, { a: 2 }],
      taskId: 3,
      workerId: 2,
      remoteStack: 'RangeError: inner\n    at somewhere (tasks.js:1:1)',
      cause,
    });
    assert.ok(error instanceof Error);
    assert.ok(error instanceof TaskError);
    assert.equal(error.name, 'TaskError');
    assert.equal(error.message, 'task "x" (id 3) failed on worker 2: RangeError: inner');
    assert.equal(error.taskName, 'x');
    assert.deepEqual(error.args, [1, { a: 2 }]);
    assert.equal(error.taskId, 3);
    assert.equal(error.workerId, 2);
    assert.equal(error.remoteStack, 'RangeError: inner\n    at somewhere (tasks.js:1:1)');
    assert.equal(error.cause, cause);
    assert.match(error.stack ?? '', /^TaskError: task "x"/);
  });

  it('has no cause property when none is given', () => {
    const error = new TaskError('m', { taskName: 'y', args: [], taskId: 1, workerId: 0, remoteStack: '' });
    assert.equal('cause' in error, false);
  });
});

describe('ProcessManager: failures through the task API', () => {
  const CHAIN_TASKS = new URL('../fixtures/chain-tasks.js', import.meta.url);

  async function withManager(fn: (manager: ProcessManager) => Promise<void>): Promise<void> {
    const manager = new ProcessManager({ tasks: CHAIN_TASKS, workers: 2, workerConsole: 'silent' });
    try {
      await within(fn(manager), 20_000, 'the test body');
    } finally {
      await within(manager.close('kill'), 10_000, 'close(kill)');
    }
  }

  async function readAll(manager: ProcessManager): Promise<unknown[]> {
    const out: unknown[] = [];
    for await (const message of manager.messages()) out.push(message);
    return out;
  }

  it('a chain whose second step fails rejects with a TaskError naming the step, with that step\'s own stack', async () => {
    await withManager(async (manager) => {
      assert.deepEqual(await manager.run(chain(double(2), mark('only'))), [4, 'only']);
      assert.deepEqual(await readAll(manager), [{ ran: 'only' }]);

      const call = chain(double(21), failingStep('step exploded', 'E_STEP'), mark('after'));
      const error = await manager.run(call).then(
        () => assert.fail('the chain should reject'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof TaskError, `a TaskError, got ${String(error)}`);
      assert.equal(error.taskName, 'tasklane:chain');
      assert.deepEqual(error.args, call.args);
      assert.ok(error.workerId >= 1 && error.workerId <= 2);
      assert.ok(
        error.message.includes('chain step 1 ("failingStep") failed: step exploded'),
        `message names the step: ${error.message}`,
      );
      assert.match(error.message, /^task "tasklane:chain" \(id \d+\) failed on worker \d: SyntaxError: chain step 1/);

      // The step sent the stack it saw; the remote stack is that stack, under the step's message.
      const messages = await readAll(manager);
      assert.equal(messages.length, 1, `the step after the failure did not run: ${JSON.stringify(messages)}`);
      const stepStack = (messages[0] as { stack: string }).stack;
      const [head, ...frames] = error.remoteStack.split('\n');
      assert.equal(head, 'SyntaxError: chain step 1 ("failingStep") failed: step exploded');
      assert.deepEqual(frames, stepStack.split('\n').slice(1));
      assert.match(frames[0] ?? '', /makeStepError .*chain-tasks\.js/);

      // cause: the step's error as rethrown by the chain (name, code), and under it the original.
      const cause = error.cause as Error & { code?: unknown };
      assert.equal(cause.name, 'SyntaxError');
      assert.equal(cause.message, 'chain step 1 ("failingStep") failed: step exploded');
      assert.equal(cause.code, 'E_STEP');
      const original = cause.cause as Error & { code?: unknown };
      assert.equal(original.message, 'step exploded');
      assert.equal(original.stack, stepStack);
      assert.equal(original.code, 'E_STEP');
    });
  });

  it('the failing step index counts from 0 and the message names the step', async () => {
    await withManager(async (manager) => {
      await assert.rejects(manager.run(chain(failingStep('first'))), /chain step 0 \("failingStep"\) failed: first/);
      await assert.rejects(manager.run(chain(double(1), double(2), failingStep('third'))), /chain step 2 \("failingStep"\) failed: third/);
    });
  });

  it('with failFast, a scheduled failing chain makes the reader throw the same TaskError', async () => {
    await withManager(async (manager) => {
      manager.schedule(chain(double(1), failingStep('scheduled failure')));
      await assert.rejects(readAll(manager), (error: unknown) => {
        assert.ok(error instanceof TaskError);
        assert.match(error.message, /chain step 1 \("failingStep"\) failed: scheduled failure/);
        return true;
      });
    });
  });

  it('a thrown value that cannot be printed fails its task with a description, and the worker lives on', async () => {
    await withManager(async (manager) => {
      const error = await manager.run(throwUnprintable()).then(
        () => assert.fail('should reject'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof TaskError);
      assert.match(error.message, /failed on worker \d: NonError: a non-Error value was thrown: \[object Object\]$/);
      assert.equal(await manager.run(double(5)), 10);
    });
  });
});
