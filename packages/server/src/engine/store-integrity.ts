// Checks that the store can be trusted before the engine starts on it: every stored block is read
// once (RocksDB verifies its block checksums on read) and the apply checkpoint must pass its own
// checksum. A store that fails is not repaired in place: it is rebuilt from the command log.
import type { KvStore } from '../store/kv-store.ts';
import { APPLY_CHECKPOINT_KEY } from '../store/keys.ts';
import { CheckpointCorruptError, decodeCheckpoint, scanAll } from './startup-loads.ts';

export type StoreVerification = 'full' | 'checkpoint';

export type StoreInspection = { ok: true; keys: number } | { ok: false; reason: string };

/** Deletes per write batch when a store has to be emptied through the KvStore interface. */
const CLEAR_BATCH = 10_000;
/** Bound on clearing: a store with more keys than this is emptied by replacing its directory. */
const MAX_CLEARED_KEYS = 100_000_000;

/**
 * RocksDB's words for damaged files. rocksdb-native passes on the message of a failed status but
 * not its kind (every error has code EIO), so damage is told apart from I/O trouble by its text.
 */
const CORRUPTION_WORDS = /corrupt|checksum mismatch|magic number|size mismatch|bad block/i;

/** True for damage in the store's files, as opposed to I/O trouble (full disk, lock, permission). */
export function isCorruption(err: unknown): boolean {
  if (err instanceof CheckpointCorruptError) return true;
  const message = err instanceof Error ? err.message : String(err);
  return CORRUPTION_WORDS.test(message);
}

export async function inspectStore(kv: KvStore, verification: StoreVerification): Promise<StoreInspection> {
  let keys = 0;
  try {
    if (verification === 'full') keys = await scanAll(kv, '', () => undefined);
    const bytes = await kv.get(APPLY_CHECKPOINT_KEY);
    if (bytes !== undefined) decodeCheckpoint(bytes);
    else if (keys > 0) return { ok: false, reason: `the store holds ${keys} keys but no apply checkpoint` };
  } catch (err) {
    if (!isCorruption(err)) throw err;
    return { ok: false, reason: (err as Error).message };
  }
  return { ok: true, keys };
}

/** Empties a store that cannot be replaced as a directory (e.g. one handed to the engine). */
export async function clearStore(kv: KvStore): Promise<number> {
  let cleared = 0;
  // Bounded by MAX_CLEARED_KEYS: each pass deletes what it scanned, so the store shrinks.
  while (cleared <= MAX_CLEARED_KEYS) {
    const rows = await kv.scan({ prefix: '', limit: CLEAR_BATCH });
    if (rows.length === 0) return cleared;
    await kv.write(rows.map((r) => ({ key: r.key, value: null })));
    cleared += rows.length;
  }
  throw new Error(`the store still holds keys after deleting ${MAX_CLEARED_KEYS}`);
}
