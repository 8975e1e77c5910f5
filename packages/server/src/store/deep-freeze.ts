// Freezes a decoded record and everything it holds, so an object shared between commands cannot
// be changed by one of them: an attempt throws (modules run in strict mode) instead of silently
// altering what the next command reads. Byte arrays cannot be frozen and are left as they are.

/** Nesting deeper than any stored record has; reaching it means a cycle or a corrupt value. */
const MAX_DEPTH = 64;

export function deepFreeze<T>(value: T): T {
  freezeAt(value, 0);
  return value;
}

function freezeAt(value: unknown, depth: number): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  if (ArrayBuffer.isView(value)) return;
  if (depth > MAX_DEPTH) throw new Error(`deepFreeze: nesting deeper than ${MAX_DEPTH}`);
  // A frozen Map can still be set(); stored records hold none (ts-proto maps are plain objects).
  if (value instanceof Map) throw new Error('deepFreeze: a Map cannot be frozen');
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const item of value) freezeAt(item, depth + 1);
    return;
  }
  for (const key of Object.keys(value)) freezeAt((value as Record<string, unknown>)[key], depth + 1);
}
