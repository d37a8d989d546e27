import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childExecArgv } from '../../src/manager/transport/process-transport.js';

describe('the Node flags a worker process inherits', () => {
  it('keeps loaders and memory flags, with their values', () => {
    assert.deepEqual(childExecArgv(['--import', 'tsx', '--max-old-space-size=64', '-r', './x.cjs', '--conditions=dev']), ['--import', 'tsx', '--max-old-space-size=64', '-r', './x.cjs', '--conditions=dev']);
  });

  it('drops -e, -p, --test and --inspect, which would rerun the parent script or fight over a port', () => {
    assert.deepEqual(childExecArgv(['-e', 'startManager()', '--import', 'tsx', '--test', '--inspect=9229', '-p', '1+1', '--eval=x()']), ['--import', 'tsx']);
  });
});
