/** The task API (src/task/): defineTask, argument checking, chain() and NullManager. Errors: task-errors.test.ts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NullManager, chain, defineTask, findUncarriable, isTaskFactory, type TaskCall } from 'tasklane';
import { cyclicValues } from '../shared/cyclic-values.js';

// Compile-time checks (npm run typecheck): they fail the type check, not the run.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type ResultOf<C> = C extends TaskCall<infer R> ? R : never;
const expectType = <T extends true>(_proof?: T): void => {};

const add = defineTask('add', (_ctx, a: number, b: number) => a + b);
const greet = defineTask('greet', async (_ctx, name: string) => `hello ${name}`);
const takesAnything = defineTask('takesAnything', (_ctx, ..._values: unknown[]) => 'ok');

/** The message of what `fn` throws, asserting it is a TypeError. */
function typeErrorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TypeError, `expected a TypeError, got ${String(error)}`);
    return error.message;
  }
  return assert.fail('expected a throw');
}

/** Asserts that calling the task with `value` as its only argument is refused at `path` for `reason`. */
function refusedAt(value: unknown, path: string, reason: RegExp): void {
  const message = typeErrorMessage(() => takesAnything(value));
  const prefix = `task "takesAnything" arguments cannot be sent between threads: ${path} is `;
  assert.ok(message.startsWith(prefix), `"${message}"\nshould start with "${prefix}"`);
  assert.match(message.slice(prefix.length), reason);
}

describe('defineTask', () => {
  it('returns a factory whose call is a plain { name, args } and runs nothing', () => {
    let ran = false;
    const task = defineTask('sideEffect', (_ctx, n: number) => {
      ran = true;
      return n;
    });
    assert.equal(typeof task, 'function');
    const call = task(7);
    assert.deepEqual(call, { name: 'sideEffect', args: [7] });
    assert.deepEqual(Object.keys(call), ['name', 'args']);
    assert.equal(ran, false);
    assert.deepEqual(add(1, 2), { name: 'add', args: [1, 2] });
    assert.deepEqual(defineTask('noArgs', () => 1)(), { name: 'noArgs', args: [] });
  });

  it('a call with object arguments deep-equals { name, args } and is trusted without a second walk', () => {
    const arg: { deep: Record<string, unknown> } = { deep: { list: [1] } };
    const call = takesAnything(arg, new Map([[1, 2]]));
    assert.deepStrictEqual(call, { name: 'takesAnything', args: [arg, new Map([[1, 2]])] });
    assert.deepEqual(Object.keys(call), ['name', 'args']);
    // Checked when made: chain() does not walk it again (the brand), while a copy is checked in full.
    arg.deep.later = () => 1;
    assert.doesNotThrow(() => chain(call));
    assert.throws(() => chain({ ...call }), /args\[0\]\.deep\.later is a function/);
  });

  it('a frozen hand-made call is checked, and accepted, each time', () => {
    const call = Object.freeze({ name: 'takesAnything', args: Object.freeze([{ a: 1 }]) });
    assert.doesNotThrow(() => chain(call));
    assert.doesNotThrow(() => chain(call));
  });

  it('exposes taskName and run, and is recognised by isTaskFactory()', () => {
    const body = (_ctx: unknown, a: number): number => a;
    const task = defineTask('exposed', body);
    assert.equal(task.taskName, 'exposed');
    assert.equal(task.run, body);
    assert.equal(isTaskFactory(task), true);
    assert.equal(isTaskFactory(() => 1), false);
    assert.equal(isTaskFactory({ taskName: 'exposed' }), false);
    assert.equal(isTaskFactory(undefined), false);
  });

  it('refuses a name that is not a non-empty string, and a body that is not a function', () => {
    for (const bad of ['', undefined, null, 42, Symbol('x'), {}]) {
      assert.match(typeErrorMessage(() => defineTask(bad as string, () => 1)), /defineTask: the name must be a non-empty string/);
    }
    assert.equal(typeErrorMessage(() => defineTask('noBody', 'not a function' as never)), 'defineTask("noBody"): the task must be a function');
  });

  it('refuses the reserved prefix tasklane:', () => {
    assert.equal(
      typeErrorMessage(() => defineTask('tasklane:chain', () => 1)),
      'defineTask: names starting with "tasklane:" are reserved, got "tasklane:chain"',
    );
    assert.match(typeErrorMessage(() => defineTask('tasklane:mine', () => 1)), /reserved, got "tasklane:mine"/);
    // Only the exact prefix is reserved.
    assert.doesNotThrow(() => defineTask('tasklaneish', () => 1));
    assert.doesNotThrow(() => defineTask('my:tasklane:x', () => 1));
  });

  it('is typed: arguments are checked by the compiler and the call carries the awaited result type', () => {
    expectType<Equal<ResultOf<ReturnType<typeof add>>, number>>();
    expectType<Equal<ResultOf<ReturnType<typeof greet>>, string>>();
    // @ts-expect-error: a string where a number is expected (at run time the call is still built)
    const wrong = add('1', 2);
    assert.deepEqual(wrong.args, ['1', 2]);
  });
});

