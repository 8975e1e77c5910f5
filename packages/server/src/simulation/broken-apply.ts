// A deliberately broken processor for the simulation's self-test: it keeps a counter across
// commands (state outside the store) and writes it into each new WfRun, so that a replay of the
// same log produces different state. The simulation must notice.
import { Variable } from '@filly/proto';
import type { ApplyFn } from '../engine/batch-applier.ts';
import { Records } from '../processor/records.ts';
import { variableKey } from '../store/keys.ts';

export function brokenApply(inner: ApplyFn): ApplyFn {
  let calls = 0;
  return (ctx) => {
    const result = inner(ctx);
    calls++;
    const body = ctx.command.body;
    if (body?.$case === 'runWf' && body.value.id !== undefined) {
      const id = { wfRunId: { id: body.value.id }, threadRunNumber: 0, name: 'sim-hidden-counter' };
      ctx.put(Records.variable, variableKey(ctx.partition, ctx.tenant, id), Variable.fromPartial({ id, value: { value: { $case: 'int', value: BigInt(calls) } } }));
    }
    return result;
  };
}
