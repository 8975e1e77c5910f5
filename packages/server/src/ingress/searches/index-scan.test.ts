import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordCodec } from '../../processor/context.ts';
import { ApiError, Code } from '../../processor/api-error.ts';
import type { ScanOptions } from '../../engine/engine-api.ts';
import type { IngressDeps } from '../deps.ts';
import { searchIndex, type IndexSearch } from './index-scan.ts';

/** An engine over a sorted in-memory map whose values are the strings themselves. */
function fakeDeps(rows: Record<string, string>, partitionCount: number): IngressDeps {
  const keys = Object.keys(rows).sort();
  const engine = {
    partitionCount,
    async scan<T>(codec: RecordCodec<T>, prefix: string, options: ScanOptions): Promise<Array<{ key: string; value: T }>> {
      const found = keys.filter((k) => k.startsWith(prefix) && (options.afterKey === undefined || k > options.afterKey));
      return found.slice(0, options.limit).map((key) => ({ key, value: codec.decode(Buffer.from(rows[key] ?? '')) }));
    },
  };
  // Only what searchIndex touches is provided.
  return { engine, config: { limits: { defaultPageSize: 100, maxPageSize: 1000 } } } as unknown as IngressDeps;
}

const text: RecordCodec<string> = { name: 'text', encode: (s) => Buffer.from(s), decode: (b) => Buffer.from(b).toString() };
const key = (p: number, ms: number, id: string): string => `c/${p}/x/i/${String(ms).padStart(15, '0')}/${id}`;

function search(partitions: number[], extra: Partial<IndexSearch<string, string>> = {}): IndexSearch<string, string> {
  return { codec: text, partitions, prefixOf: (p) => `c/${p}/x/i/`, resultOf: (v) => v, ...extra };
}

const rows: Record<string, string> = {
  [key(0, 30, 'c')]: 'p0-30',
  [key(0, 10, 'a')]: 'p0-10',
  [key(1, 20, 'b')]: 'p1-20',
  [key(1, 40, 'd')]: 'p1-40',
  [key(2, 5, 'e')]: 'p2-5',
  'c/0/x/j/000000000000001/z': 'another index',
};

test('results come partition by partition, in time order within each, page by page', async () => {
  const deps = fakeDeps(rows, 3);
  const seen: string[] = [];
  let bookmark: Buffer | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await searchIndex(deps, search([0, 1, 2]), bookmark, 2);
    assert.ok(page.results.length <= 2);
    seen.push(...page.results);
    bookmark = page.bookmark;
    if (bookmark === undefined) break;
  }
  assert.deepEqual(seen, ['p0-10', 'p0-30', 'p1-20', 'p1-40', 'p2-5']);
});

test('time bounds and filters', async () => {
  const deps = fakeDeps(rows, 3);
  const bounded = await searchIndex(deps, search([0, 1, 2], { earliestMs: 10, latestMs: 30 }), undefined, 10);
  assert.deepEqual(bounded.results, ['p0-10', 'p0-30', 'p1-20']);
  const filtered = await searchIndex(deps, search([0, 1, 2], { keep: (v) => v.endsWith('0') }), undefined, 10);
  assert.deepEqual(filtered.results, ['p0-10', 'p0-30', 'p1-20', 'p1-40']);
});

test('a bookmark that is not ours is INVALID_ARGUMENT', async () => {
  const deps = fakeDeps(rows, 3);
  const bad = async (bookmark: string): Promise<void> => {
    await assert.rejects(searchIndex(deps, search([0, 1, 2]), Buffer.from(bookmark), 2), (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT);
  };
  await bad('not json');
  await bad('{"p":7,"k":null}');
  await bad(JSON.stringify({ p: 0, k: 'c/0/x/j/000000000000001/z' }));
  await bad('null');
});
