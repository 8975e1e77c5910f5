// The records kafka mode writes: a changelog record is one store key with its new value (no
// value = deleted), tagged with the process that wrote it; a repartition record is a timer that a
// command of one partition schedules on another. Keys of this module's own bookkeeping live
// under s/kafka/ in the local store.
import { partitionPart } from '../store/keys.ts';

/** Header naming the process (instance run) that produced a record. */
export const ORIGIN_HEADER = 'filly-origin';

/** Input positions of a partition, committed with its state: where processing resumes. */
export const inputPositionKey = (partition: number): string => `s/kafka/input/${partitionLabel(partition)}`;
/** Local only: the changelog offset the local store has applied up to (inclusive). */
export const changelogCheckpointKey = (partition: number): string => `s/kafka/changelog/${partitionLabel(partition)}`;
/** Local only: the metadata changelog offset the local store has applied up to (inclusive). */
export const METADATA_CHECKPOINT_KEY = 's/kafka/changelog/metadata';

const partitionLabel = (partition: number): string => (partition < 0 ? 'metadata' : partitionPart(partition));

export interface InputPositions {
  /** Next offset to read on the command topic. */
  commands: bigint;
  /** Next offset to read on the repartition topic (core partitions only). */
  repartition: bigint;
}

export function encodePositions(p: InputPositions): Uint8Array {
  return Buffer.from(JSON.stringify({ c: p.commands.toString(), r: p.repartition.toString() }), 'utf8');
}

export function decodePositions(bytes: Uint8Array | undefined): InputPositions {
  if (bytes === undefined) return { commands: 0n, repartition: 0n };
  const raw = JSON.parse(Buffer.from(bytes).toString('utf8')) as { c?: unknown; r?: unknown };
  if (typeof raw.c !== 'string' || typeof raw.r !== 'string') throw new Error('corrupt input positions record');
  return { commands: BigInt(raw.c), repartition: BigInt(raw.r) };
}

export function encodeOffset(offset: bigint): Uint8Array {
  return Buffer.from(offset.toString(), 'utf8');
}

export function decodeOffset(bytes: Uint8Array | undefined): bigint | undefined {
  if (bytes === undefined) return undefined;
  const text = Buffer.from(bytes).toString('utf8');
  if (!/^-?\d+$/.test(text)) throw new Error(`corrupt changelog checkpoint "${text}"`);
  return BigInt(text);
}

/** The partition a store key belongs to: a core partition, METADATA (-1) for m/ keys, else undefined. */
export function partitionOfStoreKey(key: string): number | undefined {
  if (key.startsWith('m/')) return -1;
  if (!key.startsWith('c/')) return undefined;
  const end = key.indexOf('/', 2);
  if (end < 0) return undefined;
  const n = Number(key.slice(2, end));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** True for the key of a stored timer (c/ppp/t/...). */
export const isTimerKey = (key: string): boolean => key.startsWith('/t/', key.indexOf('/', 2));
