// Simulated callers: stamping commands the way ingress/submit.ts does (id, time, tenant,
// partition), and the client side of the workload (RunWf, PutExternalEvent, StopWfRun,
// ResumeWfRun, DeleteWfRun) with what each caller learned.
import { Command } from '@filly/proto/internal';
import { METADATA_PARTITION, partitionOf, routingOf } from '../commands/routing.ts';
import type { Prng } from './prng.ts';
import type { Delivery } from './sim-types.ts';
import { EVENT_DEF, WF_SPECS } from './workload-specs.ts';

export type Body = NonNullable<Command['body']>;

export const TENANT = 'default';

/** Ingress's stamping, with ids from a counter and time from the simulated clock. */
export class Stamper {
  readonly #partitionCount: number;
  #next = 0;

  constructor(partitionCount: number) {
    this.#partitionCount = partitionCount;
  }

  stamp(body: Body, nowMs: number): Command {
    const routing = routingOf(body);
    return Command.fromPartial({
      commandId: `sim-${++this.#next}`,
      timeMs: BigInt(nowMs),
      tenantId: TENANT,
      principalId: '',
      partition: routing.kind === 'metadata' ? METADATA_PARTITION : partitionOf(routing, this.#partitionCount),
      body,
    });
  }
}

export interface ClientRun {
  id: string;
  spec: (typeof WF_SPECS)[number];
  /** The RunWf was acknowledged (else it may or may not exist). */
  acked: boolean;
}

export type ClientAction = 'runWf' | 'putEvent' | 'stop' | 'resume' | 'delete';

export class SimClients {
  readonly runs: ClientRun[] = [];
  #nextRun = 0;
  #nextGuid = 0;
  readonly counts: Record<string, number> = {};

  /** Builds the body of one random client call; undefined when it needs a WfRun and none exists. */
  next(rng: Prng, action: ClientAction): { body: Body; onDelivery: (d: Delivery) => void } | undefined {
    this.counts[action] = (this.counts[action] ?? 0) + 1;
    if (action === 'runWf') {
      const spec = rng.pick(WF_SPECS);
      const run: ClientRun = { id: `wf-${++this.#nextRun}`, spec, acked: false };
      this.runs.push(run);
      return {
        body: { $case: 'runWf', value: { wfSpecName: spec.name, id: run.id, variables: spec.variables(rng) } },
        onDelivery: (d) => {
          if (d.acked && d.outcome.ok) run.acked = true;
        },
      };
    }
    if (this.runs.length === 0) return undefined;
    const ignore = (): void => undefined;
    // Recent runs are the interesting ones: most are still going.
    const run = this.runs[Math.max(0, this.runs.length - 1 - rng.int(Math.min(this.runs.length, 12)))]!;
    const wfRunId = { id: run.id };
    switch (action) {
      case 'putEvent': {
        // Sometimes a retry with an earlier guid: PutExternalEvent must stay idempotent.
        const guid = rng.chance(0.15) && this.#nextGuid > 0 ? `ev-${rng.between(1, this.#nextGuid)}` : `ev-${++this.#nextGuid}`;
        return {
          body: {
            $case: 'putExternalEvent',
            value: { wfRunId, externalEventDefId: { name: EVENT_DEF }, guid, content: { value: { $case: 'int', value: 1n } } },
          },
          onDelivery: ignore,
        };
      }
      case 'stop':
        return { body: { $case: 'stopWfRun', value: { wfRunId, threadRunNumber: 0 } }, onDelivery: ignore };
      case 'resume':
        return { body: { $case: 'resumeWfRun', value: { wfRunId, threadRunNumber: 0 } }, onDelivery: ignore };
      case 'delete':
        return { body: { $case: 'deleteWfRun', value: { id: wfRunId } }, onDelivery: ignore };
    }
  }
}
