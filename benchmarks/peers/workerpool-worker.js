import workerpool from 'workerpool';
import { handle } from './handler.js';

workerpool.worker({
  run: handle,
  chatter(n) {
    for (let i = 0; i < n; i++) workerpool.workerEmit({ i });
  },
});
