// The embedded engine's storage, opened in the order trust requires: the command log first
// (repairing a torn tail), then the store, checked against the log (open-store.ts).
import { join } from 'node:path';
import { SegmentLog } from '../log/segment-log.ts';
import type { KvStore } from '../store/kv-store.ts';
import type { EngineLogger } from './engine-logger.ts';
import type { EngineOptions } from './engine-options.ts';
import { openTrustedStore } from './open-store.ts';

export async function openStorage(options: EngineOptions, logger: EngineLogger): Promise<{ log: SegmentLog; kv: KvStore }> {
  const { log, report } = await SegmentLog.open(join(options.dataDir, 'log'), {
    maxRecordBytes: options.limits.maxRecordBytes,
    segmentBytes: options.segmentBytes,
    faults: options.logFaults,
  });
  if (report.truncated) logger.warn({ ...report.truncated }, 'command log: cut away a torn final write');
  try {
    const kv = await openTrustedStore({
      storeDir: join(options.dataDir, 'store'),
      kv: options.kv,
      log,
      logger,
      verification: options.verifyStoreOnOpen ?? 'full',
    });
    return { log, kv };
  } catch (err) {
    await log.close();
    throw err;
  }
}
