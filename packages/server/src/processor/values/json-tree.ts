/**
 * The in-memory form of JSON_OBJ / JSON_ARR contents.
 *
 * Upstream parses stored JSON with Gson's LONG_OR_DOUBLE policy: a number literal that fits an
 * int64 becomes a Long, anything else a Double. We keep that distinction by holding integers as
 * `bigint` and everything else as `number`, so `1` and `1.0` stay different (they print, compare
 * and extract differently upstream). Objects are `Map`s: insertion order is kept and a key such
 * as `__proto__` is just data.
 */
import { VarSubError } from './errors.ts';

export type JsonNode = null | boolean | string | bigint | number | JsonNode[] | JsonObject;
export type JsonObject = Map<string, JsonNode>;

/** Hard ceiling on nesting no matter what the caller asks for: the parser and printers recurse. */
export const MAX_JSON_DEPTH_CEILING = 512;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function isJsonObject(n: JsonNode | undefined): n is JsonObject {
  return n instanceof Map;
}

/** Strict RFC 8259 parse. Duplicate keys are refused, as Gson refuses them for maps. */
export function parseJsonTree(text: string, maxDepth: number): JsonNode {
  const depthLimit = Math.min(maxDepth, MAX_JSON_DEPTH_CEILING);
  let pos = 0;

  const fail = (why: string): never => {
    throw new VarSubError(`Invalid JSON at offset ${pos}: ${why}`);
  };
  const skipWs = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      pos++;
    }
  };
  const expect = (word: string): void => {
    if (!text.startsWith(word, pos)) fail(`expected '${word}'`);
    pos += word.length;
  };

  const parseString = (): string => {
    pos++; // opening quote
    let out = '';
    let runStart = pos;
    while (true) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(runStart, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(runStart, pos);
      const esc = text[pos + 1];
      pos += 2;
      switch (esc) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
          break;
        }
        default: fail('bad escape');
      }
      runStart = pos;
    }
  };

  const parseNumber = (): bigint | number => {
    const m = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(pos, pos + 1100));
    if (m === null) return fail('bad number');
    const lit = m[0];
    pos += lit.length;
    if (m[1] === undefined && m[2] === undefined) {
      const big = BigInt(lit);
      if (big >= INT64_MIN && big <= INT64_MAX) return big;
    }
    return Number(lit);
  };

  const parseValue = (depth: number): JsonNode => {
    skipWs();
    const c = text[pos];
    if (c === '{' || c === '[') {
      if (depth >= depthLimit) fail(`nesting deeper than ${depthLimit}`);
      return c === '{' ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === '"') return parseString();
    if (c === 't') { expect('true'); return true; }
    if (c === 'f') { expect('false'); return false; }
    if (c === 'n') { expect('null'); return null; }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return parseNumber();
    return fail(c === undefined ? 'unexpected end' : `unexpected '${c}'`);
  };

  const parseObject = (depth: number): JsonObject => {
    pos++;
    const obj: JsonObject = new Map();
    skipWs();
    if (text[pos] === '}') { pos++; return obj; }
    while (true) {
      skipWs();
      if (text[pos] !== '"') fail('expected key');
      const key = parseString();
      if (obj.has(key)) fail(`duplicate key: ${key}`);
      skipWs();
      if (text[pos] !== ':') fail("expected ':'");
      pos++;
      obj.set(key, parseValue(depth));
      skipWs();
      if (text[pos] === ',') { pos++; continue; }
      if (text[pos] === '}') { pos++; return obj; }
      fail("expected ',' or '}'");
    }
  };

  const parseArray = (depth: number): JsonNode[] => {
    pos++;
    const arr: JsonNode[] = [];
    skipWs();
    if (text[pos] === ']') { pos++; return arr; }
    while (true) {
      arr.push(parseValue(depth));
      skipWs();
      if (text[pos] === ',') { pos++; continue; }
      if (text[pos] === ']') { pos++; return arr; }
      fail("expected ',' or ']'");
    }
  };

  const root = parseValue(0);
  skipWs();
  if (pos !== text.length) fail('trailing characters');
  return root;
}

/** Deep copy, so mutations never alias a value that is still referenced elsewhere. */
export function cloneJson(n: JsonNode): JsonNode {
  if (Array.isArray(n)) return n.map(cloneJson);
  if (isJsonObject(n)) {
    const out: JsonObject = new Map();
    for (const [k, v] of n) out.set(k, cloneJson(v));
    return out;
  }
  return n;
}

/**
 * Structural equality as upstream's `LHUtil.deepEquals` sees it for IN / REMOVE_IF_PRESENT on
 * JSON arrays: integers and doubles compare by numeric value.
 */
export function jsonNumericEquals(a: JsonNode, b: JsonNode): boolean {
  if (typeof a === 'bigint' || typeof a === 'number') {
    if (typeof b !== 'bigint' && typeof b !== 'number') return false;
    return Number(a) === Number(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonNumericEquals(x, b[i] as JsonNode));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    // Upstream only checks the right side's keys against the left (a one-way containment).
    for (const [k, v] of b) {
      if (!jsonNumericEquals(a.get(k) ?? null, v)) return false;
    }
    return true;
  }
  return a === b;
}
