import { handle } from './handler.js';

export default function run(task) {
  return handle(task);
}
