import { VariableType, type WfRunId } from '@filly/proto';

/**
 * The primitive LittleHorse types, spelled as in the proto enum. Task definitions and
 * workflow variables are declared with these names so that TypeScript can derive the JS
 * types of handler arguments, outputs and workflow arguments from them.
 */
export const VAR_TYPE_NAMES = [
  'STR',
  'INT',
  'DOUBLE',
  'BOOL',
  'JSON_OBJ',
  'JSON_ARR',
  'BYTES',
  'TIMESTAMP',
  'WF_RUN_ID',
] as const;

export type VarTypeName = (typeof VAR_TYPE_NAMES)[number];

/**
 * What a task handler receives for each declared input type.
 *
 * INT is int64 on the wire. Handlers receive a `number`: that is what nearly every task
 * wants, and a value outside Number.MAX_SAFE_INTEGER is refused (reported as
 * TASK_INPUT_VAR_SUB_ERROR) rather than silently rounded. Tasks that need the full int64
 * range can declare the input as STR or JSON_OBJ.
 */
export interface InputJsTypes {
  STR: string;
  INT: number;
  DOUBLE: number;
  BOOL: boolean;
  JSON_OBJ: Record<string, unknown>;
  JSON_ARR: unknown[];
  BYTES: Uint8Array;
  TIMESTAMP: Date;
  WF_RUN_ID: WfRunId;
}

/**
 * What may be given where a value of a declared type is expected: task outputs, workflow
 * literals, variable defaults. INT accepts `bigint` too, so the full int64 range can be
 * written; a `number` must be an integer.
 */
export interface OutputJsTypes extends Omit<InputJsTypes, 'INT'> {
  INT: number | bigint;
}

export type InputJsType<T extends VarTypeName> = InputJsTypes[T];
export type OutputJsType<T extends VarTypeName> = OutputJsTypes[T];

export const VARIABLE_TYPE_BY_NAME: Readonly<Record<VarTypeName, VariableType>> = {
  STR: VariableType.STR,
  INT: VariableType.INT,
  DOUBLE: VariableType.DOUBLE,
  BOOL: VariableType.BOOL,
  JSON_OBJ: VariableType.JSON_OBJ,
  JSON_ARR: VariableType.JSON_ARR,
  BYTES: VariableType.BYTES,
  TIMESTAMP: VariableType.TIMESTAMP,
  WF_RUN_ID: VariableType.WF_RUN_ID,
};

export function variableTypeOf(name: VarTypeName): VariableType {
  return VARIABLE_TYPE_BY_NAME[name];
}

export function isVarTypeName(value: unknown): value is VarTypeName {
  return typeof value === 'string' && (VAR_TYPE_NAMES as readonly string[]).includes(value);
}
