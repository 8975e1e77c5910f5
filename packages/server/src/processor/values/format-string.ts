/**
 * Format strings (`FormatString`), rendered the way upstream's `java.text.MessageFormat.format`
 * does in an en_US JVM: `{0}` placeholders; numbers through NumberFormat (grouping, at most three
 * fraction digits, half-even); quotes: `'...'` is literal text and `''` is one quote; an index
 * past the last argument is printed back as `{n}`. Supported element styles: `{n}`,
 * `{n,number}`, `{n,number,integer}`; any other style is a VarSubError.
 */
import type { VariableValue } from '@filly/proto';
import { VarSubError } from './errors.ts';
import { shortestDigits } from './java-text.ts';
import { toText } from './to-text.ts';

/** A format string longer than this is refused rather than scanned. */
const MAX_FORMAT_CHARS = 1_000_000;

function groupThousands(intDigits: string): string {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Rounds decimal digits (value = 0.d1d2... × 10^(exp10+1)) to `fractionDigits` places, half-even
 * on the shortest repr (what JDK 17's DecimalFormat observably does), returning int and fraction.
 */
function roundDecimal(digits: string, exp10: number, fractionDigits: number): { int: string; frac: string } {
  const pointAt = exp10 + 1;
  // Pad so that the digit string covers the integer part and the kept fraction.
  let all = digits;
  let point = pointAt;
  if (point <= 0) {
    all = '0'.repeat(1 - point) + all;
    point = 1;
  }
  if (all.length < point + fractionDigits) all += '0'.repeat(point + fractionDigits - all.length);
  const keep = all.slice(0, point + fractionDigits);
  const rest = all.slice(point + fractionDigits);
  let n = BigInt(keep);
  if (rest.length > 0 && /[1-9]/.test(rest)) {
    const first = Number(rest[0]);
    const tail = /[1-9]/.test(rest.slice(1));
    const odd = n % 2n === 1n;
    if (first > 5 || (first === 5 && (tail || odd))) n += 1n;
  }
  const s = n.toString().padStart(fractionDigits + 1, '0');
  return { int: s.slice(0, s.length - fractionDigits), frac: s.slice(s.length - fractionDigits) };
}

/** `NumberFormat.getInstance(en_US)` (or `getIntegerInstance` when `integerOnly`). */
export function javaNumberFormat(x: bigint | number, integerOnly = false): string {
  if (typeof x === 'bigint') return (x < 0n ? '-' : '') + groupThousands((x < 0n ? -x : x).toString());
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '\u221e' : '-\u221e';
  const neg = x < 0 || Object.is(x, -0);
  if (x === 0) return neg ? '-0' : '0';
  const { digits, exp10 } = shortestDigits(Math.abs(x));
  const { int, frac } = roundDecimal(digits, exp10, integerOnly ? 0 : 3);
  const trimmed = frac.replace(/0+$/, '');
  const body = groupThousands(int.replace(/^0+(?=\d)/, '')) + (trimmed === '' ? '' : `.${trimmed}`);
  return (neg ? '-' : '') + body;
}

function renderArg(arg: VariableValue | undefined, style: string | undefined): string {
  const val = arg?.value;
  const num = val?.$case === 'int' || val?.$case === 'double' ? val.value : undefined;
  if (style === undefined) return num === undefined ? toText(arg) : javaNumberFormat(num);
  if (style === 'number' || style === 'number,integer') {
    if (num === undefined) {
      if (val === undefined) return 'null';
      throw new VarSubError(`Cannot format argument of kind ${val.$case} as a number`);
    }
    return javaNumberFormat(num, style === 'number,integer');
  }
  throw new VarSubError(`Unsupported format element style '${style}'`);
}

export function formatString(format: string, args: ReadonlyArray<VariableValue | undefined>): string {
  if (format.length > MAX_FORMAT_CHARS) throw new VarSubError('Format string too long');
  let out = '';
  let inQuote = false;
  let i = 0;
  while (i < format.length) {
    const ch = format[i] as string;
    if (ch === "'") {
      if (format[i + 1] === "'") {
        out += "'";
        i += 2;
      } else {
        inQuote = !inQuote;
        i++;
      }
      continue;
    }
    if (ch !== '{' || inQuote) {
      out += ch;
      i++;
      continue;
    }
    const close = format.indexOf('}', i);
    if (close < 0) throw new VarSubError('Error formatting variable: Unmatched braces in the pattern.');
    const element = format.slice(i + 1, close);
    if (element.includes('{')) throw new VarSubError('Error formatting variable: nested format elements are not supported');
    const comma = element.indexOf(',');
    const indexText = comma < 0 ? element : element.slice(0, comma);
    if (!/^[0-9]+$/.test(indexText)) {
      throw new VarSubError(`Error formatting variable: can't parse argument number: ${indexText}`);
    }
    const index = Number(indexText);
    const style = comma < 0 ? undefined : element.slice(comma + 1).split(',').map((s) => s.trim()).join(',');
    out += index < args.length ? renderArg(args[index], style) : `{${indexText}}`;
    i = close + 1;
  }
  return out;
}
