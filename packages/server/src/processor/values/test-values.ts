/** Terse value constructors for the tests of this folder. */
import { VariableType, type TypeDefinition, type VariableValue } from '@filly/proto';

export const NUL: VariableValue = {};
export const I = (n: bigint | number): VariableValue => ({ value: { $case: 'int', value: BigInt(n) } });
export const D = (x: number): VariableValue => ({ value: { $case: 'double', value: x } });
export const S = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
export const B = (b: boolean): VariableValue => ({ value: { $case: 'bool', value: b } });
export const JO = (s: string): VariableValue => ({ value: { $case: 'jsonObj', value: s } });
export const JA = (s: string): VariableValue => ({ value: { $case: 'jsonArr', value: s } });
export const BY = (s: string): VariableValue => ({ value: { $case: 'bytes', value: Buffer.from(s, 'utf8') } });
export const WF = (id: string, parent?: string): VariableValue => ({
  value: { $case: 'wfRunId', value: parent === undefined ? { id } : { id, parentWfRunId: { id: parent } } },
});
export const TS = (seconds: bigint, nanos = 0): VariableValue => ({ value: { $case: 'utcTimestamp', value: { seconds, nanos } } });
export const ARR = (items: VariableValue[], elementType?: TypeDefinition): VariableValue => ({
  value: { $case: 'array', value: { items, elementType } },
});
export const MAP = (entries: Array<[VariableValue, VariableValue]>): VariableValue => ({
  value: { $case: 'map', value: { entries: entries.map(([key, value]) => ({ key, value })) } },
});
export const STRUCT = (name: string, fields: Record<string, VariableValue>): VariableValue => ({
  value: {
    $case: 'struct',
    value: {
      structDefId: { name, version: 0 },
      struct: { fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { value: v, masked: false }])) },
    },
  },
});

export const T = (t: VariableType, masked = false): TypeDefinition => ({ definedType: { $case: 'primitiveType', value: t }, masked });
export const T_ARR = (item: TypeDefinition): TypeDefinition => ({ definedType: { $case: 'inlineArrayDef', value: { arrayType: item } }, masked: false });
export const T_MAP = (k: TypeDefinition, v: TypeDefinition): TypeDefinition => ({
  definedType: { $case: 'inlineMapDef', value: { keyType: k, valueType: v } }, masked: false,
});
export const T_STRUCT = (name: string, version = 0): TypeDefinition => ({ definedType: { $case: 'structDefId', value: { name, version } }, masked: false });

/** Printable form for assertion messages and deep comparisons (bigint and Buffer safe). */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (x !== null && typeof x === 'object' && (x as { type?: string }).type === 'Buffer') return `bytes:${Buffer.from((x as { data: number[] }).data).toString('hex')}`;
    return x;
  });
}
