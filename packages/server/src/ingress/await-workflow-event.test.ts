import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { WorkflowEvent } from '@filly/proto';
import { ApiError, Code } from '../processor/api-error.ts';
import { Records } from '../processor/records.ts';
import { workflowEventTopic } from '../processor/workflow-event-topic.ts';
import { DEFAULT_LIMITS } from '../config/limits.ts';
import { Watchers } from '../engine/watchers.ts';
import type { EngineApi } from '../engine/engine-api.ts';
import * as keys from '../store/keys.ts';
import type { IngressDeps } from './deps.ts';
import { awaitWorkflowEvent, type AwaitCall } from './await-workflow-event.ts';

/** Just enough engine for the waiter: a sorted store, watch topics, one partition. */
function fakeDeps(limits: Partial<typeof DEFAULT_LIMITS> = {}) {
  const store = new Map<string, Uint8Array>();
  const watchers = new Watchers();
  let scans = 0;
  const engine = {
    partitionCount: 1,
    watch: (_partition: number, topic: string, listener: (detail: string) => void) => watchers.add(topic, listener),
    async scan<T>(codec: { decode(b: Uint8Array): T }, prefix: string, options: { afterKey?: string; limit: number }) {
      scans += 1;
      const rows = [...store.keys()].filter((k) => k.startsWith(prefix) && (options.afterKey === undefined || k > options.afterKey)).sort();
      return rows.slice(0, options.limit).map((key) => ({ key, value: codec.decode(store.get(key) as Uint8Array) }));
    },
  } as unknown as EngineApi;
  const deps = { engine, config: { limits: { ...DEFAULT_LIMITS, ...limits } } } as unknown as IngressDeps;
  const throwEvent = (def: string, number: number, createdMs: number): void => {
    const event: WorkflowEvent = {
      id: { wfRunId: { id: 'wf' }, workflowEventDefId: { name: def }, number },
      content: undefined,
      createdAt: { seconds: BigInt(Math.floor(createdMs / 1000)), nanos: (createdMs % 1000) * 1e6 },
      nodeRunId: undefined,
    };
    store.set(keys.workflowEventKey(0, 'default', event.id!), Records.workflowEvent.encode(event));
    watchers.emit(workflowEventTopic('default', { id: 'wf' }), `${def}/${number}`);
  };
  return { deps, watchers, throwEvent, scans: () => scans };
}

class FakeCall extends EventEmitter implements AwaitCall {
  deadline: Date | number;
  constructor(deadline: Date | number = Infinity) {
    super();
    this.deadline = deadline;
  }
  getDeadline(): Date | number {
    return this.deadline;
  }
}

const ctx = { tenant: 'default', principal: 'anonymous' };
const req = (defs: string[], ignore: Array<[string, number]> = []) => ({
  wfRunId: { id: 'wf' },
  eventDefIds: defs.map((name) => ({ name })),
  workflowEventsToIgnore: ignore.map(([name, number]) => ({ wfRunId: { id: 'wf' }, workflowEventDefId: { name }, number })),
});
const topic = workflowEventTopic('default', { id: 'wf' });
const codeOfRejection = async (p: Promise<unknown>): Promise<number | undefined> => {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
};

test('an event thrown while waiting wakes the waiter, which then removes its listener', async () => {
  const { deps, watchers, throwEvent } = fakeDeps();
  const call = new FakeCall();
  const waiting = awaitWorkflowEvent(deps, ctx, req(['done']), call);
  assert.equal(watchers.listenerCount(topic), 1);
  throwEvent('other', 0, 1_000);
  throwEvent('done', 0, 2_000);
  const event = await waiting;
  assert.equal(event.id?.workflowEventDefId?.name, 'done');
  assert.equal(watchers.listenerCount(topic), 0);
  assert.equal(call.listenerCount('cancelled'), 0);
});

test('the oldest stored match that is not ignored is answered at once', async () => {
  const { deps, throwEvent } = fakeDeps();
  throwEvent('step', 0, 1_000);
  throwEvent('step', 1, 2_000);
  throwEvent('done', 0, 3_000);
  const any = await awaitWorkflowEvent(deps, ctx, req([]), new FakeCall());
  assert.equal(`${any.id?.workflowEventDefId?.name}/${any.id?.number}`, 'step/0');
  const skip = await awaitWorkflowEvent(deps, ctx, req(['step', 'done'], [['step', 0]]), new FakeCall());
  assert.equal(`${skip.id?.workflowEventDefId?.name}/${skip.id?.number}`, 'step/1');
});

test('cancellation and the deadline end the wait and free the listener and the budget', async () => {
  const { deps, watchers } = fakeDeps({ maxWorkflowEventWaiters: 1 });
  const call = new FakeCall();
  const cancelled = awaitWorkflowEvent(deps, ctx, req(['done']), call);
  assert.equal(await codeOfRejection(awaitWorkflowEvent(deps, ctx, req(['done']), new FakeCall())), Code.RESOURCE_EXHAUSTED);
  call.emit('cancelled');
  assert.equal(await codeOfRejection(cancelled), Code.CANCELLED);
  assert.equal(watchers.listenerCount(topic), 0);

  const started = Date.now();
  const timedOut = awaitWorkflowEvent(deps, ctx, req(['done']), new FakeCall(Date.now() + 80));
  assert.equal(await codeOfRejection(timedOut), Code.DEADLINE_EXCEEDED);
  assert.ok(Date.now() - started >= 70);
  assert.equal(watchers.listenerCount(topic), 0);
});

test('without a client deadline the server bound applies', async () => {
  const { deps, watchers } = fakeDeps({ maxAwaitWorkflowEventMs: 60 });
  const started = Date.now();
  assert.equal(await codeOfRejection(awaitWorkflowEvent(deps, ctx, req(['done']), new FakeCall())), Code.DEADLINE_EXCEEDED);
  const took = Date.now() - started;
  assert.ok(took >= 50 && took < 2_000, `took ${took} ms`);
  assert.equal(watchers.listenerCount(topic), 0);
});

test('a burst of wakes during a read causes one more read, not one per wake', async () => {
  const { deps, watchers, scans } = fakeDeps();
  const call = new FakeCall(Date.now() + 200);
  const waiting = awaitWorkflowEvent(deps, ctx, req(['done']), call);
  for (let i = 0; i < 50; i++) watchers.emit(topic, 'noise');
  assert.equal(await codeOfRejection(waiting), Code.DEADLINE_EXCEEDED);
  assert.ok(scans() <= 3, `${scans()} reads`);
});

test('invalid requests are refused before waiting', async () => {
  const { deps } = fakeDeps();
  await assert.rejects(awaitWorkflowEvent(deps, ctx, { ...req([]), wfRunId: undefined }, new FakeCall()), (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT);
  await assert.rejects(awaitWorkflowEvent(deps, ctx, req(['bad name!']), new FakeCall()), (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT);
});
