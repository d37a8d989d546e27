// The benchmark's task module for tasklane (plain JS: worker threads on Node 20 cannot load .ts).
import { defineTask } from 'tasklane';

/** Does nothing and sends nothing: the cost measured is the pool's own. */
export const noop = defineTask('noop', () => undefined);
