// Keeping the secondary indexes in step with the objects they index, inside the command's
// transaction. Every writer of an indexed object calls one of these:
//   - RunRuntime.flush calls reindexFlushed for each record it writes (it kept the entries of the
//     previous version, so stale keys are removed exactly);
//   - handlers that write an object straight to the context call updateIndexes;
//   - deleting an object goes through updateIndexes(…, value, undefined) or deleteWithIndexes.
import type { ProcessorContext, RecordCodec } from '../context.ts';
import type { IndexEntries, ObjectIndex } from './index-kind.ts';
import { nodeRunIndex } from './node-run-index.ts';
import { taskRunIndex } from './task-run-index.ts';
import { userTaskRunIndex } from './user-task-run-index.ts';
import { variableIndex } from './variable-index.ts';
import { correlatedEventIndex, externalEventIndex, workflowEventIndex } from './event-indexes.ts';

// The registry is keyed by record codec name; an index is only ever handed values of its own
// record, so erasing its type parameter here is safe.
const erase = <T>(index: ObjectIndex<T>): ObjectIndex<unknown> => index as unknown as ObjectIndex<unknown>;
const INDEXES: ReadonlyArray<ObjectIndex<unknown>> = [
  erase(nodeRunIndex),
  erase(taskRunIndex),
  erase(userTaskRunIndex),
  erase(variableIndex),
  erase(externalEventIndex),
  erase(workflowEventIndex),
  erase(correlatedEventIndex),
];

const byRecord = new Map<string, ObjectIndex<unknown>>();
for (const index of INDEXES) {
  if (byRecord.has(index.record.name)) throw new Error(`two indexes over ${index.record.name}`);
  byRecord.set(index.record.name, index);
}

/** Entries are encoded once when computed (to compare versions) and put as they are. */
const entryCodecs = new Map<string, RecordCodec<Uint8Array>>();
function entryCodec(name: string): RecordCodec<Uint8Array> {
  let codec = entryCodecs.get(name);
  if (codec === undefined) {
    codec = { name, encode: (bytes) => bytes, decode: (bytes) => bytes };
    entryCodecs.set(name, codec);
  }
  return codec;
}

export function isIndexed(record: RecordCodec<unknown>): boolean {
  return byRecord.has(record.name);
}

/**
 * Moves the index entries of one object from its `before` version to its `after` version.
 * before undefined: the object is new, or its previous version is unknown (then the kind's
 * formerKeysOf names what to remove). after undefined: the object is being deleted.
 */
export function updateIndexes<T>(ctx: ProcessorContext, record: RecordCodec<T>, before: T | undefined, after: T | undefined): void {
  const index = byRecord.get(record.name) as ObjectIndex<T> | undefined;
  if (index === undefined) return;
  const sample = after ?? before;
  if (sample === undefined || index.neverIndexed?.(sample) === true) return;
  if (after === undefined && before !== undefined) {
    // The deleted object may have been changed in place since it was indexed: remove the keys
    // of any setting of its flags too.
    for (const key of index.entriesOf(ctx, before).keys()) ctx.delete(key);
    for (const key of index.formerKeysOf?.(ctx, before) ?? []) ctx.delete(key);
    return;
  }
  apply(ctx, index, before === undefined ? undefined : index.entriesOf(ctx, before), after);
}

/**
 * The index entries of a record as it was loaded, taken before anyone changes it: RunRuntime keeps
 * them so its flush can drop stale keys without decoding the loaded bytes again. Undefined when
 * the record has no index.
 */
export function loadedIndexEntries(ctx: ProcessorContext, record: RecordCodec<unknown>, value: unknown): IndexEntries | undefined {
  const index = byRecord.get(record.name);
  if (index === undefined || index.neverIndexed?.(value) === true) return undefined;
  return index.entriesOf(ctx, value);
}

/**
 * For RunRuntime.flush: `before` holds the entries of the version last loaded or flushed
 * (undefined: created now). Returns the entries of `value`, now written.
 */
export function reindexFlushed(ctx: ProcessorContext, record: RecordCodec<unknown>, before: IndexEntries | undefined, value: unknown): IndexEntries | undefined {
  const index = byRecord.get(record.name);
  if (index === undefined || index.neverIndexed?.(value) === true) return undefined;
  return apply(ctx, index, before, value);
}

/** Deletes every record under `prefix` (decoded with `record`) with its index entries. */
export function deleteWithIndexes<T>(ctx: ProcessorContext, record: RecordCodec<T>, prefix: string): void {
  for (const { key, value } of ctx.scan(record, prefix)) {
    updateIndexes(ctx, record, value, undefined);
    ctx.delete(key);
  }
}

function apply<T>(ctx: ProcessorContext, index: ObjectIndex<T>, before: IndexEntries | undefined, after: T | undefined): IndexEntries {
  const now: IndexEntries = after === undefined ? new Map() : index.entriesOf(ctx, after);
  if (before !== undefined) {
    for (const key of before.keys()) if (!now.has(key)) ctx.delete(key);
  } else if (after !== undefined && index.formerKeysOf !== undefined) {
    for (const key of index.formerKeysOf(ctx, after)) if (!now.has(key)) ctx.delete(key);
  }
  const codec = entryCodec(index.entryName);
  for (const [key, bytes] of now) {
    const previous = before?.get(key);
    if (previous === undefined || !sameBytes(previous, bytes)) ctx.put(codec, key, bytes);
  }
  return now;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
