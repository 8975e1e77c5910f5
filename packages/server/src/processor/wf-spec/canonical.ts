// A canonical text form of protobuf messages, for "is this the same spec?" questions. Map fields
// are sorted by key, so two requests that differ only in map order compare equal.
const MAX_DEPTH = 256;

/** `json` is a message's toJSON() output: plain objects, arrays, strings, numbers, booleans. */
export function canonicalJson(json: unknown): string {
  return JSON.stringify(sortKeys(json, 0));
}

function sortKeys(x: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new Error('canonicalJson: message nested too deeply');
  if (Array.isArray(x)) return x.map((v) => sortKeys(v, depth + 1));
  if (x === null || typeof x !== 'object') return x;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(x).sort()) out[key] = sortKeys((x as Record<string, unknown>)[key], depth + 1);
  return out;
}
