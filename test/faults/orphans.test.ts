import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { within } from './helpers.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** There is no event for the end of a process that is not our child: check every 50 ms, for at most `ms`. */
async function gone(pids: number[], ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await delay(50)) if (!pids.some(alive)) return true;
  return !pids.some(alive);
}

describe('orphans', () => {
  it('worker processes exit by themselves when their manager is SIGKILLed', async () => {
    const parent = spawn(process.execPath, [fileURLToPath(new URL('../fixtures/orphan-parent.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pids: number[] = [];
    try {
      pids = await within(
        new Promise<number[]>((resolve, reject) => {
          let out = '';
          parent.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as number[]);
          });
          parent.on('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
        }),
        60_000, // a bound for a hang, not a speed claim: starting three Node processes takes seconds under load
        'worker pids',
      );
      assert.equal(pids.length, 2);
      assert.ok(pids.every(alive), 'workers run while the parent lives');
      parent.kill('SIGKILL');
      assert.ok(await gone(pids, 30_000), `worker processes ${pids.join(', ')} outlived their manager`);
    } finally {
      parent.kill('SIGKILL');
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
