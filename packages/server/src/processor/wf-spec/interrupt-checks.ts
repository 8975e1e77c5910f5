// Interrupt handler threads receive the triggering event in one variable named INPUT, so (as
// upstream requires) such a thread declares either nothing or exactly that variable.
import type { PutWfSpecRequest } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';

const INPUT = 'INPUT';

export function checkInterruptHandlerInputs(req: PutWfSpecRequest, threadNames: readonly string[]): void {
  for (const t of threadNames) {
    for (const idef of req.threadSpecs[t]?.interruptDefs ?? []) {
      const handler = req.threadSpecs[idef.handlerSpecName];
      if (handler === undefined) continue; // reported by the thread checks
      const names = handler.variableDefs.map((d) => d.varDef?.name);
      if (names.length > 1) {
        throw invalidArgument(`ThreadSpec '${t}': Interrupt Handler thread ${idef.handlerSpecName} should only have '${INPUT}' var.`);
      }
      if (names.length === 1 && names[0] !== INPUT) {
        throw invalidArgument(`ThreadSpec '${t}': Interrupt Handler thread ${idef.handlerSpecName} can only have '${INPUT}' as an input var`);
      }
    }
  }
}
