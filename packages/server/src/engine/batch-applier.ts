// Applies a batch of commands to the cache: loads the WfRun groups they need (one prefix scan
// each, several at once), then runs each command's handler in its own transaction. Shared by the
// live loop and start-up replay, so both take exactly the same path.
import type { Command } from '@filly/proto/internal';
import type { Limits } from '../config/limits.ts';
import { routingOf } from '../commands/routing.ts';
import { firedTimerKeyOf } from '../commands/fired-timer.ts';
import { ApiError, Code } from '../processor/api-error.ts';
import type { Effect, HandlerResult, ProcessorContext } from '../processor/context.ts';
import { entityGroupPrefix, wfRunGroupPrefix } from '../store/keys.ts';
import type { KvStore, KvWrite } from '../store/kv-store.ts';
import type { StateCache } from '../store/state-cache.ts';
import { TxBuffer } from '../store/tx-buffer.ts';
import { isMetadataKey } from '../store/key-space.ts';
import type { CommandOutcome } from './engine-api.ts';
import { CommandContext } from './command-context.ts';
import type { EngineLogger } from './engine-logger.ts';

export type ApplyFn = (ctx: ProcessorContext) => HandlerResult;

/** A group larger than this is a bug (threads, nodes and variables are all bounded). */
const MAX_GROUP_KEYS = 1_000_000;
/** Group loads in flight at once. */
const PREFETCH_CONCURRENCY = 32;

export interface AppliedCommand {
  outcome: CommandOutcome;
  /** True when the command changed state and so belongs in the log. */
  logged: boolean;
  effects: Effect[];
}

export interface AppliedBatch {
  items: AppliedCommand[];
  /** Final value of every key the batch changed (null = deleted). */
  writes: Map<string, Uint8Array | null>;
}

/** The WfRun group a command must find in memory, if any. Throws for a malformed command. */
export function groupOfCommand(command: Command): string | undefined {
  const routing = routingOf(command.body);
  if (routing.kind === 'entity') return entityGroupPrefix(command.partition, command.tenantId, routing.entity, routing.key);
  if (routing.kind !== 'wf-run') return undefined;
  return wfRunGroupPrefix(command.partition, command.tenantId, routing.wfRunId);
}

export class BatchApplier {
  readonly #cache: StateCache;
  readonly #kv: KvStore;
  readonly #apply: ApplyFn;
  readonly #limits: Limits;
  readonly #logger: EngineLogger;
  readonly #partitionCount: number;

  constructor(cache: StateCache, kv: KvStore, apply: ApplyFn, limits: Limits, logger: EngineLogger, partitionCount: number) {
    this.#cache = cache;
    this.#kv = kv;
    this.#apply = apply;
    this.#limits = limits;
    this.#logger = logger;
    this.#partitionCount = partitionCount;
  }

