// Random request messages guided by the contract: every field is written with a value of its
// type (often hostile), and, when asked, some fields are written wrongly: another wire type, an
// unknown field number, a length past the end. The result is raw bytes, exactly what is sent.
import protobuf from 'protobufjs';
import type { Prng } from './prng.ts';
import { randomDouble, randomInt, randomStringBytes } from './values.ts';
import { WireType, WireWriter } from './wire.ts';

export interface GenerateOptions {
  /** Chance that one field is written with a wrong wire type or number. */
  fieldMutationChance: number;
  /** Allow huge strings and lists. */
  allowHuge: boolean;
  maxDepth: number;
}

/** Bounds the work of one message whatever the schema's recursion. */
const MAX_FIELDS_PER_MESSAGE = 20_000;

const VARINT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool']);
const I32_TYPES = new Set(['fixed32', 'sfixed32', 'float']);
const I64_TYPES = new Set(['fixed64', 'sfixed64', 'double']);

interface Budget {
  fields: number;
  /** Strings of more than HUGE_STRING_BYTES written so far: at most one per message. */
  hugeStrings: number;
}

const HUGE_STRING_BYTES = 10_000;

export function randomMessage(rng: Prng, type: protobuf.Type, opts: GenerateOptions): Uint8Array {
  return writeMessage(rng, type, opts, 0, { fields: 0, hugeStrings: 0 });
}

function writeMessage(rng: Prng, type: protobuf.Type, opts: GenerateOptions, depth: number, budget: Budget): Uint8Array {
  const w = new WireWriter();
  if (depth > opts.maxDepth) return w.finish();
  const presence = Math.max(0.15, 0.7 - depth * 0.12);
  const chosenOneof = new Map<string, string>();
  for (const oneof of type.oneofsArray) {
    // proto3 `optional` fields are one-member oneofs named "_field"; they are not a choice.
    if (oneof.fieldsArray.length < 2) continue;
    const member = rng.pick(oneof.fieldsArray);
    chosenOneof.set(oneof.name, member.name);
  }
  for (const field of type.fieldsArray) {
    if (budget.fields > MAX_FIELDS_PER_MESSAGE) break;
    const oneof = field.partOf;
    if (oneof && oneof.fieldsArray.length >= 2) {
      // Usually the chosen member only; sometimes two members, which the decoder must settle.
      if (chosenOneof.get(oneof.name) !== field.name && !rng.chance(0.03)) continue;
    } else if (!rng.chance(presence)) continue;
    writeField(w, rng, field, opts, depth, budget);
  }
  if (rng.chance(opts.fieldMutationChance)) writeBadField(w, rng);
  return w.finish();
}

function writeField(w: WireWriter, rng: Prng, field: protobuf.Field, opts: GenerateOptions, depth: number, budget: Budget): void {
  if (rng.chance(opts.fieldMutationChance)) {
    writeWrongType(w, rng, field.id);
    budget.fields++;
    return;
  }
  if (field instanceof protobuf.MapField) {
    const n = 1 + rng.int(3);
    for (let i = 0; i < n; i++) {
      const entry = new WireWriter();
      writeValue(entry, rng, 1, field.keyType, undefined, opts, depth, budget);
      writeValue(entry, rng, 2, field.type, field.resolvedType, opts, depth, budget);
      w.lenDelimited(field.id, entry.finish());
      budget.fields += 2;
    }
    return;
  }
  let count = 1;
  if (field.repeated) {
    count = rng.int(4);
    // A huge list now and then, kept to small items so a message stays a few megabytes at most.
    if (opts.allowHuge && depth <= 1 && rng.chance(0.05)) count = 500 + rng.int(3_000);
  }
  for (let i = 0; i < count && budget.fields <= MAX_FIELDS_PER_MESSAGE; i++) {
    writeValue(w, rng, field.id, field.type, field.resolvedType, opts, depth, budget);
    budget.fields++;
  }
}