describe('argument checking', () => {
  it('refuses a function, naming the task, the argument and the function', () => {
    function onDone(): void {}
    assert.equal(
      typeErrorMessage(() => takesAnything(1, onDone)),
      'task "takesAnything" arguments cannot be sent between threads: args[1] is a function (onDone); send data and look the code up by name',
    );
    refusedAt(() => 1, 'args[0]', /^a function \((anonymous|)\)/);
  });

  it('refuses a symbol', () => {
    refusedAt(Symbol('tag'), 'args[0]', /^a symbol \(Symbol\(tag\)\)$/);
    refusedAt({ kind: Symbol.iterator }, 'args[0].kind', /^a symbol \(Symbol\(Symbol\.iterator\)\)$/);
  });

  it('refuses class instances, naming the class (or saying it has none)', () => {
    class Point {
      x = 1;
    }
    refusedAt(new Point(), 'args[0]', /^an instance of Point, which would arrive as a plain object without its class$/);
    refusedAt({ when: new (class {})() }, 'args[0].when', /^an instance of an unnamed class/);
    refusedAt(Promise.resolve(1), 'args[0]', /^an instance of Promise/);
    refusedAt(new WeakMap(), 'args[0]', /^an instance of WeakMap/);
  });

  it('gives the exact path through nested objects and arrays', () => {
    refusedAt({ a: { b: [0, 1, { c: () => 1 }] } }, 'args[0].a.b[2].c', /^a function/);
    refusedAt([[1, 2], [3, Symbol('deep')]], 'args[0][1][1]', /^a symbol/);
    refusedAt({ list: [{ ok: true }, { ok: false, cb: function cb() {} }] }, 'args[0].list[1].cb', /^a function \(cb\)/);
  });

  it('gives the exact path through Map keys and values, and Set items', () => {
    refusedAt(new Map([['k', () => 1]]), 'args[0].get("k")', /^a function/);
    refusedAt(new Map([[1, { deep: Symbol('s') }]]), 'args[0].get(1).deep', /^a symbol/);
    refusedAt(new Map<unknown, number>([['fine', 1], [Symbol('key'), 2]]), 'args[0].<key Symbol(key)>', /^a symbol \(Symbol\(key\)\)/);
    refusedAt(new Map([[{ fn() {} }, 1]]), 'args[0].<key [object Object]>.fn', /^a function \(fn\)/);
    refusedAt(new Set([1, 'two', new WeakSet()]), 'args[0].<item 2>', /^an instance of WeakSet/);
    refusedAt({ tags: new Set([{ nested: [() => 1] }]) }, 'args[0].tags.<item 0>.nested[0]', /^a function/);
  });

  it('names a Map key that has no usable toString without throwing something else', () => {
    const key = Object.create(null) as Record<string, unknown>;
    key.bad = Symbol('inside');
    refusedAt(new Map([[key, 1]]), 'args[0].<key [object Object]>.bad', /^a symbol/);
    // And such a key, being plain data, is carried.
    assert.doesNotThrow(() => takesAnything(new Map([[Object.create(null), 1]])));
  });

  it('allows cycles (objects, arrays, Maps, Sets) and shared references', () => {
    const { object, array, map, set } = cyclicValues();
    const shared = { n: 1 };
    assert.doesNotThrow(() => takesAnything(object, array, map, set, [shared, shared]));
    // A cycle does not hide a bad value behind it.
    const bad: Record<string, unknown> = {};
    bad.loop = { back: bad, fn: () => 1 };
    refusedAt(bad, 'args[0].loop.fn', /^a function/);
    // A cycle back past more than 16 objects (where the walk switches to a Set) still ends.
    const wide: Record<string, unknown> = { items: Array.from({ length: 20 }, (_, i) => ({ i })) };
    (wide.items as Array<Record<string, unknown>>)[19]!.up = wide;
    assert.doesNotThrow(() => takesAnything(wide));
  });

  it('allows every carried type: Map, Set, Date, RegExp, Error, typed arrays, Buffer, BigInt, null, undefined', () => {
    const values = [
      new Map([[1, new Set([2])]]),
      new Set(['a']),
      new Date(0),
      /x+/gi,
      new RangeError('carried'),
      new Uint8Array(4),
      new Float64Array([1.5]),
      new DataView(new ArrayBuffer(2)),
      new ArrayBuffer(8),
      Buffer.from('bytes'),
      12345678901234567890n,
      null,
      undefined,
      Object.create(null),
      { nested: { deeper: [1, 'two', true, -0, Number.NaN] } },
      { [Symbol('not data')]: () => 1 }, // symbol-keyed properties are not carried, so not checked
    ];
    const call = takesAnything(...values);
    assert.equal(call.args.length, values.length);
    assert.equal(findUncarriable(values, 'args'), undefined);
  });

  it('findUncarriable() returns the path and the reason, or undefined', () => {
    assert.deepEqual(findUncarriable({ a: [Symbol('q')] }, 'value'), { path: 'value.a[0]', reason: 'a symbol (Symbol(q))' });
    assert.equal(findUncarriable({ a: [1] }, 'value'), undefined);
  });
});

