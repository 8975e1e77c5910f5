// Claims in the batch that scheduled the task. Normally a new task reaches a worker after two log
// appends: the one that commits the command scheduling it, then the one that commits the worker's
// claim. Instead, once a batch is applied (and before it is logged) its task effects are handed
// to the task queues at once; a waiting poller answers synchronously with a claim command, which
// is captured here and applied at the end of the same batch. One append then commits both, and
// the worker still gets its task only after its claim is durable.
//
// Why this is safe: a task offered early can only ever leave the server through its claim, and
// the claim is logged after the command that scheduled it, in the same append. If that append
// fails, both are void: the claim's caller gets an error and puts the task back, and the engine
// rebuilds the task queues from the store once it recovers, which restores any task an early
// 'task-unscheduled' effect removed.
import { Command } from '@filly/proto/internal';
import type { Effect } from '../processor/context.ts';
import type { AppliedBatch, AppliedCommand, BatchApplier } from './batch-applier.ts';
import type { PendingCommand } from './submit-queue.ts';

export class EarlyClaims {
  #captured: PendingCommand[] | undefined;
  readonly #maxClaims: number;

  constructor(maxClaims: number) {
    if (!(maxClaims > 0)) throw new Error('maxClaims must be positive');
    this.#maxClaims = maxClaims;
  }

  /** True when the command was taken into the batch being dispatched (submit must not queue it). */
  capture(command: Command, pending: PendingCommand): boolean {
    const captured = this.#captured;
    if (captured === undefined || command.body?.$case !== 'taskClaimEvent') return false;
    if (captured.length >= this.#maxClaims) return false;
    captured.push(pending);
    return true;
  }

  /**
   * Runs the task effects of the applied commands now, in order, and removes them from the items
   * so they do not run again after the commit; returns the claims pollers made meanwhile.
   */
  dispatch(items: readonly AppliedCommand[], runEffect: (effect: Effect) => void): PendingCommand[] {
    if (this.#captured !== undefined) throw new Error('EarlyClaims.dispatch is not reentrant');
    const captured: PendingCommand[] = [];
    this.#captured = captured;
    try {
      for (const item of items) {
        if (!item.effects.some(isTaskEffect)) continue;
        const later: Effect[] = [];
        for (const effect of item.effects) {
          if (isTaskEffect(effect)) runEffect(effect);
          else later.push(effect);
        }
        item.effects = later;
      }
    } finally {
      this.#captured = undefined;
    }
    return captured;
  }
}

/**
 * Applies the claims `dispatch` returned at the end of the batch they belong to (their commands,
 * outcomes and writes join it). False, and nothing applied, when a claim's WfRun group has left
 * memory meanwhile: the caller then queues them as ordinary commands.
 */
export function appendClaims(applier: BatchApplier, batch: PendingCommand[], applied: AppliedBatch, claims: PendingCommand[], seq: number): boolean {
  const items = applyClaims(applier, applied, claims.map((p) => Command.decode(p.payload)), seq);
  if (items === undefined) return false;
  applied.items.push(...items);
  batch.push(...claims);
  return true;
}

/**
 * Applies claim commands as part of batch `seq`, their writes merged into `applied.writes`;
 * returns their applied items (for the caller to place), or undefined, with nothing applied,
 * when a claim's WfRun group is not in memory.
 */
export function applyClaims(applier: BatchApplier, applied: AppliedBatch, commands: readonly Command[], seq: number): AppliedCommand[] | undefined {
  if (!applier.groupsCached(commands)) return undefined;
  const more = applier.applyBatch(commands, seq);
  for (const [key, value] of more.writes) applied.writes.set(key, value);
  return more.items;
}

function isTaskEffect(effect: Effect): boolean {
  return effect.kind === 'task-scheduled' || effect.kind === 'task-unscheduled';
}
