/**
 * A compiled JSONPath, the subset of Jayway JsonPath that workflow specs use: `$`, `.name`,
 * `['name']` / `["name"]`, `[n]` (negative counts from the end) and the `*` wildcard. Deep
 * scan (`..`), filters, slices and unions are refused with VarSubError.
 */
import { VarSubError } from './errors.ts';

export type PathToken =
  | { readonly t: 'key'; readonly key: string }
  | { readonly t: 'index'; readonly index: number }
  | { readonly t: 'wildcard' };

/** Paths longer than this are not something a WfSpec needs; refuse rather than loop. */
const MAX_PATH_CHARS = 4096;

export function compileJsonPath(path: string): PathToken[] {
  if (path.length > MAX_PATH_CHARS) throw new VarSubError(`JSONPath longer than ${MAX_PATH_CHARS} characters`);
  const bad = (why: string): never => {
    throw new VarSubError(`Invalid JSONPath '${path}': ${why}`);
  };
  let p = path.trim();
  // Jayway treats a path without a root as relative to the root.
  if (!p.startsWith('$')) p = `$.${p}`;
  const tokens: PathToken[] = [];
  let i = 1;
  while (i < p.length) {
    const c = p[i];
    if (c === '.') {
      if (p[i + 1] === '.') bad('deep scan (..) is not supported');
      let j = i + 1;
      while (j < p.length && p[j] !== '.' && p[j] !== '[') j++;
      const name = p.slice(i + 1, j).trim();
      if (name === '') bad('empty property name');
      tokens.push(name === '*' ? { t: 'wildcard' } : { t: 'key', key: name });
      i = j;
      continue;
    }
    if (c === '[') {
      const q = p[i + 1];
      if (q === "'" || q === '"') {
        let j = i + 2;
        let name = '';
        while (j < p.length && p[j] !== q) {
          if (p[j] === '\\' && j + 1 < p.length) j++;
          name += p[j];
          j++;
        }
        if (j >= p.length || p[j + 1] !== ']') bad('unterminated bracket property');
        tokens.push({ t: 'key', key: name });
        i = j + 2;
        continue;
      }
      const close = p.indexOf(']', i);
      if (close < 0) bad("missing ']'");
      const inner = p.slice(i + 1, close).trim();
      if (inner === '*') tokens.push({ t: 'wildcard' });
      else if (/^-?[0-9]+$/.test(inner)) tokens.push({ t: 'index', index: Number(inner) });
      else bad(`unsupported bracket expression [${inner}]`);
      i = close + 1;
      continue;
    }
    bad(`unexpected '${c}'`);
  }
  return tokens;
}

/** Back to text, in bracket notation so any key survives a round trip. */
export function jsonPathToString(tokens: readonly PathToken[]): string {
  return `$${tokens.map((t) => (t.t === 'key' ? `['${t.key.replace(/['\\]/g, '\\$&')}']` : t.t === 'index' ? `[${t.index}]` : '[*]')).join('')}`;
}