describe('chain()', () => {
  it('builds one call of the reserved chain task with [name, args] steps', () => {
    const call = chain(add(1, 2), greet('ann'));
    // Before the deepEqual below: assert.deepEqual narrows `call` to the expected value's type.
    expectType<Equal<ResultOf<typeof call>, [number, string]>>();
    assert.deepEqual(call, {
      name: 'tasklane:chain',
      args: [
        [
          ['add', [1, 2]],
          ['greet', ['ann']],
        ],
      ],
    });
    const single = chain(add(1, 1));
    expectType<Equal<ResultOf<typeof single>, [number]>>();
    assert.equal(single.args.length, 1);
  });

  it('refuses an empty chain', () => {
    assert.equal(typeErrorMessage(() => chain()), 'chain() needs at least one task call');
  });

  it('checks every step, naming the step', () => {
    assert.equal(
      typeErrorMessage(() => chain(add(1, 2), null as never)),
      'chain() step 1: expected a task call such as hashFile(path), got null',
    );
    assert.match(typeErrorMessage(() => chain('add' as never)), /^chain\(\) step 0: expected a task call .*got string$/);
    assert.match(typeErrorMessage(() => chain({ name: '', args: [] })), /^chain\(\) step 0: a task call needs a non-empty string name/);
    assert.match(typeErrorMessage(() => chain(add(1, 2), { name: 'x' } as never)), /^chain\(\) step 1: task call "x" needs an args array, got undefined$/);
    // A hand-made step is checked in full, with the path of the bad value.
    assert.equal(
      typeErrorMessage(() => chain(add(1, 2), { name: 'handMade', args: [{ cb: () => 1 }] })),
      'task "handMade" arguments cannot be sent between threads: args[0].cb is a function (cb); send data and look the code up by name',
    );
  });
});

