import type { InlineStructBuilder as InlineStructBuilderProto, InlineStructFieldValue, VariableAssignment } from '@filly/proto';
import { assignmentOf, ValueHandle, type AnyValue } from './expression.ts';
import { LATEST_STRUCT_DEF_VERSION } from './type-spec.ts';

/** Bound on fields per struct builder. */
const MAX_STRUCT_FIELDS = 1_000;

/** Fields of a struct being assembled at run time; nest with wf.buildInlineStruct(). */
export class InlineStructBuilder {
  readonly #fields = new Map<string, AnyValue>();

  /** Sets a field to a literal, a workflow value, or a nested inline struct. */
  put(fieldName: string, value: AnyValue): this {
    if (fieldName.length === 0) throw new Error('a struct field name must not be empty');
    if (!this.#fields.has(fieldName) && this.#fields.size >= MAX_STRUCT_FIELDS) throw new Error(`at most ${MAX_STRUCT_FIELDS} fields per struct`);
    this.#fields.set(fieldName, value);
    return this;
  }

  /** @internal */
  toProto(): InlineStructBuilderProto {
    const fields: Record<string, InlineStructFieldValue> = {};
    for (const [name, value] of this.#fields) {
      fields[name] =
        value instanceof InlineStructBuilder
          ? { structValue: { $case: 'subStructure', value: value.toProto() } }
          : { structValue: { $case: 'simpleValue', value: assignmentOf(value) } };
    }
    return { fields };
  }
}

/**
 * An instance of a StructDef built at run time (`wf.buildStruct('car').put('make', make)`);
 * usable wherever a value is: assignments, task inputs, thread inputs.
 */
export class StructBuilder extends ValueHandle<'STRUCT'> {
  readonly valueType = 'STRUCT' as const;
  readonly structDefName: string;
  readonly structDefVersion: number;
  readonly #inline = new InlineStructBuilder();

  constructor(structDefName: string, structDefVersion: number = LATEST_STRUCT_DEF_VERSION) {
    super();
    if (structDefName.length === 0) throw new Error('a StructDef name must not be empty');
    if (!Number.isInteger(structDefVersion) || structDefVersion < LATEST_STRUCT_DEF_VERSION) throw new Error(`bad StructDef version ${structDefVersion}`);
    this.structDefName = structDefName;
    this.structDefVersion = structDefVersion;
  }

  put(fieldName: string, value: AnyValue): this {
    this.#inline.put(fieldName, value);
    return this;
  }

  toAssignment(): VariableAssignment {
    return {
      source: {
        $case: 'structBuilder',
        value: { structDefId: { name: this.structDefName, version: this.structDefVersion }, value: this.#inline.toProto() },
      },
    };
  }
}
