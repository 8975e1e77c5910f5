// Shared set-up for engine tests: temporary directories, small limits, a quiet logger.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type Limits } from '../../config/limits.ts';
import type { KvEntry, KvStore } from '../../store/kv-store.ts';
import type { EngineLogger } from '../engine-logger.ts';

export const PARTITIONS = 4;

export const testLimits = (overrides: Partial<Limits> = {}): Limits => ({
  ...DEFAULT_LIMITS,
  maxCommandsPerBatch: 64,
  maxCachedWfRuns: 8,
  ...overrides,
});

/** Collects errors so tests can assert there were none (or some). */
export function recordingLogger(): EngineLogger & { errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    info: () => undefined,
    warn: () => undefined,
    error: (_fields, message) => {
      errors.push(message);
    },
  };
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'filly-engine-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function dumpStore(kv: KvStore): Promise<KvEntry[]> {
  const out: KvEntry[] = [];
  let afterKey: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const rows = await kv.scan({ prefix: '', afterKey, limit: 1000 });
    out.push(...rows);
    if (rows.length < 1000) return out;
    afterKey = rows[rows.length - 1]!.key;
  }
  throw new Error('store too large to dump');
}

export function hexRows(rows: KvEntry[]): string[] {
  return rows.map((r) => `${r.key}=${Buffer.from(r.value).toString('hex')}`);
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
