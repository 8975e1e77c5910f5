// Early claims in kafka mode (see engine/early-claims.ts). A task a batch schedules is offered to
// the partition owner's waiting pollers before the batch commits; the claim a poller answers
// with joins the same batch and the same transaction, instead of travelling through the command
// topic for a transaction of its own. The worker still gets its task only after that commit, so
// a W1 WfRun takes two command round trips instead of three.
import { Command } from '@filly/proto/internal';
import { Code } from '../processor/api-error.ts';
import type { CommandOutcome } from '../engine/engine-api.ts';
import { runEffect } from '../engine/command-checks.ts';
import { EarlyClaims } from '../engine/early-claims.ts';
import type { PendingCommand } from '../engine/submit-queue.ts';
import type { OwnedPartition } from './owned-partition.ts';
import type { preparePartitionBatch } from './partition-batch.ts';

/** The answer to a claim whose batch did not commit: the poller puts its task back. */
export const CLAIM_NOT_COMMITTED: CommandOutcome = {
  ok: false,
  code: Code.UNAVAILABLE,
  message: 'The claim could not be committed; the partition is being taken over again.',
};

type DispatchDeps = Pick<Parameters<typeof preparePartitionBatch>[1], 'dispatchTasks' | 'resubmit'>;

export class KafkaEarlyClaims {
  readonly #claims: EarlyClaims;
  readonly #produceAndWait: (command: Command, payload: Uint8Array) => Promise<CommandOutcome>;

  /** `produceAndWait`: the usual way of a command, through the command topic. */
  constructor(maxClaims: number, produceAndWait: (command: Command, payload: Uint8Array) => Promise<CommandOutcome>) {
    this.#claims = new EarlyClaims(maxClaims);
    this.#produceAndWait = produceAndWait;
  }

  /** The claim's answer when it joined the batch being dispatched; undefined otherwise. */
  capture(command: Command, payload: Uint8Array): Promise<CommandOutcome> | undefined {
    if (command.body?.$case !== 'taskClaimEvent') return undefined;
    let pending: PendingCommand | undefined;
    const answer = new Promise<CommandOutcome>((resolve, reject) => {
      pending = { payload, resolve, reject, lane: 'urgent' };
    });
    return this.#claims.capture(command, pending!) ? answer : undefined;
  }

  /** For a serving core partition: what preparePartitionBatch needs to offer tasks early. */
  depsFor(part: OwnedPartition): DispatchDeps {
    const sinks = part.effects;
    if (part.isMetadata || sinks === undefined) return {};
    return {
      dispatchTasks: (items) => this.#claims.dispatch(items, (effect) => runEffect(effect, sinks)),
      resubmit: (claims) => {
        for (const p of claims) this.#produceAndWait(Command.decode(p.payload), p.payload).then(p.resolve, p.reject);
      },
    };
  }
}
