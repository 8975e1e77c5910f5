// PutWfSpec checks that need other WfSpecs: a parent_wf_spec must exist and hold every variable a
// child inherits as a non-PRIVATE variable; a RUN_CHILD_WF node naming its WfSpec must name one
// that exists and pass it inputs its entrypoint thread takes (its major version -1, "latest", is
// pinned to the newest major at registration, as upstream); a WAIT_FOR_CHILD_WF node must wait
// for the output of a RUN_CHILD_WF node.
import { VariableType, WfRunVariableAccessLevel, type PutWfSpecRequest, type ThreadVarDef, type WfSpec } from '@filly/proto';
import type { StateTx } from '../context.ts';
import { invalidArgument } from '../api-error.ts';
import { latestWfSpec } from '../metadata-reads.ts';
import { checkAssignment, checkAssignmentOfType, type ThreadScope } from './assignments.ts';
import { buildScopes } from './scopes.ts';
import { assignableWithoutCast, declaredTypeDef, primitiveName, primitiveOf } from './types.ts';

export function checkWfSpecFamily(tx: StateTx, tenant: string, req: PutWfSpecRequest, candidate: WfSpec): void {
  checkParent(tx, tenant, req);
  const scopes = buildScopes(req.threadSpecs);
  for (const threadName of Object.keys(req.threadSpecs).sort()) {
    const thread = req.threadSpecs[threadName];
    const scope = scopes.get(threadName);
    if (thread === undefined || scope === undefined) continue;
    for (const nodeName of Object.keys(thread.nodes).sort()) {
      const n = thread.nodes[nodeName]?.node;
      const label = `ThreadSpec '${threadName}' node '${nodeName}'`;
      if (n?.$case === 'runChildWf') {
        const pinned = checkRunChildWf(tx, tenant, n.value, scope, label);
        const stored = candidate.threadSpecs[threadName]?.nodes[nodeName]?.node;
        if (pinned !== undefined && stored?.$case === 'runChildWf') stored.value.majorVersion = pinned;
      } else if (n?.$case === 'waitForChildWf') {
        const source = thread.nodes[n.value.childWfRunSourceNode];
        if (source?.node?.$case !== 'runChildWf') {
          throw invalidArgument(`${label}: Specified node ${n.value.childWfRunSourceNode} is not of type RunChildWf`);
        }
        if (n.value.childWfRunId !== undefined) {
          checkAssignmentOfType(n.value.childWfRunId, [VariableType.WF_RUN_ID], scope, `${label} child WfRun id`);
        }
      }
    }
  }
}

function checkParent(tx: StateTx, tenant: string, req: PutWfSpecRequest): void {
  const ref = req.parentWfSpec;
  if (ref === undefined) return;
  const parent = latestWfSpec(tx, tenant, ref.wfSpecName, ref.wfSpecMajorVersion);
  if (parent === undefined) {
    throw invalidArgument(`WfSpec '${req.name}': Provided spec refers to nonexistent parent wfSpec ${ref.wfSpecName}`);
  }
  const parentVars = new Map<string, ThreadVarDef>();
  for (const t of Object.values(parent.threadSpecs)) for (const d of t.variableDefs) if (d.varDef) parentVars.set(d.varDef.name, d);
  for (const threadName of Object.keys(req.threadSpecs).sort()) {
    for (const d of req.threadSpecs[threadName]?.variableDefs ?? []) {
      if (d.accessLevel !== WfRunVariableAccessLevel.INHERITED_VAR || d.varDef === undefined) continue;
      const name = d.varDef.name;
      const inParent = parentVars.get(name);
      if (inParent === undefined) throw invalidArgument(`WfSpec '${req.name}': INHERITED variable ${name} does not exist in parent WfSpec`);
      if (inParent.accessLevel === WfRunVariableAccessLevel.PRIVATE_VAR) {
        throw invalidArgument(`WfSpec '${req.name}': Inherited variable ${name} is defined as PRIVATE in parent WfSpec`);
      }
    }
  }
}

type RunChildWfNode = Extract<NonNullable<PutWfSpecRequest['threadSpecs'][string]['nodes'][string]['node']>, { $case: 'runChildWf' }>['value'];

/** Returns the major version to pin, when the node asked for the latest one. */
function checkRunChildWf(tx: StateTx, tenant: string, node: RunChildWfNode, scope: ThreadScope, label: string): number | undefined {
  if (node.wfSpec?.$case === 'wfSpecVar') {
    checkAssignmentOfType(node.wfSpec.value, [VariableType.STR], scope, `${label} WfSpec name`);
    return undefined;
  }
  if (node.wfSpec?.$case !== 'wfSpecName') throw invalidArgument(`${label}: A valid WfSpec name must be specified`);
  const name = node.wfSpec.value;
  const child = latestWfSpec(tx, tenant, name, node.majorVersion < 0 ? undefined : node.majorVersion);
  if (child?.id === undefined) {
    throw invalidArgument(`${label}: Could not find WfSpec ${name}${node.majorVersion < 0 ? '' : ` with version ${node.majorVersion}`}`);
  }
  const entry = child.threadSpecs[child.entrypointThreadName];
  const inputs = (entry?.variableDefs ?? []).filter((d) => d.accessLevel !== WfRunVariableAccessLevel.INHERITED_VAR);
  for (const inputName of Object.keys(node.inputs).sort()) {
    const def = inputs.find((d) => d.varDef?.name === inputName)?.varDef;
    if (def === undefined) throw invalidArgument(`${label}: Var ${inputName} provided but not needed for thread ${child.entrypointThreadName}`);
    const assn = node.inputs[inputName];
    if (assn === undefined) continue;
    const got = checkAssignment(assn, scope, `${label} input '${inputName}'`);
    const want = primitiveOf(declaredTypeDef(def));
    if (got !== undefined && want !== undefined && !assignableWithoutCast(got, want)) {
      throw invalidArgument(`${label}: Var ${inputName} should be ${primitiveName(want)}`);
    }
  }
  for (const d of inputs) {
    if (d.required && d.varDef !== undefined && !Object.hasOwn(node.inputs, d.varDef.name)) {
      throw invalidArgument(`${label}: Missing required variable ${d.varDef.name}`);
    }
  }
  return node.majorVersion < 0 ? child.id.majorVersion : undefined;
}
