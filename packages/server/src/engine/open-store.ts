// Opens the engine's store and makes sure it can be trusted. A store that RocksDB reports as
// corrupt, or whose apply checkpoint is damaged, is set aside (or emptied, when the store was
// handed in) and rebuilt by replaying the command log from its first record; the engine says so in
// its log. Nothing else counts as damage: a lock held by another process, a missing permission or
// a full disk stop the start-up with their own error.
import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SegmentLog } from '../log/segment-log.ts';
import type { KvStore } from '../store/kv-store.ts';
import { RocksKv } from '../store/rocks-kv.ts';
import type { EngineLogger } from './engine-logger.ts';
import { clearStore, inspectStore, isCorruption, type StoreVerification } from './store-integrity.ts';

export interface OpenStoreArgs {
  storeDir: string;
  /** A store handed to the engine (tests, simulation); otherwise RocksDB in storeDir. */
  kv: KvStore | undefined;
  log: SegmentLog;
  logger: EngineLogger;
  verification: StoreVerification;
}

const QUARANTINE_MARK = '.damaged-';

export async function openTrustedStore(args: OpenStoreArgs): Promise<KvStore> {
  const { storeDir, log, logger } = args;
  let kv: KvStore;
  if (args.kv) {
    kv = args.kv;
  } else {
    try {
      kv = await RocksKv.open(storeDir);
    } catch (err) {
      if (!isCorruption(err)) throw err;
      assertRebuildable(log, (err as Error).message);
      const movedTo = await quarantine(storeDir);
      logger.warn({ err, storeDir, movedTo }, 'the store is corrupt and cannot be opened; rebuilding it from the command log');
      return RocksKv.open(storeDir);
    }
  }
  let inspection;
  try {
    inspection = await inspectStore(kv, args.verification);
  } catch (err) {
    if (!args.kv) await kv.close().catch(() => undefined);
    throw err;
  }
  if (inspection.ok) return kv;
  try {
    assertRebuildable(log, inspection.reason);
  } catch (err) {
    if (!args.kv) await kv.close().catch(() => undefined);
    throw err;
  }
  if (args.kv) {
    const cleared = await clearStore(kv);
    logger.warn({ reason: inspection.reason, cleared }, 'the store is damaged; emptied it and rebuilding it from the command log');
    return kv;
  }
  await kv.close().catch(() => undefined);
  const movedTo = await quarantine(storeDir);
  logger.warn({ reason: inspection.reason, storeDir, movedTo }, 'the store is damaged; set it aside and rebuilding it from the command log');
  return RocksKv.open(storeDir);
}

function assertRebuildable(log: SegmentLog, reason: string): void {
  if (log.firstOffset === 0) return;
  throw new Error(
    `the store is damaged (${reason}) and the command log no longer starts at offset 0 (first offset ${log.firstOffset}), ` +
      'so the store cannot be rebuilt; refusing to start',
  );
}

/**
 * Renames the damaged store next to itself for an operator to inspect, after removing older
 * quarantined copies so that repeated damage cannot fill the disk. Returns the new path.
 */
async function quarantine(storeDir: string): Promise<string> {
  const parent = dirname(storeDir);
  const name = basename(storeDir);
  for (const entry of await readdir(parent)) {
    if (entry.startsWith(name + QUARANTINE_MARK)) await rm(join(parent, entry), { recursive: true, force: true });
  }
  const target = join(parent, `${name}${QUARANTINE_MARK}${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await rename(storeDir, target);
  return target;
}
