// Start-up replay: re-applies the log from the store's checkpoint through the same path as live
// commands, in chunks, each written to the store with its checkpoint. Nobody waits for replies.
// At start-up effects are dropped because timers and task queues are rebuilt from the store
// afterwards; recovery from a failed store write runs them (see Engine #recoverStore).
import { Command, type ApplyCheckpoint } from '@filly/proto/internal';
import type { SegmentLog } from '../log/segment-log.ts';
import type { Effect } from '../processor/context.ts';
import { APPLY_CHECKPOINT_KEY } from '../store/keys.ts';
import type { KvStore } from '../store/kv-store.ts';
import type { StateCache } from '../store/state-cache.ts';
import type { BatchApplier } from './batch-applier.ts';
import { encodeCheckpoint } from './startup-loads.ts';

export interface ReplayDeps {
  log: SegmentLog;
  from: number;
  /** Last offset to replay (inclusive); default: the end of the log. */
  to?: number;
  applier: BatchApplier;
  cache: StateCache;
  kv: KvStore;
  maxCommandsPerBatch: number;
  nextBatchSeq: () => number;
  /** Effects of the replayed commands, after their chunk is stored; dropped when absent. */
  onEffects?: (effects: Effect[]) => void;
}

/** Where start-up replay begins; refuses a store and a log that cannot both be right. */
export function replayStart(checkpoint: ApplyCheckpoint | undefined, log: Pick<SegmentLog, 'firstOffset' | 'nextOffset'>): number {
  const from = checkpoint === undefined ? 0 : Number(checkpoint.appliedOffset) + 1;
  if (from > log.nextOffset) {
    throw new Error(
      `the store has applied the log up to offset ${from - 1} but the log ends before offset ${log.nextOffset}: ` +
        'acknowledged records are missing from the log; refusing to start',
    );
  }
  if (from < log.firstOffset) throw new Error(`the log no longer holds offset ${from}, where replay must start`);
  return from;
}

export async function replayLog(deps: ReplayDeps): Promise<{ commands: number }> {
  let chunk: Command[] = [];
  let lastOffset = deps.from - 1;
  let commands = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const seq = deps.nextBatchSeq();
    await deps.applier.prefetch(chunk);
    const applied = deps.applier.applyBatch(chunk, seq);
    applied.writes.set(APPLY_CHECKPOINT_KEY, encodeCheckpoint(lastOffset));
    await deps.kv.write([...applied.writes].map(([key, value]) => ({ key, value })));
    deps.cache.markDurable(seq);
    if (deps.onEffects) for (const item of applied.items) deps.onEffects(item.effects);
    deps.cache.evict();
    commands += chunk.length;
    chunk = [];
  };
  for await (const record of deps.log.read(deps.from)) {
    if (record.offset !== lastOffset + 1) throw new Error(`log replay expected offset ${lastOffset + 1}, read ${record.offset}`);
    chunk.push(Command.decode(record.payload));
    lastOffset = record.offset;
    if (chunk.length >= deps.maxCommandsPerBatch || record.offset === deps.to) await flush();
    if (record.offset === deps.to) break;
  }
  await flush();
  return { commands };
}
