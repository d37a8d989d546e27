/** The dispatch's choices around prefetch (src/manager/urgent-link.ts, withdraw-for-idle.ts), on stand-in links. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { urgentLink } from '../../src/manager/urgent-link.js';
import { leastLoaded, withdrawForIdle } from '../../src/manager/withdraw-for-idle.js';
import { createRecord, type TaskRecord } from '../../src/manager/task-record.js';
import type { WorkerLink } from '../../src/manager/worker-link.js';

interface FakeLink {
  ready: boolean;
  closeSent: boolean;
  lastSentPriority: number;
  inFlight: Map<number, TaskRecord>;
  withdrawn: number[];
  running: { task: TaskRecord; startedAt: number } | undefined;
  runningNow(): { task: TaskRecord; startedAt: number } | undefined;
  sendWithdraw(id: number): void;
}

let nextId = 1;

/** A link holding `count` tasks sent in order; the first is running since `startedAt` when that is given. */
function link(count: number, { startedAt, lastSentPriority = 1 }: { startedAt?: number; lastSentPriority?: number } = {}): FakeLink {
  const inFlight = new Map<number, TaskRecord>();
  for (let i = 0; i < count; i++) {
    const task = createRecord(nextId++, { name: 'noop', args: [] }, 1);
    task.state = 'sent';
    inFlight.set(task.id, task);
  }
  const first = inFlight.values().next().value;
  if (first && startedAt !== undefined) first.state = 'running';
  const fake: FakeLink = {
    ready: true,
    closeSent: false,
    lastSentPriority,
    inFlight,
    withdrawn: [],
    running: first && startedAt !== undefined ? { task: first, startedAt } : undefined,
    runningNow: () => fake.running,
    sendWithdraw: (id) => fake.withdrawn.push(id),
  };
  return fake;
}

const asLinks = (links: (FakeLink | undefined)[]) => links as unknown as (WorkerLink | undefined)[];
const ids = (l: FakeLink) => [...l.inFlight.keys()];

describe('urgentLink', () => {
  it('goes past the depth only to a worker holding less urgent work, the one whose task started last', () => {
    const early = link(4, { startedAt: 1000 });
    const late = link(4, { startedAt: 2000 });
    assert.equal(urgentLink(asLinks([early, late]), 4, 0), late);
    assert.equal(urgentLink(asLinks([early, late]), 4, 1), undefined, 'nothing to jump ahead of at the same priority');
    late.lastSentPriority = 0; // it just took one
    assert.equal(urgentLink(asLinks([early, late]), 4, 0), early);
  });

  it('never more than one past the depth, never to a worker below it, closing or not ready', () => {
    assert.equal(urgentLink(asLinks([link(5, { startedAt: 1 })]), 4, 0), undefined);
    assert.equal(urgentLink(asLinks([link(3, { startedAt: 1 })]), 4, 0), undefined);
    const closing = link(4, { startedAt: 1 });
    closing.closeSent = true;
    const booting = link(4, { startedAt: 1 });
    booting.ready = false;
    assert.equal(urgentLink(asLinks([closing, booting, undefined]), 4, 0), undefined);
  });
});

describe('withdrawForIdle', () => {
  it('asks a busy worker for the newer half of what it has not started, once, when another is idle', () => {
    const busy = link(5, { startedAt: 1 }); // running + 4 waiting
    const idle = link(0);
    withdrawForIdle(asLinks([busy, idle]));
    assert.deepEqual(busy.withdrawn, ids(busy).slice(3), 'the two newest of the four waiting');
    withdrawForIdle(asLinks([busy, idle]));
    assert.equal(busy.withdrawn.length, 2, 'nothing more while answers are due');
    for (const id of busy.withdrawn) busy.inFlight.delete(id); // answered "not run"
    withdrawForIdle(asLinks([busy, idle]));
    assert.deepEqual(busy.withdrawn.slice(2), [ids(busy)[2]], 'then the newer half of what is left');
  });

  it('gives back a single waiting task, never the running one, and nothing when no worker is idle', () => {
    const holding = link(2, { startedAt: 1 });
    withdrawForIdle(asLinks([holding, link(1, { startedAt: 1 })]));
    assert.deepEqual(holding.withdrawn, [], 'no idle worker');
    withdrawForIdle(asLinks([holding, link(0)]));
    assert.deepEqual(holding.withdrawn, [ids(holding)[1]]);
    const notReadyIdle = link(0);
    notReadyIdle.ready = false;
    const other = link(3, { startedAt: 1 });
    withdrawForIdle(asLinks([other, notReadyIdle]));
    assert.deepEqual(other.withdrawn, [], 'a worker still starting is not idle');
  });

  it('dispatch rounds start at the worker holding least', () => {
    assert.equal(leastLoaded(asLinks([link(3), link(0), link(1)])), 1);
    assert.equal(leastLoaded(asLinks([undefined, link(2)])), 1);
    assert.equal(leastLoaded(asLinks([undefined, undefined])), 0);
  });
});
