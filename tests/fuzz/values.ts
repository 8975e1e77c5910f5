// Pools of hostile scalar values: names that exist and names that cannot, strings that are not
// UTF-8, integers at and past every boundary, cron strings, JSON paths and JSON documents.
import type { Prng } from './prng.ts';
import { utf8 } from './wire.ts';

/** Objects the fuzz suite creates first, so random requests often reach deep validation. */
export const KNOWN_NAMES = ['fuzz-task', 'fuzz-wf', 'fuzz-event', 'fuzz-run-1', 'fuzz-run-2', 'default', 'fuzz-wfevent', 'fuzz-struct', 'entrypoint', '0-entrypoint-ENTRYPOINT', '1-fuzz-event-EXTERNAL_EVENT', 'v', 'anonymous'];

const CRONS = ['* * * * *', '61 * * * *', 'not a cron', '*/0 * * * *', '0 0 31 2 *', '@yearly', '* * * * * * * *', '1-0 * * * *', '0 0 * * 8', '', '*/9999999999 * * * *'];
const JSON_PATHS = ['$', '$.a', '$..', '$[', '$.a[999999999999]', "$['x']", 'abc', '$.a.b.c.d.e.f', '$[*]', '$.length()', '$[-1]', '$..*'];

export function deepJson(depth: number, kind: 'obj' | 'arr'): string {
  return kind === 'obj' ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);
}

const JSON_TEXTS = ['{}', '[]', 'null', '{"a":1', '1e999', '{"__proto__":{"x":1}}', '{"a":"\\ud800"}', '[1,2,3]', '"str"', deepJson(64, 'obj'), deepJson(65, 'arr')];

function randomName(rng: Prng): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
  const n = 1 + rng.int(20);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
  return s;
}

export interface StringOptions {
  /** Allow strings of hundreds of kilobytes and deep JSON documents. */
  allowHuge: boolean;
}

/** A string field's bytes: usually UTF-8 text, sometimes not UTF-8 at all. */
export function randomStringBytes(rng: Prng, opts: StringOptions): Uint8Array {
  const r = rng.int(100);
  if (r < 30) return utf8(rng.pick(KNOWN_NAMES));
  if (r < 45) return utf8(randomName(rng));
  if (r < 50) return utf8(rng.pick(['', ' ', 'has space', 'UPPER', 'a_b', '-x-', '..', '/', 'héllo-😀', '\u0000', 'x'.repeat(129)]));
  if (r < 56) return rng.pick([Uint8Array.from([0xff, 0xfe]), Uint8Array.from([0xed, 0xa0, 0x80]), Uint8Array.from([0x61, 0xe2, 0x82]), Uint8Array.from([0xc0, 0x80])]);
  if (r < 64) return utf8(rng.pick(CRONS));
  if (r < 72) return utf8(rng.pick(JSON_PATHS));
  if (r < 82) return utf8(rng.pick(JSON_TEXTS));
  if (r < 86 && opts.allowHuge) return utf8(rng.pick([deepJson(3_000, 'obj'), deepJson(50_000, 'arr'), 'x'.repeat(70_000)]));
  if (r < 87 && opts.allowHuge) return utf8('y'.repeat(300_000));
  return rng.bytes(rng.int(40));
}

const BOUNDARY_INTS = [0n, 1n, -1n, 2n, 127n, 128n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 31n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n];

/** An integer for a varint field: boundaries, overflow of the field's width, small values. */
export function randomInt(rng: Prng): bigint {
  const r = rng.int(10);
  if (r < 4) return BigInt(rng.int(100));
  if (r < 9) return rng.pick(BOUNDARY_INTS);
  return (BigInt(rng.next()) << 32n) | BigInt(rng.next());
}

export function randomDouble(rng: Prng): number {
  return rng.pick([0, -0, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE, Number.MIN_VALUE, 1e300, rng.next() / 7]);
}
