/** Reading inside values (JSONPath, LHPath) and writing inside JSON values (lhs_json_path). */
import type { LHPath, VariableValue } from '@filly/proto';
import { valuesEqual } from './equal.ts';
import { VarMutationError, VarSubError } from './errors.ts';
import { compileJsonPath, type PathToken } from './json-path.ts';
import { isJsonObject, type JsonNode } from './json-tree.ts';
import { stringifyJsonTree } from './java-text.ts';
import { jsonNodeOfValue, jsonTreeOf, valueOfJsonNode } from './json.ts';
import { kindOf } from './types.ts';

/** Bounds an LHPath walk; a WfSpec path is a few selectors long. */
const MAX_LH_PATH_SELECTORS = 1_000;

function isJsonKind(v: VariableValue): boolean {
  const c = v.value?.$case;
  return c === 'jsonObj' || c === 'jsonArr';
}

/**
 * Walks the tokens over a JSON tree. A definite path yields the node or `undefined` when it does
 * not exist (Jayway's PathNotFoundException); a wildcard path yields the list of every match.
 */
function readTokens(root: JsonNode, tokens: readonly PathToken[]): JsonNode | undefined {
  const indefinite = tokens.some((t) => t.t === 'wildcard');
  let current: JsonNode[] = [root];
  for (const tok of tokens) {
    const next: JsonNode[] = [];
    for (const node of current) {
      if (tok.t === 'key') {
        if (isJsonObject(node) && node.has(tok.key)) next.push(node.get(tok.key) ?? null);
      } else if (tok.t === 'index') {
        if (Array.isArray(node)) {
          const idx = tok.index < 0 ? node.length + tok.index : tok.index;
          if (idx >= 0 && idx < node.length) next.push(node[idx] ?? null);
        }
      } else if (Array.isArray(node)) {
        next.push(...node);
      } else if (isJsonObject(node)) {
        next.push(...node.values());
      }
    }
    current = next;
  }
  if (indefinite) return current;
  return current[0];
}

/**
 * JSONPath read on a JSON_OBJ / JSON_ARR. A missing path and an explicit JSON null both give
 * NULL, as upstream does; integers come back as INT, other numbers as DOUBLE.
 */
export function applyJsonPath(v: VariableValue, jsonPath: string): VariableValue {
  if (!isJsonKind(v)) throw new VarSubError(`Cannot jsonpath on ${kindOf(v)}`);
  const tokens = compileJsonPath(jsonPath);
  const hit = readTokens(jsonTreeOf(v), tokens);
  return hit === undefined ? {} : valueOfJsonNode(hit);
}

function selectorTokens(path: LHPath, from: number): PathToken[] {
  return path.path.slice(from).map((s): PathToken => {
    const st = s.selectorType;
    if (st?.$case === 'index') return { t: 'index', index: st.value };
    return { t: 'key', key: st?.$case === 'key' ? st.value : '' };
  });
}

/**
 * LHPath read: STRUCT fields, ARRAY indexes and MAP keys are walked natively; once a JSON value
 * is reached the rest of the path is applied to it as JSON (missing → NULL there).
 */
export function applyLhPath(v: VariableValue, path: LHPath): VariableValue {
  if (path.path.length > MAX_LH_PATH_SELECTORS) throw new VarSubError('LHPath too long');
  let cur = v;
  for (let i = 0; i < path.path.length; i++) {
    const sel = path.path[i]?.selectorType;
    const val = cur.value;
    switch (val?.$case) {
      case 'struct': {
        if (sel?.$case !== 'key') throw new VarSubError('A Struct field must be selected by key');
        const field = val.value.struct?.fields[sel.value];
        if (field === undefined || !Object.hasOwn(val.value.struct?.fields ?? {}, sel.value)) {
          throw new VarSubError(`Struct has no field '${sel.value}'`);
        }
        cur = field.value ?? {};
        break;
      }
      case 'array': {
        if (sel?.$case !== 'index') throw new VarSubError('An Array element must be selected by index');
        if (sel.value < 0) throw new VarSubError(`Array index cannot be negative: ${sel.value}`);
        const item = val.value.items[sel.value];
        if (item === undefined) throw new VarSubError(`Array index out of bounds: ${sel.value}`);
        cur = item;
        break;
      }
      case 'map': {
        if (sel?.$case !== 'key') throw new VarSubError('A Map entry must be selected by key');
        const wanted: VariableValue = { value: { $case: 'str', value: sel.value } };
        const entry = val.value.entries.find((e) => valuesEqual(e.key, wanted));
        if (entry === undefined) return {};
        cur = entry.value ?? {};
        break;
      }
      case 'jsonObj':
      case 'jsonArr': {
        const hit = readTokens(jsonTreeOf(cur), selectorTokens(path, i));
        return hit === undefined ? {} : valueOfJsonNode(hit);
      }
      default:
        throw new VarSubError(`Cannot 'get' on ${kindOf(cur)}`);
    }
  }
  return cur;
}

/**
 * Returns a copy of the JSON value with the node at `jsonPath` replaced by `newValue` (a missing
 * last key is added, as upstream's DEFAULT_PATH_LEAF_TO_NULL set does). A missing parent, an
 * index outside the array, the root itself or a wildcard is a VarMutationError.
 */
export function setAtJsonPath(root: VariableValue, jsonPath: string, newValue: VariableValue): VariableValue {
  if (!isJsonKind(root)) throw new VarMutationError(`Cannot set a jsonpath on ${kindOf(root)}`);
  const fail = (why: string): never => {
    throw new VarMutationError(`Failed updating jsonPath ${jsonPath}: ${why}`);
  };
  let tokens: PathToken[] = [];
  try {
    tokens = compileJsonPath(jsonPath);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  const last = tokens[tokens.length - 1];
  if (last === undefined) return fail('cannot replace the root');
  if (tokens.some((t) => t.t === 'wildcard')) fail('wildcards are not supported when setting');
  let tree: JsonNode = null;
  try {
    tree = jsonTreeOf(root);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  const parent = readTokens(tree, tokens.slice(0, -1));
  if (parent === undefined) fail('parent path not found');
  const node = jsonNodeOfValue(newValue);
  if (last.t === 'key') {
    if (!isJsonObject(parent ?? null)) return fail(`expected an object at the parent of '${last.key}'`);
    (parent as Map<string, JsonNode>).set(last.key, node);
  } else if (last.t === 'index') {
    if (!Array.isArray(parent)) return fail('expected an array');
    const idx = last.index < 0 ? parent.length + last.index : last.index;
    if (idx < 0 || idx >= parent.length) fail(`index ${last.index} out of bounds`);
    parent[idx] = node;
  }
  const text = stringifyJsonTree(tree);
  return root.value?.$case === 'jsonArr'
    ? { value: { $case: 'jsonArr', value: text } }
    : { value: { $case: 'jsonObj', value: text } };
}
