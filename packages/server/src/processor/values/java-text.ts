/**
 * Text renderings that reproduce what upstream's JVM prints, because those strings leak into
 * user-visible values (casts to STR, STR concatenation, format strings, re-serialized JSON).
 */
import type { Timestamp } from '@filly/proto';
import { isJsonObject, type JsonNode } from './json-tree.ts';

/** Java's `Double.toString(double)` (JDK 19+ shortest-digits algorithm, which JS shares). */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const sign = d < 0 ? '-' : '';
  const abs = Math.abs(d);
  let { digits, exp10 } = shortestDigits(abs);
  if (digits.length === 1) {
    // Java always prints two significant digits and picks the pair closest to the exact value
    // (Double.MIN_VALUE is "4.9E-324", not "5.0E-324").
    const [m = '', e = '0'] = abs.toExponential(1).split('e');
    digits = m.replace('.', '').replace(/0$/, '');
    exp10 = Number(e);
  }
  if (abs >= 1e-3 && abs < 1e7) {
    // Plain notation with at least one digit after the point.
    const pointAt = exp10 + 1; // digits before the decimal point
    if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
    if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}.0`;
    return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  }
  const mantissa = digits.length === 1 ? `${digits}.0` : `${digits[0]}.${digits.slice(1)}`;
  return `${sign}${mantissa}E${exp10}`;
}

/** Shortest round-tripping decimal digits of a positive finite double, and its base-10 exponent. */
export function shortestDigits(abs: number): { digits: string; exp10: number } {
  const [mant = '', expPart = '0'] = abs.toExponential().split('e');
  return { digits: mant.replace('.', ''), exp10: Number(expPart) };
}

const GSON_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"', '\\': '\\\\', '\t': '\\t', '\b': '\\b', '\n': '\\n', '\r': '\\r', '\f': '\\f',
  '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '=': '\\u003d', "'": '\\u0027',
  '\u2028': '\\u2028', '\u2029': '\\u2029',
};

/** A JSON string literal escaped the way Gson's default (HTML-safe) writer does it. */
export function gsonQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const esc = GSON_ESCAPES[ch];
    if (esc !== undefined) out += esc;
    else if (ch < ' ') out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Compact JSON as upstream stores it after a round trip through Gson. */
export function stringifyJsonTree(n: JsonNode): string {
  if (n === null) return 'null';
  if (typeof n === 'boolean') return n ? 'true' : 'false';
  if (typeof n === 'string') return gsonQuote(n);
  if (typeof n === 'bigint') return n.toString();
  if (typeof n === 'number') return javaDoubleToString(n);
  if (Array.isArray(n)) return `[${n.map(stringifyJsonTree).join(',')}]`;
  const parts: string[] = [];
  for (const [k, v] of n) parts.push(`${gsonQuote(k)}:${stringifyJsonTree(v)}`);
  return `{${parts.join(',')}}`;
}

/**
 * `toString()` of the Java objects Gson builds (LinkedTreeMap / ArrayList / Long / Double):
 * `{a=1, b=[x, 2.5]}`. Upstream uses it when a JSON value is turned into STR.
 */
export function javaToStringJsonTree(n: JsonNode): string {
  if (n === null) return 'null';
  if (typeof n === 'boolean') return n ? 'true' : 'false';
  if (typeof n === 'string') return n;
  if (typeof n === 'bigint') return n.toString();
  if (typeof n === 'number') return javaDoubleToString(n);
  if (Array.isArray(n)) return `[${n.map(javaToStringJsonTree).join(', ')}]`;
  if (isJsonObject(n)) {
    const parts: string[] = [];
    for (const [k, v] of n) parts.push(`${k}=${javaToStringJsonTree(v)}`);
    return `{${parts.join(', ')}}`;
  }
  return String(n);
}

/** protobuf-java's `Timestamp.toString()` (text format; zero fields are omitted). */
export function timestampTextFormat(ts: Timestamp): string {
  let out = '';
  if (ts.seconds !== 0n) out += `seconds: ${ts.seconds}\n`;
  if (ts.nanos !== 0) out += `nanos: ${ts.nanos}\n`;
  return out;
}
