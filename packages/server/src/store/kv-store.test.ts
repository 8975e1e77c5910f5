import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKv } from './memory-kv.ts';
import { RocksKv } from './rocks-kv.ts';
import { compareKeys, type KvStore } from './kv-store.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

// Keys chosen to probe ordering: shared prefixes, a prefix's own key, bytes above '/', and
// characters whose UTF-16 and UTF-8 orders differ (U+FF5E vs an astral code point).
const KEYS = ['a/', 'a/b', 'a/b/c', 'a/b0', 'a/b/', 'a/c', 'a0', 'b', 'a/\uff5e', 'a/\u{1f600}', 'a/\u00e9', 'c/\u00ff\u00ff'];

async function fill(kv: KvStore): Promise<void> {
  await kv.write(KEYS.map((k, i) => ({ key: k, value: enc(`v${i}`) })));
  await kv.write([{ key: 'a/c', value: null }, { key: 'a/b0', value: enc('changed') }]);
}

async function dump(kv: KvStore, prefix: string, afterKey?: string, limit = 100): Promise<string[]> {
  const rows = await kv.scan({ prefix, afterKey, limit });
  return rows.map((r) => `${r.key}=${dec(r.value)}`);
}

test('compareKeys follows UTF-8 byte order', () => {
  const sorted = KEYS.slice().sort(compareKeys);
  const byBytes = KEYS.slice().sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  assert.deepEqual(sorted, byBytes);
});

test('memory and rocksdb stores agree on gets and scans', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'filly-kv-'));
  const rocks = await RocksKv.open(join(dir, 'db'));
  const mem = new MemoryKv();
  try {
    await fill(rocks);
    await fill(mem);
    const cases: Array<[string, string | undefined, number]> = [
      ['', undefined, 100],
      ['a/', undefined, 100],
      ['a/b', undefined, 100],
      ['a/b', 'a/b/', 100],
      ['a/', 'a/b', 2],
      ['a/', 'a/\uff5e', 100],
      ['c/\u00ff', undefined, 100],
      ['zzz', undefined, 100],
      ['a/', undefined, 0],
    ];
    for (const [prefix, after, limit] of cases) {
      const m = await dump(mem, prefix, after, limit);
      const r = await dump(rocks, prefix, after, limit);
      assert.deepEqual(r, m, `scan(${prefix}, ${after}, ${limit})`);
    }
    assert.equal((await dump(mem, '')).length, KEYS.length - 1);
    assert.deepEqual(await dump(mem, 'a/', 'a/b', 2), ['a/b/=v4', 'a/b/c=v2']);
    assert.equal(dec((await rocks.get('a/b0'))!), 'changed');
    assert.equal(await rocks.get('a/c'), undefined);
    assert.equal(await mem.get('a/c'), undefined);
  } finally {
    await rocks.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('rocksdb content survives close and reopen', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'filly-kv-'));
  try {
    const first = await RocksKv.open(join(dir, 'db'));
    await fill(first);
    const before = await dump(first, '');
    await first.close();
    const second = await RocksKv.open(join(dir, 'db'));
    assert.deepEqual(await dump(second, ''), before);
    await second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('memory store hands out copies', async () => {
  const kv = new MemoryKv();
  const v = enc('abc');
  await kv.write([{ key: 'k', value: v }]);
  v[0] = 0;
  const got = (await kv.get('k'))!;
  got[1] = 0;
  assert.equal(dec((await kv.get('k'))!), 'abc');
});
