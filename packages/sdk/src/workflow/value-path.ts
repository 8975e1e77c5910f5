import type { LHPath_Selector, VariableAssignment } from '@filly/proto';

/** The part of a value an assignment reads: a JSONPath, or an LHPath of keys and indexes. */
export type ValuePath = NonNullable<VariableAssignment['path']>;

/** Bound on get().get()... chains. */
const MAX_PATH_SELECTORS = 64;

export function jsonPathFrom(existing: ValuePath | undefined, path: string, owner: string): ValuePath {
  if (existing?.$case === 'jsonPath') throw new Error(`jsonPath() used twice on ${owner}`);
  if (existing?.$case === 'lhPath') throw new Error(`cannot use jsonPath() and get() on the same value (${owner})`);
  if (!path.startsWith('$')) throw new Error(`JSONPath must start with "$", got "${path}"`);
  return { $case: 'jsonPath', value: path };
}

/** Extends an LHPath with a field key (string) or an index (integer). */
export function lhPathFrom(existing: ValuePath | undefined, keyOrIndex: string | number, owner: string): ValuePath {
  if (existing?.$case === 'jsonPath') throw new Error(`cannot use jsonPath() and get() on the same value (${owner})`);
  const previous = existing?.$case === 'lhPath' ? existing.value.path : [];
  if (previous.length >= MAX_PATH_SELECTORS) throw new Error(`a path may have at most ${MAX_PATH_SELECTORS} selectors`);
  let selector: LHPath_Selector;
  if (typeof keyOrIndex === 'string') {
    selector = { selectorType: { $case: 'key', value: keyOrIndex } };
  } else {
    if (!Number.isInteger(keyOrIndex) || keyOrIndex < 0 || keyOrIndex > 2 ** 31 - 1) {
      throw new Error(`an index must be a non-negative int32, got ${keyOrIndex}`);
    }
    selector = { selectorType: { $case: 'index', value: keyOrIndex } };
  }
  return { $case: 'lhPath', value: { path: [...previous, selector] } };
}
