// How a new PutWfSpec relates to the latest stored version of the same name (docs/wf-spec-versioning.md):
// identical → keep the old one; a breaking change → next major version, revision 0; anything
// else → next revision. Variables once public or required keep their type forever ("frozen").
import { AllowedUpdateType, ThreadVarDef, TypeDefinition, WfRunVariableAccessLevel, WfSpec } from '@filly/proto';
import { alreadyExists, failedPrecondition, invalidArgument } from '../api-error.ts';
import { checkAssignment } from './assignments.ts';
import { canonicalJson } from './canonical.ts';
import { buildScopes } from './scopes.ts';
import { declaredTypeDef, primitiveName, typeName } from './types.ts';
import { RESERVED_INPUT_VAR } from './validate-wf-spec.ts';

export type VersionDecision = { kind: 'unchanged'; existing: WfSpec } | { kind: 'new'; spec: WfSpec };

/**
 * `candidate` is a validated spec from buildCandidateWfSpec; `latest` the newest stored version.
 * Returns the stored spec to answer with, or the new version (with id and frozen variables set).
 */
export function decideVersion(candidate: WfSpec, latest: WfSpec | undefined, allowed: AllowedUpdateType): VersionDecision {
  const name = candidate.id?.name ?? '';
  const frozen = new Map<string, ThreadVarDef>();
  for (const tvd of [...requiredEntrypointVars(candidate), ...publicVars(candidate)]) {
    if (tvd.varDef) frozen.set(tvd.varDef.name, tvd);
  }
  let breaking = false;
  let id = { name, majorVersion: 0, revision: 0 };
  if (latest !== undefined) {
    const current = allVariables(candidate);
    for (const old of latest.frozenVariables) {
      const varName = old.varDef?.name;
      if (varName === undefined || old.varDef === undefined) continue;
      const now = current.get(varName);
      if (now === undefined) {
        frozen.set(varName, old);
        continue;
      }
      const before = declaredTypeDef(old.varDef);
      const after = now.varDef ? declaredTypeDef(now.varDef) : undefined;
      if (after === undefined || !sameType(before, after)) {
        throw invalidArgument(
          `WfSpec '${name}': variable '${varName}' was public or required in an earlier version with type ` +
            `${typeName(before)}; it must keep that type, not ${after ? typeName(after) : 'none'}.`,
        );
      }
    }
    breaking = hasBreakingChange(candidate, latest);
    const prev = latest.id ?? id;
    id = breaking
      ? { name, majorVersion: prev.majorVersion + 1, revision: 0 }
      : { name, majorVersion: prev.majorVersion, revision: prev.revision + 1 };
  }
  const spec: WfSpec = {
    ...candidate,
    id,
    frozenVariables: [...frozen.values()].sort((a, b) => compareNames(a.varDef?.name ?? '', b.varDef?.name ?? '')),
  };
  if (latest !== undefined && sameSpec(spec, latest)) return { kind: 'unchanged', existing: latest };
  if (latest !== undefined && allowed === AllowedUpdateType.MINOR_REVISION_UPDATES && breaking) {
    throw failedPrecondition(`WfSpec '${name}': the update is a breaking change, but allowed_updates is MINOR_REVISION_UPDATES.`);
  }
  if (latest !== undefined && allowed === AllowedUpdateType.NO_UPDATES) {
    throw alreadyExists(`WfSpec '${name}' already exists and allowed_updates is NO_UPDATES.`);
  }
  return { kind: 'new', spec };
}

/** Breaking: public variables, required entrypoint inputs or the output type changed. */
export function hasBreakingChange(next: WfSpec, old: WfSpec): boolean {
  if (!sameVarDefSet(publicVars(next), publicVars(old))) return true;
  if (!sameVarDefSet(requiredEntrypointVars(next), requiredEntrypointVars(old))) return true;
  return outputTypeOf(next) !== outputTypeOf(old);
}

/** Equal apart from version numbers, created_at and the order of frozen variables. */
export function sameSpec(a: WfSpec, b: WfSpec): boolean {
  return canonicalSpec(a) === canonicalSpec(b);
}

function canonicalSpec(spec: WfSpec): string {
  const stripped: WfSpec = {
    ...spec,
    id: { name: spec.id?.name ?? '', majorVersion: 0, revision: 0 },
    createdAt: undefined,
    frozenVariables: [...spec.frozenVariables].sort((a, b) => compareNames(a.varDef?.name ?? '', b.varDef?.name ?? '')),
  };
  return canonicalJson(WfSpec.toJSON(stripped));
}

function publicVars(spec: WfSpec): ThreadVarDef[] {
  return Object.keys(spec.threadSpecs)
    .sort()
    .flatMap((t) => spec.threadSpecs[t]?.variableDefs ?? [])
    .filter((tvd) => tvd.accessLevel === WfRunVariableAccessLevel.PUBLIC_VAR);
}

function requiredEntrypointVars(spec: WfSpec): ThreadVarDef[] {
  return (spec.threadSpecs[spec.entrypointThreadName]?.variableDefs ?? []).filter((tvd) => tvd.required);
}

function allVariables(spec: WfSpec): Map<string, ThreadVarDef> {
  const out = new Map<string, ThreadVarDef>();
  for (const t of Object.keys(spec.threadSpecs).sort()) {
    for (const tvd of spec.threadSpecs[t]?.variableDefs ?? []) {
      const n = tvd.varDef?.name;
      if (n !== undefined && n !== RESERVED_INPUT_VAR) out.set(n, tvd);
    }
  }
  return out;
}

function sameVarDefSet(a: readonly ThreadVarDef[], b: readonly ThreadVarDef[]): boolean {
  const key = (t: ThreadVarDef): string => canonicalJson(ThreadVarDef.toJSON(t));
  const left = new Set(a.map(key));
  const right = new Set(b.map(key));
  if (left.size !== right.size) return false;
  for (const k of left) if (!right.has(k)) return false;
  return true;
}

function sameType(a: TypeDefinition, b: TypeDefinition): boolean {
  return canonicalJson(TypeDefinition.toJSON(a)) === canonicalJson(TypeDefinition.toJSON(b));
}

/**
 * What the entrypoint thread returns: 'void', a primitive type name, or 'unknown' when only the
 * running WfRun can tell. EXIT nodes that throw a failure return nothing and are skipped.
 */
export function outputTypeOf(spec: WfSpec): string {
  const thread = spec.threadSpecs[spec.entrypointThreadName];
  const scope = buildScopes(spec.threadSpecs).get(spec.entrypointThreadName);
  if (thread === undefined || scope === undefined) return 'void';
  for (const nodeName of Object.keys(thread.nodes).sort()) {
    const n = thread.nodes[nodeName]?.node;
    if (n?.$case !== 'exit' || n.value.result?.$case === 'failureDef') continue;
    if (n.value.result === undefined) return 'void';
    const t = checkAssignment(n.value.result.value, scope, `EXIT node '${nodeName}'`);
    return t === undefined ? 'unknown' : primitiveName(t);
  }
  return 'void';
}

// Plain code-unit order: locale-independent, so every replica sorts the same way.
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
