// SearchVariable: Variables of a WfSpec (by name, optionally one version) whose value equals the
// given one. Only variables the WfSpec declares searchable are indexed, and JSON fields named by
// a JSON index (var_name `{variable}_{jsonPath}`); the checks and messages follow upstream.
import { VariableType, type SearchVariableRequest, type ThreadVarDef, type VariableId, type VariableIdList, type VariableValue, type WfSpec } from '@filly/proto';
import type { VariableIndexEntry } from '@filly/proto/internal';
import { invalidArgument } from '../../processor/api-error.ts';
import { Records, IndexRecords } from '../../processor/records.ts';
import { threadVarDefsNamed } from '../../processor/search-index/variable-index.ts';
import {
  encodeAsJsonScalar,
  encodeScalar,
  flattenJson,
  isScalarType,
  isTruncatedString,
  parseJson,
} from '../../processor/search-index/variable-values.ts';
import { valuesEqual } from '../../processor/values/equal.ts';
import { checkAgainstType } from '../../processor/wf-run/type-check.ts';
import { declaredTypeDef, primitiveOf } from '../../processor/wf-spec/types.ts';
import * as keys from '../../store/keys.ts';
import type { CallContext } from '../call-context.ts';
import type { IngressDeps } from '../deps.ts';
import { latestWfSpecIn, wfSpecIn } from '../wf-spec-lookup.ts';
import { requireNonNegative } from '../validate.ts';
import { requiredName } from './criteria.ts';
import { allPartitions, searchIndex } from './index-scan.ts';

/** What the index key must hold, and how to confirm a match the key could not settle. */
interface Target {
  encoded: string;
  /** For a string longer than the key holds: the Variable itself is compared. */
  confirm?: (value: VariableValue | undefined) => boolean;
}

export async function searchVariable(deps: IngressDeps, ctx: CallContext, req: SearchVariableRequest): Promise<VariableIdList> {
  const wfSpecName = requiredName(req.wfSpecName, 'wf_spec_name');
  const varName = requiredName(req.varName, 'var_name');
  const major = req.wfSpecMajorVersion === undefined ? undefined : requireNonNegative(req.wfSpecMajorVersion, 'wf_spec_major_version');
  const revision = req.wfSpecRevision === undefined ? undefined : requireNonNegative(req.wfSpecRevision, 'wf_spec_revision');
  if (major !== undefined && revision === undefined) throw invalidArgument('If providing version, must also provide revision');
  const exact = major !== undefined && revision !== undefined;
  const spec = exact
    ? await wfSpecIn(deps, ctx.tenant, { name: wfSpecName, majorVersion: major, revision })
    : await latestWfSpecIn(deps, ctx.tenant, wfSpecName);
  if (spec === undefined) throw invalidArgument(`Couldn't find WfSpec ${wfSpecName}`);

  const target = varName.includes('_$') ? jsonFieldTarget(spec, varName, req.value) : variableTarget(spec, varName, req.value);
  const confirm = target.confirm;
  return searchIndex<VariableIndexEntry, VariableId>(
    deps,
    {
      codec: IndexRecords.variable,
      partitions: allPartitions(deps),
      prefixOf: (p) => keys.variableIndexPrefix(p, ctx.tenant, wfSpecName, varName, target.encoded),
      keep: async (entry, partition) => {
        if (exact && (entry.majorVersion !== major || entry.revision !== revision)) return false;
        if (confirm === undefined || entry.id === undefined) return true;
        const variable = await deps.engine.get(Records.variable, keys.variableKey(partition, ctx.tenant, entry.id));
        return variable !== undefined && confirm(variable.value);
      },
      resultOf: (entry) => entry.id,
    },
    req.bookmark,
    req.limit,
  );
}

function variableTarget(spec: WfSpec, varName: string, value: VariableValue | undefined): Target {
  const defs = threadVarDefsNamed(spec, varName);
  const def = defs[0];
  if (def === undefined) throw invalidArgument(`Provided WfSpec has no variable named ${varName}`);
  if (!defs.some((d) => d.searchable)) throw invalidArgument('Provided variable has no index');
  const type = declaredPrimitive(def);
  let wanted = value;
  if (isScalarType(type) && def.varDef !== undefined) {
    const problem = checkAgainstType(value, declaredTypeDef(def.varDef));
    if (problem !== undefined) throw invalidArgument(`Invalid value for variable ${varName}: ${problem}`);
    // A DOUBLE variable holds doubles: an integer search value means the same number.
    if (type === VariableType.DOUBLE && value?.value?.$case === 'int') wanted = { value: { $case: 'double', value: Number(value.value.value) } };
  }
  // The items of a JSON_ARR are indexed as JSON values.
  const encoded = type === VariableType.JSON_ARR ? encodeAsJsonScalar(wanted) : encodeScalar(wanted);
  if (encoded === undefined) throw unsupported(value);
  const long = longString(wanted);
  if (long === undefined) return { encoded };
  if (type === VariableType.JSON_ARR) {
    return { encoded, confirm: (v) => jsonArrayItems(v).some((item) => item === long) };
  }
  return { encoded, confirm: (v) => valuesEqual(v, wanted) };
}

function jsonFieldTarget(spec: WfSpec, varName: string, value: VariableValue | undefined): Target {
  const cut = varName.indexOf('_$');
  const name = varName.slice(0, cut);
  const path = varName.slice(cut + 1);
  const defs = threadVarDefsNamed(spec, name);
  const def = defs[0];
  if (def === undefined) throw invalidArgument(`Provided WfSpec has no variable named ${name}`);
  const type = declaredPrimitive(def);
  if (type !== VariableType.JSON_OBJ && type !== VariableType.JSON_ARR) {
    throw invalidArgument(`Specified variable ${name} is not of type JSON_OBJ or JSON_ARR`);
  }
  if (!defs.some((d) => d.jsonIndexes.some((index) => index.fieldPath === path))) {
    throw invalidArgument(`Variable ${name} has no indexed field ${path}`);
  }
  const encoded = encodeAsJsonScalar(value);
  if (encoded === undefined) throw unsupported(value);
  const long = longString(value);
  if (long === undefined) return { encoded };
  return { encoded, confirm: (v) => jsonFieldValues(v, path).some((item) => item === long) };
}

function declaredPrimitive(def: ThreadVarDef): VariableType | undefined {
  return def.varDef === undefined ? undefined : primitiveOf(declaredTypeDef(def.varDef));
}

function longString(value: VariableValue | undefined): string | undefined {
  const v = value?.value;
  return v?.$case === 'str' && isTruncatedString(v.value) ? v.value : undefined;
}

function jsonArrayItems(value: VariableValue | undefined): unknown[] {
  const v = value?.value;
  const items = v?.$case === 'jsonArr' ? parseJson(v.value) : undefined;
  return Array.isArray(items) ? items : [];
}

function jsonFieldValues(value: VariableValue | undefined, path: string): unknown[] {
  const v = value?.value;
  const roots = v?.$case === 'jsonObj' ? [parseJson(v.value)] : v?.$case === 'jsonArr' ? jsonArrayItems(value) : [];
  return roots.flatMap((root) => flattenJson(root, '$').filter(([p]) => p === path).map(([, item]) => item));
}

function unsupported(value: VariableValue | undefined): Error {
  const kind = value?.value?.$case;
  return invalidArgument(`Search for ${kind === undefined ? 'VALUE_NOT_SET' : caseName(kind)} not supported`);
}

/** Upstream names a value kind by its proto field in upper case (JSON_OBJ, WF_RUN_ID, ...). */
function caseName(kind: string): string {
  return kind.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}
