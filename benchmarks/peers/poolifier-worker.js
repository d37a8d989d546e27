import { ThreadWorker } from 'poolifier';
import { handle } from './handler.js';

export default new ThreadWorker(handle);
