import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, WfRun } from '@filly/proto';
import { Command } from '@filly/proto/internal';
import { partitionOf, routingOf } from '../commands/routing.ts';
import { BatchApplier, type AppliedCommand } from '../engine/batch-applier.ts';
import type { CommandOutcome } from '../engine/engine-api.ts';
import type { PendingCommand } from '../engine/submit-queue.ts';
import { makeFakeApply, TASK_GUID } from '../engine/testing/fake-apply.ts';
import { runWfCommand, strVar } from '../engine/testing/commands.ts';
import { PARTITIONS, recordingLogger, testLimits } from '../engine/testing/harness.ts';
import type { ProcessorContext } from '../processor/context.ts';
import { Records } from '../processor/records.ts';
import { wfRunKey } from '../store/keys.ts';
import { MemoryKv } from '../store/memory-kv.ts';
import { StateCache } from '../store/state-cache.ts';
import { preparePartitionBatch } from './partition-batch.ts';
import type { FetchedRecord } from './partition-fetcher.ts';

const TOPICS = { coreCommand: 'cmd', coreRepartition: 'rep', metadataCommand: 'mcmd', coreChangelog: 'log', metadataChangelog: 'mlog' };

/** The fake processor, plus a claim that marks its WfRun COMPLETED (a change the test can see). */
const fake = makeFakeApply();
function apply(ctx: ProcessorContext): ReturnType<typeof fake> {
  const body = ctx.command.body;
  if (body?.$case !== 'taskClaimEvent') return fake(ctx);
  const id = body.value.taskRunId?.wfRunId ?? { id: '' };
  const key = wfRunKey(ctx.partition, ctx.tenant, id);
  const run = ctx.get(Records.wfRun, key);
  if (!run) throw new Error(`no WfRun ${id.id}`);
  run.status = LHStatus.COMPLETED;
  ctx.put(Records.wfRun, key, run);
  return undefined;
}

function claimCommand(wfRunId: string): Command {
  const body: Command['body'] = { $case: 'taskClaimEvent', value: { taskRunId: { wfRunId: { id: wfRunId }, taskGuid: TASK_GUID }, taskWorkerId: 'w-1' } };
  return Command.fromPartial({ commandId: `claim-${wfRunId}`, timeMs: BigInt(Date.now()), tenantId: 'default', partition: partitionOf(routingOf(body), PARTITIONS), body });
}

function pendingOf(command: Command): PendingCommand & { answer: Promise<CommandOutcome> } {
  let resolve!: (o: CommandOutcome) => void;
  let reject!: (e: Error) => void;
  const answer = new Promise<CommandOutcome>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { payload: Command.encode(command).finish(), resolve, reject, answer };
}

function recordOf(command: Command, offset: bigint): FetchedRecord {
  return { topic: TOPICS.coreCommand, partition: command.partition, offset, key: null, value: Buffer.from(Command.encode(command).finish()), headers: new Map() };
}

function setup(): { applier: BatchApplier; kv: MemoryKv } {
  const kv = new MemoryKv();
  return { kv, applier: new BatchApplier(new StateCache(100), kv, apply, testLimits(), recordingLogger(), PARTITIONS) };
}

/** Stands in for a poller waiting on the owner: every task offered is claimed at once. */
function claimEveryTask(claimed: Command[]): (items: AppliedCommand[]) => PendingCommand[] {
  return (items) => {
    const out: PendingCommand[] = [];
    for (const item of items) {
      for (const e of item.effects) {
        if (e.kind !== 'task-scheduled') continue;
        const claim = claimCommand(e.task.taskRunId?.wfRunId?.id ?? '');
        claimed.push(claim);
        out.push(pendingOf(claim));
      }
      item.effects = item.effects.filter((e) => e.kind !== 'task-scheduled');
    }
    return out;
  };
}

test('a claim made while the batch offers its task joins the batch: its write is in the same transaction, its answer waits for it', async () => {
  const { applier, kv } = setup();
  const run = runWfCommand('early', PARTITIONS, { task: strVar('greet') });
  const claimed: Command[] = [];
  const resubmitted: PendingCommand[] = [];
  const batch = await preparePartitionBatch(
    { partition: run.partition, commands: [recordOf(run, 7n)], repartition: [], positions: { commands: 8n, repartition: 0n } },
    { applier, kv, topics: TOPICS, runId: 'r', batchSeq: 1, logger: recordingLogger(), dispatchTasks: claimEveryTask(claimed), resubmit: (c) => resubmitted.push(...c) },
  );
  assert.equal(claimed.length, 1, 'the RunWf scheduled one task and the poller claimed it');
  assert.deepEqual(resubmitted, []);
  assert.deepEqual(batch.claims.map((c) => c.outcome.ok), [true]);
  assert.deepEqual(batch.outcomes.map((o) => o.commandId), [run.commandId], 'the claim is answered through batch.claims, after the commit');
  assert.ok(!batch.effects.some((e) => e.kind === 'task-scheduled'), 'the task was offered already; it is not offered again after the commit');
  const key = wfRunKey(run.partition, 'default', { id: 'early' });
  const record = batch.outgoing.find((r) => r.topic === TOPICS.coreChangelog && r.key.toString('utf8') === key);
  assert.ok(record?.value, 'the WfRun goes to the changelog');
  assert.equal(WfRun.decode(record.value).status, LHStatus.COMPLETED, 'with the claim applied on top of the RunWf');
  assert.deepEqual(batch.localWrites.find((w) => w.key === key)?.value, new Uint8Array(record.value));
});

test('claims that cannot join the batch go through the command topic instead', async () => {
  const { applier, kv } = setup();
  const run = runWfCommand('late', PARTITIONS, { task: strVar('greet') });
  const resubmitted: PendingCommand[] = [];
  // A poller that answers with a claim on a WfRun this batch does not hold in memory.
  const stray = claimCommand('elsewhere');
  const batch = await preparePartitionBatch(
    { partition: run.partition, commands: [recordOf(run, 0n)], repartition: [], positions: { commands: 1n, repartition: 0n } },
    {
      applier, kv, topics: TOPICS, runId: 'r', batchSeq: 1, logger: recordingLogger(),
      dispatchTasks: () => [pendingOf(stray)],
      resubmit: (c) => resubmitted.push(...c),
    },
  );
  assert.equal(resubmitted.length, 1);
  assert.deepEqual(Command.decode(resubmitted[0]!.payload).commandId, stray.commandId);
  assert.deepEqual(batch.claims, []);
  const key = wfRunKey(run.partition, 'default', { id: 'late' });
  const record = batch.outgoing.find((r) => r.key.toString('utf8') === key);
  assert.equal(WfRun.decode(record!.value!).status, LHStatus.RUNNING, 'nothing of the claim was applied');
});
