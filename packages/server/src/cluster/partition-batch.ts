// One partition's share of a fetched round: the commands applied with the same processor as
// embedded mode, turned into the records of one Kafka transaction (changelog records, timers
// for other partitions, the new input positions) and the local writes that follow its commit.
import { Command, StoredTimer } from '@filly/proto/internal';
import type { Effect } from '../processor/context.ts';
import type { AppliedBatch, AppliedCommand, BatchApplier } from '../engine/batch-applier.ts';
import type { PendingCommand } from '../engine/submit-queue.ts';
import { applyClaims } from '../engine/early-claims.ts';
import { observeFiredTimers, type EngineObserver } from '../engine/engine-observer.ts';
import type { CommandOutcome } from '../engine/engine-api.ts';
import type { KvStore, KvWrite } from '../store/kv-store.ts';
import { METADATA_PARTITION } from '../commands/routing.ts';
import { firedTimerKeyOf } from '../commands/fired-timer.ts';
import { encodePositions, inputPositionKey, isTimerKey, ORIGIN_HEADER, partitionOfStoreKey, type InputPositions } from './changelog-records.ts';
import type { FetchedRecord } from './partition-fetcher.ts';

export interface KafkaTopicNames {
  coreCommand: string;
  coreRepartition: string;
  metadataCommand: string;
  coreChangelog: string;
  metadataChangelog: string;
}

export interface OutgoingRecord {
  topic: string;
  partition: number;
  key: Buffer;
  value: Buffer | undefined;
  headers: Map<Buffer, Buffer>;
}

export interface PreparedBatch {
  partition: number;
  outgoing: OutgoingRecord[];
  /** Local store writes once the transaction commits (state, positions). */
  localWrites: KvWrite[];
  /** Outcomes by command id, given to waiters after the commit. */
  outcomes: Array<{ commandId: string; outcome: CommandOutcome }>;
  effects: Effect[];
  /** Changelog records in this batch (the local checkpoint moves past them after commit). */
  changelogCount: number;
  /** Commands the processor applied (duplicates and misrouted ones are answered, not applied). */
  appliedCount: number;
  /** Claims pollers made on this batch's tasks while it was applied, answered after its commit. */
  claims: Array<{ pending: PendingCommand; outcome: CommandOutcome }>;
}

export interface BatchInput {
  partition: number;
  commands: FetchedRecord[];
  repartition: FetchedRecord[];
  positions: InputPositions;
}

const ok: CommandOutcome = { ok: true, response: undefined };

export async function preparePartitionBatch(
  input: BatchInput,
  deps: {
    applier: BatchApplier;
    kv: KvStore;
    topics: KafkaTopicNames;
    runId: string;
    batchSeq: number;
    logger: { warn(o: object, m: string): void };
    observer?: EngineObserver;
    /**
     * Hands the task effects of the applied commands to the task queues now (EarlyClaims) and
     * returns the claims waiting pollers made on them: applied in this batch, committed in its
     * transaction, so a new task reaches a worker one command round trip sooner.
     */
    dispatchTasks?: (items: AppliedCommand[]) => PendingCommand[];
    /** Claims that cannot join the batch go the usual way, through the command topic. */
    resubmit?: (claims: PendingCommand[]) => void;
  },
): Promise<PreparedBatch> {
  const { partition } = input;
  const outcomes: PreparedBatch['outcomes'] = [];
  const commands: Command[] = [];
  const firedTimers = new Set<string>();
  for (const record of input.commands) {
    let command: Command;
    try {
      command = Command.decode(record.value ?? new Uint8Array());
    } catch (err) {
      deps.logger.warn({ err, partition, offset: record.offset.toString() }, 'skipping an undecodable command record');
      continue;
    }
    if (command.partition !== partition) {
      outcomes.push({ commandId: command.commandId, outcome: { ok: false, code: 13, message: `command stamped for partition ${command.partition} arrived on ${partition}` } });
      continue;
    }
    const timerKey = firedTimerKeyOf(command);
    if (timerKey !== undefined) {
      // A timer can fire twice across an ownership change; only the first firing may apply.
      if (firedTimers.has(timerKey) || (await deps.kv.get(timerKey)) === undefined) {
        outcomes.push({ commandId: command.commandId, outcome: ok });
        continue;
      }
      firedTimers.add(timerKey);
    }
    commands.push(command);
  }
  await deps.applier.prefetch(commands);
  const applyStartMs = performance.now();
  const applied = deps.applier.applyBatch(commands, deps.batchSeq);
  if (deps.observer !== undefined) {
    deps.observer.batchApplied(commands.length, performance.now() - applyStartMs);
    observeFiredTimers(deps.observer, commands, Date.now());
  }
  const early = deps.dispatchTasks?.(applied.items) ?? [];
  try {
    return finishBatch(input, deps, commands, applied, outcomes, early);
  } catch (err) {
    // Pollers are waiting for these claims; a claim resubmitted already has its answer coming.
    for (const p of early) p.reject(new Error('the batch holding this claim could not be prepared', { cause: err }));
    throw err;
  }
}

