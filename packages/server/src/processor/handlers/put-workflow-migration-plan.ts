// PutWorkflowMigrationPlan: a plan to move WfRuns of one WfSpec version to another of the same
// name, thread by thread and node by node. Checked as upstream: both versions exist; every mapped
// thread and node exists; entrypoint maps to entrypoint; ENTRYPOINT, EXIT and NOP nodes are not
// migratable; a variable a destination thread uses must be in scope already, or be created by a
// thread the plan also migrates to (recorded as a dependency of that thread's migration).
import { WorkflowMigrationPlan, type PutWorkflowMigrationPlanRequest, type ThreadMigrationPlan, type WfSpec } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { failedPrecondition, invalidArgument, notFound } from '../api-error.ts';
import { requireValidName } from '../names.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { wfSpecById } from '../metadata-reads.ts';
import { tsFromMs } from '../wf-run/time.ts';
import { buildScopes } from '../wf-spec/scopes.ts';
import { variablesUsedBy } from '../migration/variables-used.ts';

const UNMIGRATABLE = new Set(['entrypoint', 'exit', 'nop']);
const KIND_NAMES: Readonly<Record<string, string>> = { entrypoint: 'ENTRYPOINT', exit: 'EXIT', nop: 'NOP' };

export function putWorkflowMigrationPlan(ctx: ProcessorContext, req: PutWorkflowMigrationPlanRequest): HandlerResult {
  requireValidName(req.name, 'WorkflowMigrationPlan name');
  const oldId = req.oldWfSpec;
  if (oldId === undefined) throw invalidArgument("Missing required argument 'old_wfSpec'");
  const newId = { name: oldId.name, majorVersion: req.majorVersion, revision: req.revision };
  const newSpec = wfSpecById(ctx, ctx.tenant, newId);
  if (newSpec === undefined) throw notFound(`Destination WfSpec ${specIdString(newId)} does not exist`);
  const oldSpec = wfSpecById(ctx, ctx.tenant, oldId);
  if (oldSpec === undefined) throw notFound(`Source WfSpec ${specIdString(oldId)} does not exist`);

  checkThreadMigrations(req, oldSpec, newSpec);
  const threadMigrations: Record<string, ThreadMigrationPlan> = {};
  for (const oldThread of Object.keys(req.threadMigrations).sort()) {
    const m = req.threadMigrations[oldThread];
    if (m === undefined) continue;
    threadMigrations[oldThread] = { newThreadName: m.newThreadName, nodeMigrations: m.nodeMigrations, threadSpecDependencies: [] };
  }
  computeDependencies(oldSpec, newSpec, threadMigrations);

  const plan: WorkflowMigrationPlan = {
    workflowMigrationPlanId: { name: req.name },
    createdAt: tsFromMs(ctx.nowMs),
    threadMigrations,
    oldWfSpec: oldId,
    majorVersion: req.majorVersion,
    revision: req.revision,
  };
  ctx.put(Records.workflowMigrationPlan, keys.workflowMigrationPlanKey(ctx.tenant, req.name), plan);
  return WorkflowMigrationPlan.encode(plan).finish();
}

export function specIdString(id: { name: string; majorVersion: number; revision: number }): string {
  return `${id.name}/${id.majorVersion}/${id.revision}`;
}

function checkThreadMigrations(req: PutWorkflowMigrationPlanRequest, oldSpec: WfSpec, newSpec: WfSpec): void {
  const oldNames = Object.keys(req.threadMigrations).sort();
  if (oldNames.length === 0) throw invalidArgument('threadMigrations cannot be null or empty');
  for (const oldName of oldNames) {
    const m = req.threadMigrations[oldName];
    if (m === undefined) continue;
    const oldThread = oldSpec.threadSpecs[oldName];
    if (oldThread === undefined) throw invalidArgument(`Source WfSpec has no threadSpec ${oldName}`);
    const newThread = newSpec.threadSpecs[m.newThreadName];
    if (newThread === undefined) throw invalidArgument(`Destination WfSpec has no threadSpec ${m.newThreadName}`);
    const oldIsEntry = oldName === oldSpec.entrypointThreadName;
    const newIsEntry = m.newThreadName === newSpec.entrypointThreadName;
    if (oldIsEntry && !newIsEntry) {
      throw invalidArgument(`Entrypoint thread '${oldName}' cannot migrate to non-entrypoint thread '${m.newThreadName}'`);
    }
    if (!oldIsEntry && newIsEntry) throw invalidArgument(`Child thread '${oldName}' cannot migrate to entrypoint thread '${m.newThreadName}'`);
    for (const oldNode of Object.keys(m.nodeMigrations).sort()) {
      const newNodeName = m.nodeMigrations[oldNode]?.newNodeName ?? '';
      const from = oldThread.nodes[oldNode];
      if (from === undefined) throw invalidArgument(`ThreadSpec ${oldName} on source WfSpec does not have node ${oldNode}`);
      const to = newThread.nodes[newNodeName];
      if (to === undefined) throw invalidArgument(`ThreadSpec ${m.newThreadName} on destination WfSpec does not have node ${newNodeName}`);
      const fromKind = from.node?.$case ?? '';
      const toKind = to.node?.$case ?? '';
      if (UNMIGRATABLE.has(fromKind)) {
        throw invalidArgument(`Cannot migrate from node ${oldNode} on source thread ${oldName} because ${KIND_NAMES[fromKind]} nodes are not migratable`);
      }
      if (UNMIGRATABLE.has(toKind)) {
        throw invalidArgument(
          `Cannot migrate to node ${newNodeName} on destination thread ${m.newThreadName} because ${KIND_NAMES[toKind]} nodes are not migratable`,
        );
      }
    }
  }
}

function computeDependencies(oldSpec: WfSpec, newSpec: WfSpec, plans: Record<string, ThreadMigrationPlan>): void {
  const oldScopes = buildScopes(oldSpec.threadSpecs);
  const owners = new Map<string, string>();
  for (const name of Object.keys(newSpec.threadSpecs).sort()) {
    for (const d of newSpec.threadSpecs[name]?.variableDefs ?? []) if (d.varDef && !owners.has(d.varDef.name)) owners.set(d.varDef.name, name);
  }
  const destinations = new Set(Object.values(plans).map((p) => p.newThreadName));
  for (const oldName of Object.keys(plans).sort()) {
    const plan = plans[oldName];
    const newThread = plan === undefined ? undefined : newSpec.threadSpecs[plan.newThreadName];
    if (plan === undefined || newThread === undefined) continue;
    for (const v of [...variablesUsedBy(newThread)].sort()) {
      if (oldScopes.get(oldName)?.lookupVar(v) !== undefined) continue;
      const owner = owners.get(v);
      if (owner === undefined) {
        throw notFound(`The variable '${v}' is used by destination thread '${plan.newThreadName}' but is not defined by any thread in the new WfSpec`);
      }
      if (owner === plan.newThreadName) continue;
      if (!destinations.has(owner)) {
        throw failedPrecondition(
          `The variable '${v}' is required by destination thread '${plan.newThreadName}' but the thread that defines it ('${owner}') is not included in this migration plan`,
        );
      }
      if (!plan.threadSpecDependencies.includes(owner)) plan.threadSpecDependencies.push(owner);
    }
  }
}
