// Variables of WfSpecs that declare them searchable (or give them JSON indexes), by WfSpec name,
// variable (or `{variable}_{jsonPath}`) and value. Which variables are indexed is read from the
// Variable's own WfSpec version, like upstream; the version is in the entry, for searches that
// name one. The value is part of the key, so a Variable is written with its previous version.
import type { ThreadVarDef, Variable, VariableValue, WfSpec } from '@filly/proto';
import { IndexRecords, Records } from '../records.ts';
import { wfSpecById } from '../metadata-reads.ts';
import * as keys from '../../store/keys.ts';
import { indexTimeMs, type IndexEntries, type ObjectIndex } from './index-kind.ts';
import { encodeJsonScalar, encodeScalar, flattenJson, parseJson } from './variable-values.ts';

/** How one variable name of a WfSpec is indexed. */
export interface VariableIndexPlan {
  searchable: boolean;
  jsonPaths: ReadonlySet<string>;
}

const NOT_INDEXED: VariableIndexPlan = { searchable: false, jsonPaths: new Set() };
/** For a Variable whose WfSpec is gone (only ever being deleted): what a searchable one had. */
const SPEC_GONE: VariableIndexPlan = { searchable: true, jsonPaths: new Set() };

// A pure function of the (immutable) WfSpec object, remembered per decoded object.
const plansBySpec = new WeakMap<WfSpec, Map<string, VariableIndexPlan>>();

/** Every ThreadVarDef of the WfSpec declaring `name`, over all its threads (upstream's getAllVariables). */
export function threadVarDefsNamed(spec: WfSpec, name: string): ThreadVarDef[] {
  const out: ThreadVarDef[] = [];
  for (const thread of Object.values(spec.threadSpecs)) {
    for (const def of thread.variableDefs) if (def.varDef?.name === name) out.push(def);
  }
  return out;
}

export function variableIndexPlan(spec: WfSpec | undefined, name: string): VariableIndexPlan {
  if (spec === undefined) return SPEC_GONE;
  let plans = plansBySpec.get(spec);
  if (plans === undefined) {
    plans = new Map();
    plansBySpec.set(spec, plans);
  }
  const known = plans.get(name);
  if (known !== undefined) return known;
  let searchable = false;
  const jsonPaths = new Set<string>();
  for (const def of threadVarDefsNamed(spec, name)) {
    searchable ||= def.searchable;
    for (const index of def.jsonIndexes) jsonPaths.add(index.fieldPath);
  }
  const plan = searchable || jsonPaths.size > 0 ? { searchable, jsonPaths } : NOT_INDEXED;
  plans.set(name, plan);
  return plan;
}

/** (indexed name, encoded value) pairs of one value under a plan. */
export function indexedValues(name: string, value: VariableValue | undefined, plan: VariableIndexPlan): Array<[string, string]> {
  const v = value?.value;
  if (v === undefined || plan === NOT_INDEXED) return [];
  const out: Array<[string, string]> = [];
  const addJson = (path: string, item: unknown): void => {
    const encoded = plan.jsonPaths.has(path) ? encodeJsonScalar(item) : undefined;
    if (encoded !== undefined) out.push([`${name}_${path}`, encoded]);
  };
  if (v.$case === 'jsonObj') {
    for (const [path, item] of flattenJson(parseJson(v.value), '$')) addJson(path, item);
  } else if (v.$case === 'jsonArr') {
    const items = parseJson(v.value);
    for (const item of Array.isArray(items) ? items : []) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        for (const [path, field] of flattenJson(item, '$')) addJson(path, field);
      } else if (plan.searchable) {
        const encoded = encodeJsonScalar(item);
        if (encoded !== undefined) out.push([name, encoded]);
      }
    }
  } else if (plan.searchable) {
    const encoded = encodeScalar(value);
    if (encoded !== undefined) out.push([name, encoded]);
  }
  return out;
}

export const variableIndex: ObjectIndex<Variable> = {
  record: Records.variable,
  entryName: IndexRecords.variable.name,
  entriesOf(ctx, variable): IndexEntries {
    const out: IndexEntries = new Map();
    const id = variable.id;
    const specId = variable.wfSpecId;
    if (id === undefined || specId === undefined) return out;
    const plan = variableIndexPlan(wfSpecById(ctx, ctx.tenant, specId), id.name);
    const pairs = indexedValues(id.name, variable.value, plan);
    if (pairs.length === 0) return out;
    const entry = IndexRecords.variable.encode({ id, majorVersion: specId.majorVersion, revision: specId.revision });
    const createdMs = indexTimeMs(variable.createdAt);
    for (const [indexedName, encoded] of pairs) {
      const prefix = keys.variableIndexPrefix(ctx.partition, ctx.tenant, specId.name, indexedName, encoded);
      out.set(keys.variableIndexKey(prefix, createdMs, id), entry);
    }
    return out;
  },
};
