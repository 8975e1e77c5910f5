// Damaged files on a real server: a torn final log record is cut away and logged; a checksum
// failure in the middle of the log stops the start with the file and byte offset; a damaged apply
// checkpoint or RocksDB file makes the server set the store aside and rebuild it from the log.
// Every acknowledged WfRun is still there after each of them.
/// <reference path="../../packages/server/src/store/rocksdb-native.d.ts" />
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LHStatus } from '@filly/proto';
import { RocksKv } from '../../packages/server/src/store/rocks-kv.ts';
import { APPLY_CHECKPOINT_KEY } from '../../packages/server/src/store/keys.ts';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { connect, type TestClient } from '../harness/grpc-client.ts';
import { linearSpec, putTaskDef, taskNode } from '../harness/specs.ts';

describe('damaged files in the data directory', () => {
  let server: ServerProcess;
  let client: TestClient | undefined;
  const acknowledged: string[] = [];
  let engineDir = '';

  const reconnect = (): void => {
    client?.close();
    client = connect(server.address);
  };
  const runSome = async (prefix: string, n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const id = `${prefix}-${i}`;
      await client!.call.runWf({ wfSpecName: 'waits', variables: {}, id });
      acknowledged.push(id);
    }
  };
  const assertAllPresent = async (): Promise<void> => {
    const missing: string[] = [];
    for (const id of acknowledged) {
      const run = await client!.call.getWfRun({ id, parentWfRunId: undefined }).catch(() => undefined);
      if (run?.status !== LHStatus.RUNNING) missing.push(id);
    }
    assert.deepEqual(missing, [], 'every acknowledged WfRun is there, still waiting for its task');
  };
  const lastSegment = async (): Promise<string> => {
    const dir = path.join(engineDir, 'log');
    const names = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
    return path.join(dir, names[names.length - 1]!);
  };
  const restartAndCheck = async (expectInLog: string): Promise<void> => {
    const mark = server.logs().length;
    await server.restart();
    reconnect();
    const output = server.logs().slice(mark);
    assert.ok(output.includes(expectInLog), `the server says "${expectInLog}"; it printed:\n${output}`);
    await assertAllPresent();
    await runSome(`after-${acknowledged.length}`, 3);
  };

  before(async () => {
    server = await startServer();
    engineDir = path.join(server.dataDir, 'embedded');
    reconnect();
    await putTaskDef(client!, 'never-done');
    await client!.call.putWfSpec(linearSpec('waits', [['1-never-done-TASK', taskNode('never-done')]]));
    await runSome('first', 20);
  });

  after(async () => {
    client?.close();
    await server?.stop();
  });

  test('a torn frame header at the end of the log is cut away at start and said so', async () => {
    await server.stop();
    const seg = await lastSegment();
    const size = (await stat(seg)).size;
    await appendFile(seg, Buffer.from([0x40, 0, 0])); // 3 of a header's 8 bytes
    await restartAndCheck('cut away a torn final write');
    assert.ok((await stat(seg)).size > size, 'new records were appended after the cut');
  });

  test('a torn final record (header written, payload cut short) is cut away at start', async () => {
    await server.stop();
    const seg = await lastSegment();
    const torn = Buffer.alloc(8 + 40, 0x5a);
    torn.writeUInt32LE(300, 0); // claims 300 payload bytes; only 40 reached the disk
    await appendFile(seg, torn);
    await restartAndCheck('cut away a torn final write');
  });

  test('a damaged record in the middle of the log refuses the start, naming file and byte', async () => {
    await server.stop();
    const seg = await lastSegment();
    const original = await readFile(seg);
    // Walk the frames ([u32 length][u32 crc][payload]) to the middle one and damage its length so
    // that it seems to run past the end of the file, as a torn final write would.
    const starts: number[] = [];
    for (let at = 0; at + 8 <= original.length; at += 8 + original.readUInt32LE(at)) starts.push(at);
    assert.ok(starts.length > 10, `the segment holds ${starts.length} records`);
    const middle = starts[Math.floor(starts.length / 2)]!;
    const damaged = Buffer.from(original);
    damaged.writeUInt32LE(damaged.readUInt32LE(middle) + 1_000_000, middle);
    await writeFile(seg, damaged);
    const mark = server.logs().length;
    await assert.rejects(server.restart(), /exited before it was ready/);
    const output = server.logs().slice(mark);
    assert.ok(output.includes(`${seg} is corrupt at byte ${middle} (record `), output);
    assert.match(output, /refusing to start on a damaged log/);
    assert.equal((await stat(seg)).size, original.length, 'nothing was cut from the damaged log');
    await writeFile(seg, original);
    await restartAndCheck('command log replayed');
  });

  test('a damaged apply checkpoint makes the server rebuild its store from the log', async () => {
    await server.stop();
    const kv = await RocksKv.open(path.join(engineDir, 'store'));
    const good = (await kv.get(APPLY_CHECKPOINT_KEY))!;
    const bad = Uint8Array.from(good);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0x01;
    await kv.write([{ key: APPLY_CHECKPOINT_KEY, value: bad }]);
    await kv.close();
    await restartAndCheck('the store is damaged; set it aside and rebuilding it from the command log');
    assert.ok((await readdir(engineDir)).some((n) => n.startsWith('store.damaged-')), 'the damaged store is kept for inspection');
  });

  test('flipped bytes in a RocksDB table file make the server rebuild its store from the log', async () => {
    // A restart turns RocksDB's write-ahead log into table files; then damage every one of them.
    await server.restart();
    await server.stop();
    const storeDir = path.join(engineDir, 'store');
    const tables = (await readdir(storeDir)).filter((n) => n.endsWith('.sst'));
    assert.ok(tables.length > 0, 'RocksDB wrote table files');
    for (const name of tables) {
      const file = path.join(storeDir, name);
      const bytes = await readFile(file);
      for (let i = 0; i < 8; i++) bytes[64 + i] = bytes[64 + i]! ^ 0xff; // inside the first data block
      await writeFile(file, bytes);
    }
    await restartAndCheck('rebuilding it from the command log');
  });
});
