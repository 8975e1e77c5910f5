// What the engine reads from the store when it starts (or recovers): the apply checkpoint, all
// metadata, and the scheduled tasks that rebuild the dispatch queues. All paged and bounded.
import { ScheduledTask } from '@filly/proto';
import { crc32 } from 'node:zlib';
import { ApplyCheckpoint } from '@filly/proto/internal';
import { APPLY_CHECKPOINT_KEY, scheduledTaskPrefix } from '../store/keys.ts';
import type { KvEntry, KvStore } from '../store/kv-store.ts';
import { METADATA_KEY_PREFIX, parseScheduledTaskKey } from '../store/key-space.ts';
import type { StoredTaskEntry } from '../effects/task-queues/task-queues.ts';

const PAGE_SIZE = 10_000;
/** A store with more records than this under one prefix at start-up is not one we can hold. */
const MAX_LOADED_RECORDS = 50_000_000;

/** The stored checkpoint could not be trusted (bad checksum or inconsistent fields). */
export class CheckpointCorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointCorruptError';
  }
}

const CHECKPOINT_CRC_BYTES = 4;

/**
 * The apply checkpoint, or undefined in an empty store. It is stored as
 * [crc32 of the ApplyCheckpoint bytes: u32 LE][ApplyCheckpoint bytes], because random damage to a
 * bare protobuf often still decodes, and a wrong offset would make replay skip or repeat commands.
 */
export async function readCheckpoint(kv: KvStore): Promise<ApplyCheckpoint | undefined> {
  const bytes = await kv.get(APPLY_CHECKPOINT_KEY);
  return bytes === undefined ? undefined : decodeCheckpoint(bytes);
}

export function decodeCheckpoint(bytes: Uint8Array): ApplyCheckpoint {
  if (bytes.length <= CHECKPOINT_CRC_BYTES) throw new CheckpointCorruptError(`the apply checkpoint is ${bytes.length} bytes long`);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const body = view.subarray(CHECKPOINT_CRC_BYTES);
  if (view.readUInt32LE(0) !== crc32(body) >>> 0) throw new CheckpointCorruptError('the apply checkpoint fails its checksum');
  let checkpoint: ApplyCheckpoint;
  try {
    checkpoint = ApplyCheckpoint.decode(body);
  } catch (err) {
    throw new CheckpointCorruptError(`the apply checkpoint does not decode: ${(err as Error).message}`);
  }
  if (checkpoint.appliedOffset < 0n || checkpoint.appliedCommands !== checkpoint.appliedOffset + 1n) {
    throw new CheckpointCorruptError(`the apply checkpoint is inconsistent (offset ${checkpoint.appliedOffset}, commands ${checkpoint.appliedCommands})`);
  }
  return checkpoint;
}

export function encodeCheckpoint(lastOffset: number): Uint8Array {
  if (!Number.isSafeInteger(lastOffset) || lastOffset < 0) throw new Error(`bad checkpoint offset ${lastOffset}`);
  const body = ApplyCheckpoint.encode({ appliedOffset: BigInt(lastOffset), appliedCommands: BigInt(lastOffset + 1) }).finish();
  const out = Buffer.allocUnsafe(CHECKPOINT_CRC_BYTES + body.length);
  out.writeUInt32LE(crc32(body) >>> 0, 0);
  out.set(body, CHECKPOINT_CRC_BYTES);
  return out;
}

/** Every entry under prefix, page by page. */
export async function scanAll(kv: KvStore, prefix: string, onPage: (rows: KvEntry[]) => void): Promise<number> {
  let afterKey: string | undefined;
  let total = 0;
  for (;;) {
    const rows = await kv.scan({ prefix, afterKey, limit: PAGE_SIZE });
    onPage(rows);
    total += rows.length;
    if (total > MAX_LOADED_RECORDS) throw new Error(`more than ${MAX_LOADED_RECORDS} records under ${prefix}`);
    if (rows.length < PAGE_SIZE) return total;
    afterKey = rows[rows.length - 1]!.key;
  }
}

export async function loadMetadataRows(kv: KvStore, onPage: (rows: KvEntry[]) => void): Promise<number> {
  return scanAll(kv, METADATA_KEY_PREFIX, onPage);
}

/**
 * All metadata, read before anything is swapped: the cached metadata answers every request's
 * tenant check, so it must never be seen empty or half-loaded.
 */
export async function readMetadata(kv: KvStore): Promise<KvEntry[]> {
  const rows: KvEntry[] = [];
  await loadMetadataRows(kv, (page) => {
    for (const row of page) rows.push(row);
  });
  return rows;
}

export async function loadScheduledTasks(kv: KvStore, partitionCount: number): Promise<StoredTaskEntry[]> {
  const out: StoredTaskEntry[] = [];
  for (let p = 0; p < partitionCount; p++) out.push(...(await loadScheduledTasksOf(kv, p)));
  return out;
}

/** The scheduled tasks of one partition (kafka mode loads a partition when it takes it over). */
export async function loadScheduledTasksOf(kv: KvStore, partition: number): Promise<StoredTaskEntry[]> {
  const out: StoredTaskEntry[] = [];
  await scanAll(kv, scheduledTaskPrefix(partition), (rows) => {
    for (const row of rows) {
      const { tenant, taskDefName } = parseScheduledTaskKey(row.key);
      out.push({ key: row.key, tenant, taskDefName, task: ScheduledTask.decode(row.value) });
    }
  });
  return out;
}