function finishBatch(
  input: BatchInput,
  deps: Parameters<typeof preparePartitionBatch>[1],
  commands: Command[],
  applied: AppliedBatch,
  outcomes: PreparedBatch['outcomes'],
  early: PendingCommand[],
): PreparedBatch {
  const { partition } = input;
  const effects: Effect[] = [];
  const keepEffects = (item: AppliedCommand): void => {
    for (const e of item.effects) if (e.kind !== 'timer' || e.partition === partition) effects.push(e);
  };
  applied.items.forEach((item, i) => {
    outcomes.push({ commandId: commands[i]!.commandId, outcome: item.outcome });
    keepEffects(item);
  });
  const claims = applyEarlyClaims(early, partition, applied, deps, keepEffects);
  const writes = applied.writes;
  for (const record of input.repartition) {
    // A timer another partition's command scheduled here: it becomes part of this partition's state.
    if (record.key === null || record.value === null) continue;
    const key = record.key.toString('utf8');
    if (partitionOfStoreKey(key) !== partition || !isTimerKey(key)) {
      deps.logger.warn({ partition, key }, 'skipping a repartition record that is not a timer of this partition');
      continue;
    }
    const timer = StoredTimer.decode(record.value);
    writes.set(key, new Uint8Array(record.value));
    effects.push({ kind: 'timer', key, dueMs: Number(timer.dueMs), partition });
  }
  return { ...toRecords(partition, writes, input.positions, outcomes, effects, deps.topics, deps.runId), appliedCount: commands.length + claims.length, claims };
}

/**
 * Applies the claims pollers made during dispatch at the end of the batch. They must be of this
 * partition with their WfRuns in memory (a poller answers an offer with a claim on that task);
 * otherwise they are all resubmitted through the command topic.
 */
function applyEarlyClaims(
  early: PendingCommand[],
  partition: number,
  applied: AppliedBatch,
  deps: { applier: BatchApplier; batchSeq: number; resubmit?: (claims: PendingCommand[]) => void },
  keepEffects: (item: AppliedCommand) => void,
): PreparedBatch['claims'] {
  if (early.length === 0) return [];
  const commands = early.map((p) => Command.decode(p.payload));
  const items = commands.every((c) => c.partition === partition) ? applyClaims(deps.applier, applied, commands, deps.batchSeq) : undefined;
  if (items === undefined) {
    if (deps.resubmit === undefined) throw new Error('claims were captured with nowhere to resubmit them');
    deps.resubmit(early);
    return [];
  }
  return items.map((item, i) => {
    keepEffects(item);
    return { pending: early[i]!, outcome: item.outcome };
  });
}

function toRecords(
  partition: number,
  writes: Map<string, Uint8Array | null>,
  positions: InputPositions,
  outcomes: PreparedBatch['outcomes'],
  effects: Effect[],
  topics: KafkaTopicNames,
  runId: string,
): Omit<PreparedBatch, 'appliedCount' | 'claims'> {
  const headers = new Map([[Buffer.from(ORIGIN_HEADER, 'utf8'), Buffer.from(runId, 'utf8')]]);
  const changelogTopic = partition === METADATA_PARTITION ? topics.metadataChangelog : topics.coreChangelog;
  const changelogPartition = partition === METADATA_PARTITION ? 0 : partition;
  const outgoing: OutgoingRecord[] = [];
  const localWrites: KvWrite[] = [];
  for (const [key, value] of writes) {
    const owner = partitionOfStoreKey(key);
    if (owner === partition) {
      outgoing.push({ topic: changelogTopic, partition: changelogPartition, key: Buffer.from(key, 'utf8'), value: value === null ? undefined : Buffer.from(value), headers });
      localWrites.push({ key, value });
    } else if (owner !== undefined && owner >= 0 && isTimerKey(key) && value !== null) {
      outgoing.push({ topic: topics.coreRepartition, partition: owner, key: Buffer.from(key, 'utf8'), value: Buffer.from(value), headers });
    } else {
      throw new Error(`partition ${partition} wrote key ${key}, which it does not own`);
    }
  }
  const positionKey = inputPositionKey(partition);
  const positionValue = encodePositions(positions);
  outgoing.push({ topic: changelogTopic, partition: changelogPartition, key: Buffer.from(positionKey, 'utf8'), value: Buffer.from(positionValue), headers });
  localWrites.push({ key: positionKey, value: positionValue });
  const changelogCount = outgoing.filter((r) => r.topic === changelogTopic).length;
  return { partition, outgoing, localWrites, outcomes, effects, changelogCount };
}