function writeValue(
  w: WireWriter, rng: Prng, id: number, typeName: string, resolved: protobuf.Type | protobuf.Enum | null | undefined,
  opts: GenerateOptions, depth: number, budget: Budget,
): void {
  if (resolved instanceof protobuf.Type) {
    w.lenDelimited(id, writeMessage(rng, resolved, opts, depth + 1, budget));
  } else if (resolved instanceof protobuf.Enum) {
    const known = Object.values(resolved.values);
    w.tag(id, WireType.VARINT).varint(rng.chance(0.8) && known.length > 0 ? BigInt(rng.pick(known)) : rng.pick([99n, 12_345n, -1n, 2n ** 31n - 1n]));
  } else if (typeName === 'string') {
    const bytes = randomStringBytes(rng, { allowHuge: opts.allowHuge && depth <= 2 && budget.hugeStrings === 0 });
    if (bytes.length > HUGE_STRING_BYTES) budget.hugeStrings++;
    w.lenDelimited(id, bytes);
  } else if (typeName === 'bytes') {
    w.lenDelimited(id, rng.chance(0.5) ? randomStringBytes(rng, { allowHuge: false }) : rng.bytes(rng.int(64)));
  } else if (VARINT_TYPES.has(typeName)) {
    w.tag(id, WireType.VARINT).varint(randomInt(rng));
  } else if (I32_TYPES.has(typeName)) {
    w.tag(id, WireType.I32).fixed32(rng.next());
  } else if (I64_TYPES.has(typeName)) {
    w.tag(id, WireType.I64);
    if (typeName === 'double') w.double(randomDouble(rng));
    else w.fixed64(randomInt(rng));
  } else {
    throw new Error(`unknown field type ${typeName}`);
  }
}

/** The field's number with another wire type than its declaration's. */
function writeWrongType(w: WireWriter, rng: Prng, id: number): void {
  switch (rng.int(5)) {
    case 0: w.tag(id, WireType.VARINT).varint(randomInt(rng)); break;
    case 1: w.tag(id, WireType.I64).fixed64(randomInt(rng)); break;
    case 2: w.lenDelimited(id, rng.bytes(rng.int(32))); break;
    case 3: w.tag(id, WireType.I32).fixed32(rng.next()); break;
    default: w.tag(id, WireType.SGROUP).tag(id, WireType.EGROUP); break;
  }
}

/** Something no correct encoder writes: reserved wire types, bad lengths, huge field numbers. */
function writeBadField(w: WireWriter, rng: Prng): void {
  switch (rng.int(6)) {
    case 0: w.tag(1 + rng.int(50), 6 + rng.int(2)); break;
    case 1: w.tag(1 + rng.int(50), WireType.LEN).varint(1_000_000n).raw(rng.bytes(3)); break;
    case 2: w.tag(1 + rng.int(50), WireType.VARINT).overlongVarint(); break;
    case 3: w.tag(2 ** 29 - 1, WireType.VARINT).varint(1n); break;
    case 4: w.tag(1 + rng.int(50), WireType.EGROUP); break;
    default: w.tag(1 + rng.int(50), WireType.LEN).varint(-1n); break;
  }
}

/** Byte-level damage of an encoded message. */
export function mutateBytes(rng: Prng, bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  if (out.length === 0) return rng.bytes(1 + rng.int(16));
  switch (rng.int(4)) {
    case 0: {
      const flips = 1 + rng.int(8);
      for (let i = 0; i < flips; i++) out[rng.int(out.length)] = rng.next() & 0xff;
      return out;
    }
    case 1: return out.subarray(0, rng.int(out.length));
    case 2: {
      const at = rng.int(out.length);
      const junk = rng.bytes(1 + rng.int(16));
      const grown = new Uint8Array(out.length + junk.length);
      grown.set(out.subarray(0, at));
      grown.set(junk, at);
      grown.set(out.subarray(at), at + junk.length);
      return grown;
    }
    default: {
      const w = new WireWriter().raw(out);
      writeBadField(w, rng);
      return w.finish();
    }
  }
}

/** Bytes that ts-proto's decoder is certain to refuse: a reserved wire type or a cut length. */
export function undecodable(rng: Prng, valid: Uint8Array): Uint8Array {
  const w = new WireWriter().raw(valid);
  if (rng.chance(0.5)) w.tag(1 + rng.int(2_000), 6 + rng.int(2));
  else w.tag(1 + rng.int(50), WireType.LEN).varint(BigInt(1_000 + rng.int(1_000_000))).raw(rng.bytes(rng.int(8)));
  return w.finish();
}
