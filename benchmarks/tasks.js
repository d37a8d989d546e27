// The suite's task module for tasklane (plain ESM: worker threads on Node 20 cannot load .ts).
import { defineTask } from 'tasklane';
import { hashWork, spinFor } from './lib/work.js';

/** Does nothing and sends nothing: the cost measured is the pool's own. */
export const noop = defineTask('noop', () => undefined);

/** Fan-out: spawns `n` no-op subtasks at `priority` from inside the worker. */
export const fan = defineTask('fan', (ctx, n, priority) => {
  for (let i = 0; i < n; i++) ctx.schedule(noop(), priority);
});

/** Fan-out as peers must do it: returns the list, and the main thread submits it. */
export const list = defineTask('list', (_ctx, n) => Array.from({ length: n }, (_, i) => i));

/** Sends `n` small messages to the single reader. */
export const chatter = defineTask('chatter', async (ctx, n) => {
  for (let i = 0; i < n; i++) await ctx.send({ i });
});

/** Sends one message holding the moment it started (epoch ms, sub-ms precision). */
export const stamp = defineTask('stamp', (ctx) => ctx.send(performance.timeOrigin + performance.now()));

/** Never returns: only kill can stop it. */
export const spin = defineTask('spin', () => {
  for (;;);
});

/** Busy for `us` microseconds. */
export const busy = defineTask('busy', (_ctx, us) => spinFor(us));

/** About 1 ms of SHA-256 (calibrated `rounds`); returns its own duration in ms. */
export const hash = defineTask('hash', (_ctx, rounds) => hashWork(rounds));

/** Soak and load: a task that fails on purpose. */
export const fail = defineTask('fail', (_ctx, why) => {
  throw new Error(`failing on purpose: ${why}`);
});

/** Soak: sends `messages` messages, spawns `children` no-ops (and one `fail` every `failEvery`), then waits `ms`. */
export const mixed = defineTask('mixed', async (ctx, messages, children, ms) => {
  for (let i = 0; i < messages; i++) await ctx.send({ from: ctx.taskId, i });
  for (let i = 0; i < children; i++) ctx.schedule(noop(), 1);
  if (ms > 0) {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(ctx.signal.reason);
      }, { once: true });
    });
  }
});