  /** Loads every group the commands need that is not cached yet; returns the groups used. */
  async prefetch(commands: readonly Command[]): Promise<Set<string>> {
    const used = new Set<string>();
    const missing: string[] = [];
    for (const [group, command] of groupsOf(commands)) {
      used.add(group);
      if (this.#cache.hasGroup(group)) this.#cache.touchGroup(group);
      else if (startsFreshGroup(command)) this.#cache.installGroup(group, []);
      else missing.push(group);
    }
    for (let i = 0; i < missing.length; i += PREFETCH_CONCURRENCY) {
      const slice = missing.slice(i, i + PREFETCH_CONCURRENCY);
      const loaded = await Promise.all(slice.map((prefix) => this.#kv.scan({ prefix, limit: MAX_GROUP_KEYS })));
      slice.forEach((prefix, j) => {
        const rows = loaded[j]!;
        if (rows.length >= MAX_GROUP_KEYS) throw new Error(`WfRun group ${prefix} holds ${MAX_GROUP_KEYS}+ records`);
        if (!this.#cache.hasGroup(prefix)) this.#cache.installGroup(prefix, rows);
      });
    }
    return used;
  }

  /** True (and the groups touched) when every group the commands need is already in memory. */
  groupsCached(commands: readonly Command[]): boolean {
    const groups = groupsOf(commands);
    for (const group of groups.keys()) if (!this.#cache.hasGroup(group)) return false;
    for (const group of groups.keys()) this.#cache.touchGroup(group);
    return true;
  }

  /**
   * Applies the commands in order; prefetch() must have run for them. Synchronous. With
   * `untilMs` (a performance.now() time), stops once that time has passed, after at least one
   * command: the items then cover a prefix of `commands`, and the rest were not touched.
   */
  applyBatch(commands: readonly Command[], batchSeq: number, untilMs = Infinity): AppliedBatch {
    const writes = new Map<string, Uint8Array | null>();
    const items: AppliedCommand[] = [];
    for (const command of commands) {
      if (items.length > 0 && untilMs !== Infinity && performance.now() >= untilMs) break;
      const item = this.#applyOne(command, batchSeq);
      for (const w of item.writes) {
        writes.set(w.key, w.value);
        if (isMetadataKey(w.key)) this.#cache.markMetadataDirty(batchSeq);
      }
      items.push({ outcome: item.outcome, logged: item.writes.length > 0, effects: item.effects });
    }
    return { items, writes };
  }

  #applyOne(command: Command, batchSeq: number): { outcome: CommandOutcome; writes: KvWrite[]; effects: Effect[] } {
    let tx: TxBuffer | undefined;
    try {
      tx = new TxBuffer(this.#cache, groupOfCommand(command), this.#limits.maxRecordBytes);
      const ctx = new CommandContext(command, tx, this.#limits, this.#partitionCount);
      const firedTimerKey = firedTimerKeyOf(command);
      if (firedTimerKey !== undefined) tx.delete(firedTimerKey);
      const response = this.#apply(ctx);
      const writes = tx.commit(batchSeq);
      return { outcome: { ok: true, response }, writes, effects: ctx.effects };
    } catch (err) {
      tx?.abort();
      let outcome: CommandOutcome;
      if (err instanceof ApiError) {
        outcome = { ok: false, code: err.code, message: err.message };
      } else {
        this.#logger.error({ err, commandId: command.commandId, body: command.body?.$case }, 'command handler failed');
        outcome = { ok: false, code: Code.INTERNAL, message: 'An unexpected internal error occurred while applying the command.' };
      }
      return { outcome, writes: this.#dropFiredTimer(command, batchSeq), effects: [] };
    }
  }

  /** A timer whose command failed is still spent: remove it so it does not fire forever. */
  #dropFiredTimer(command: Command, batchSeq: number): KvWrite[] {
    const key = firedTimerKeyOf(command);
    if (key === undefined) return [];
    try {
      const tx = new TxBuffer(this.#cache, undefined, this.#limits.maxRecordBytes);
      tx.delete(key);
      return tx.commit(batchSeq);
    } catch (err) {
      this.#logger.error({ err, commandId: command.commandId, key }, 'could not remove the fired timer of a failed command');
      return [];
    }
  }
}

/** Each group the commands need, with the first command that needs it. */
function groupsOf(commands: readonly Command[]): Map<string, Command> {
  const groups = new Map<string, Command>();
  for (const command of commands) {
    let group: string | undefined;
    try {
      group = groupOfCommand(command);
    } catch {
      continue; // applyBatch reports it
    }
    if (group !== undefined && !groups.has(group)) groups.set(group, command);
  }
  return groups;
}

/**
 * A RunWf whose id ingress generated cannot find records of its WfRun anywhere: skip the read.
 * Only a top-level RunWf qualifies (a child lives in its parent's group, which exists).
 */
function startsFreshGroup(command: Command): boolean {
  return command.generatedWfRunId && command.body?.$case === 'runWf' && !command.body.value.parentWfRunId;
}