describe('NullManager', () => {
  it('runs a defined task in-process, by its call or through the factory', async () => {
    const ctx = new NullManager();
    assert.equal(await ctx.run(add(2, 3)), 5);
    assert.equal(await ctx.run(greet('bo')), 'hello bo');
    assert.equal(await add.run(ctx, 4, 5), 9);
    assert.equal(ctx.taskId, 0);
    assert.equal(ctx.workerId, 0);
    assert.equal(ctx.signal.aborted, false);
  });

  it('passes the session and signal it was given', async () => {
    const controller = new AbortController();
    const seen = defineTask('seen', (ctx) => ({ session: ctx.session, signal: ctx.signal }));
    const ctx = new NullManager({ session: { db: 'fake' }, signal: controller.signal });
    const result = (await ctx.run(seen())) as { session: unknown; signal: AbortSignal };
    assert.deepEqual(result.session, { db: 'fake' });
    assert.equal(result.signal, controller.signal);
  });

  it('send() records messages in order and refuses one that cannot be carried', async () => {
    const chatty = defineTask('chattyNull', async (ctx, n: number) => {
      for (let i = 0; i < n; i++) await ctx.send({ i, at: new Date(i) });
      return n;
    });
    const ctx = new NullManager();
    assert.equal(await ctx.run(chatty(3)), 3);
    assert.deepEqual(ctx.sent, [0, 1, 2].map((i) => ({ i, at: new Date(i) })));
    assert.equal(
      typeErrorMessage(() => ctx.send({ nested: { fn() {} } })),
      'a message cannot be sent between threads: message.nested.fn is a function (fn); send data and look the code up by name',
    );
    assert.equal(ctx.sent.length, 3, 'the refused message was not recorded');
  });

  it('schedule() throws a clear error naming the task, and a task that schedules fails with it', async () => {
    const ctx = new NullManager();
    assert.throws(() => ctx.schedule(add(1, 2)), {
      message: 'NullManager cannot schedule "add": no tasks can be scheduled in-process; use a ProcessManager',
    });
    const spawner = defineTask('spawner', (c) => c.schedule(add(1, 1), 0));
    await assert.rejects(ctx.run(spawner()), /NullManager cannot schedule "add": no tasks can be scheduled in-process/);
  });

  it('runs a chain step by step and returns the results in order', async () => {
    const order: string[] = [];
    const step = defineTask('orderedStep', async (_ctx, label: string) => {
      order.push(label);
      return label.toUpperCase();
    });
    const ctx = new NullManager();
    assert.deepEqual(await ctx.run(chain(step('a'), add(1, 2), step('b'))), ['A', 3, 'B']);
    assert.deepEqual(order, ['a', 'b']);
    // A chain inside a chain is a step like any other.
    assert.deepEqual(await ctx.run(chain(chain(add(1, 1), step('c')), step('d'))), [[2, 'C'], 'D']);
  });

  it('a failing chain step stops the chain and its error reaches the caller', async () => {
    const ran: string[] = [];
    const ok = defineTask('okStep', (_ctx, label: string) => {
      ran.push(label);
      return label;
    });
    const bad = defineTask('badStep', () => {
      throw new RangeError('step broke');
    });
    const ctx = new NullManager();
    await assert.rejects(ctx.run(chain(ok('first'), bad(), ok('never'))), (error: unknown) => {
      const messages = [];
      for (let e = error; e instanceof Error; e = e.cause) messages.push(e.message);
      assert.ok(messages.some((m) => m.includes('step broke')), `the step's error is the error or its cause: ${messages.join(' <- ')}`);
      assert.equal(messages[0], 'chain step 1 ("badStep") failed: step broke', 'in-process chains name the step as workers do');
      return true;
    });
    assert.deepEqual(ran, ['first']);
  });

  it('rejects an unknown task name, and a value that is not a call', async () => {
    const ctx = new NullManager();
    await assert.rejects(ctx.run({ name: 'neverDefined', args: [] }), {
      message: 'NullManager.run(): no task named "neverDefined" is defined in this thread; import its module first',
    });
    await assert.rejects(ctx.run(chain(add(1, 2), { name: 'alsoMissing', args: [] })), /no task named "alsoMissing"/);
    await assert.rejects(ctx.run(42 as never), /NullManager\.run\(\): expected a task call/);
    await assert.rejects(ctx.run({ name: 'add', args: [() => 1] }), /args\[0\] is a function/);
  });

  it('a failing task rejects with its own error (not wrapped)', async () => {
    const boom = new Error('own error');
    const thrower = defineTask('thrower', () => {
      throw boom;
    });
    await assert.rejects(new NullManager().run(thrower()), (error) => error === boom);
  });

  it('the last definition of a name wins, as with module re-evaluation', async () => {
    defineTask('redefined', () => 'first');
    defineTask('redefined', () => 'second');
    assert.equal(await new NullManager().run({ name: 'redefined', args: [] }), 'second');
  });
});
