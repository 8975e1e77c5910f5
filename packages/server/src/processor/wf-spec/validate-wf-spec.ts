// The whole of PutWfSpec's validation, in the order a user would want to hear about problems:
// names and the entrypoint first, then unsupported features, then variables, then each thread.
import { WfRunVariableAccessLevel } from '@filly/proto';
import type { PutWfSpecRequest } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';
import { requireValidName } from '../names.ts';
import type { MetadataLookup } from './node-checks.ts';
import { buildScopes } from './scopes.ts';
import { refuseUnsupportedWfSpecFeatures } from './supported-features.ts';
import { checkThreadSpec } from './thread-checks.ts';
import { checkInterruptHandlerInputs } from './interrupt-checks.ts';
import type { ThreadLimits } from './thread-checks.ts';
import { checkVariableDef } from './var-defs.ts';

/** The one variable name several threads may declare: interrupt and iteration handlers get it. */
export const RESERVED_INPUT_VAR = 'INPUT';

const MAX_THREAD_SPECS = 1_000;

export function validateWfSpecRequest(req: PutWfSpecRequest, lookup: MetadataLookup, limits: ThreadLimits): void {
  requireValidName(req.name, 'WfSpec name');
  const threadNames = Object.keys(req.threadSpecs).sort();
  if (threadNames.length > MAX_THREAD_SPECS) {
    throw invalidArgument(`WfSpec '${req.name}': has ${threadNames.length} ThreadSpecs; at most ${MAX_THREAD_SPECS} are allowed.`);
  }
  if (req.threadSpecs[req.entrypointThreadName] === undefined) {
    throw invalidArgument(`WfSpec '${req.name}': entrypoint thread '${req.entrypointThreadName}' is not one of its ThreadSpecs.`);
  }
  refuseUnsupportedWfSpecFeatures(req);
  checkVariables(req, threadNames, lookup);

  const scopes = buildScopes(req.threadSpecs);
  for (const threadName of threadNames) {
    const thread = req.threadSpecs[threadName];
    const threadScope = scopes.get(threadName);
    if (thread === undefined || threadScope === undefined) continue;
    const scope = lookup.structDef === undefined ? threadScope : { ...threadScope, structs: lookup.structDef };
    checkThreadSpec(threadName, thread, { scope, lookup, hasThread: (t) => req.threadSpecs[t] !== undefined }, limits);
  }
  checkExternalEventDefUse(req, threadNames);
  checkInterruptHandlerInputs(req, threadNames);
}

function checkVariables(req: PutWfSpecRequest, threadNames: readonly string[], lookup: MetadataLookup): void {
  const owner = new Map<string, string>();
  for (const threadName of threadNames) {
    const where = `ThreadSpec '${threadName}'`;
    for (const tvd of req.threadSpecs[threadName]?.variableDefs ?? []) {
      if (tvd.varDef === undefined) throw invalidArgument(`${where}: a variable declaration has no var_def.`);
      const name = tvd.varDef.name;
      checkVariableDef(tvd.varDef, where, lookup.structDef);
      if (!(tvd.accessLevel in WfRunVariableAccessLevel) || tvd.accessLevel === WfRunVariableAccessLevel.UNRECOGNIZED) {
        throw invalidArgument(`${where} variable '${name}': unknown access level ${tvd.accessLevel}.`);
      }
      if (tvd.accessLevel === WfRunVariableAccessLevel.INHERITED_VAR && req.parentWfSpec === undefined) {
        throw invalidArgument(`${where} variable '${name}': only child WfSpecs (with parent_wf_spec) may declare INHERITED variables.`);
      }
      const previous = owner.get(name);
      if (previous !== undefined && name !== RESERVED_INPUT_VAR) {
        const also = previous === threadName ? 'twice in that thread' : `also in ThreadSpec '${previous}'`;
        throw invalidArgument(`${where}: variable '${name}' is declared ${also}; variable names must be unique.`);
      }
      owner.set(name, threadName);
    }
  }
}

/** An ExternalEventDef triggers either EXTERNAL_EVENT nodes or interrupts, and interrupts in one thread only. */
function checkExternalEventDefUse(req: PutWfSpecRequest, threadNames: readonly string[]): void {
  const nodeDefs = new Set<string>();
  for (const t of threadNames) {
    for (const node of Object.values(req.threadSpecs[t]?.nodes ?? {})) {
      if (node.node?.$case === 'externalEvent') nodeDefs.add(node.node.value.externalEventDefId?.name ?? '');
    }
  }
  const interruptOwner = new Map<string, string>();
  for (const t of threadNames) {
    for (const idef of req.threadSpecs[t]?.interruptDefs ?? []) {
      const def = idef.externalEventDefId?.name ?? '';
      if (nodeDefs.has(def)) {
        throw invalidArgument(`ThreadSpec '${t}': ExternalEventDef '${def}' is used both by an EXTERNAL_EVENT node and as an interrupt.`);
      }
      const other = interruptOwner.get(def);
      if (other !== undefined && other !== t) {
        throw invalidArgument(`ThreadSpec '${t}': ExternalEventDef '${def}' is already an interrupt of ThreadSpec '${other}'.`);
      }
      interruptOwner.set(def, t);
    }
  }
}
