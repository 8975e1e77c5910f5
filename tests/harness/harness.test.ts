import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freePorts } from './free-port.ts';
import { startServer } from './server-process.ts';
import { findOnPath, gateOnTools } from './tools.ts';

const FAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fake-server.ts');

function readLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    s.setEncoding('utf8').on('data', (d: string) => { data += d; }).once('end', () => resolve(data.trim())).once('error', reject);
  });
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); }).once('error', () => resolve(false));
  });
}

test('freePorts returns distinct ports that can be bound', async () => {
  const ports = await freePorts(5);
  assert.equal(new Set(ports).size, 5);
  for (const p of ports) {
    await new Promise<void>((resolve, reject) => {
      const s = net.createServer().once('error', reject).listen(p, '127.0.0.1', () => s.close(() => resolve()));
    });
  }
  assert.ok((await freePort()) > 0);
  await assert.rejects(freePorts(0), RangeError);
});

test('findOnPath finds executables on PATH only', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'filly-tools-'));
  try {
    fs.writeFileSync(path.join(dir, 'runme'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'plain'), 'x', { mode: 0o644 });
    assert.equal(findOnPath('runme', dir), path.join(dir, 'runme'));
    assert.equal(findOnPath('plain', dir), undefined);
    assert.equal(findOnPath('runme', ''), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('gateOnTools skips locally and fails in CI when a tool is missing', () => {
  const has = (n: string): boolean => n === 'java';
  assert.deepEqual(gateOnTools('x', ['java'], {}, has), { skip: false, failure: undefined });
  const local = gateOnTools('the go test', ['java', 'go'], {}, has);
  assert.equal(typeof local.skip, 'string');
  assert.match(String(local.skip), /skipped the go test: .*missing: go/);
  assert.equal(local.failure, undefined);
  const ci = gateOnTools('the go test', ['go', 'mvn'], { CI: 'true' }, has);
  assert.equal(ci.skip, false);
  assert.match(String(ci.failure), /missing: go, mvn.*CI=true/);
});

test('startServer starts, passes LHS_* settings, stops, restarts on the same ports and data dir', async () => {
  const server = await startServer({ entry: FAKE });
  try {
    assert.equal(server.address, `127.0.0.1:${server.port}`);
    assert.equal(new Set([server.port, server.healthPort, server.internalPort]).size, 3);
    assert.equal(await readLine(server.port), 'starts=1');
    assert.match(server.logs(), new RegExp(`advertised=PLAIN://localhost:${server.port} internal=${server.internalPort}`));
    const firstPid = server.pid();
    await server.restart();
    assert.notEqual(server.pid(), firstPid);
    assert.equal(await readLine(server.port), 'starts=2', 'same data dir after restart');
    await server.kill9();
    assert.equal(server.pid(), undefined);
    assert.equal(await isListening(server.port), false);
    await server.restart();
    assert.equal(await readLine(server.port), 'starts=3');
    await server.stop();
    assert.match(server.logs(), /SIGTERM, closing/);
    assert.equal(fs.readFileSync(path.join(server.dataDir, 'starts'), 'utf8'), '3');
  } finally {
    await server.kill9();
  }
});

test('startServer keeps a given data dir and lets env override settings', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'filly-given-'));
  try {
    fs.writeFileSync(path.join(dir, 'starts'), '41');
    const server = await startServer({ entry: FAKE, dataDir: dir, env: { LHS_INTERNAL_BIND_PORT: '1' } });
    assert.equal(server.dataDir, dir);
    assert.equal(await readLine(server.port), 'starts=42');
    assert.match(server.logs(), /internal=1\b/);
    await server.stop();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('startServer fails with the server output when the process exits early', async () => {
  await assert.rejects(startServer({ entry: FAKE, env: { FAKE_MODE: 'exit-early' } }),
    (e: Error) => /exited before it was ready \(exit code 7\)/.test(e.message) && /failing on purpose/.test(e.message));
});

test('startServer gives up after readyTimeoutMs and kills the process', async () => {
  const started = Date.now();
  await assert.rejects(startServer({ entry: FAKE, env: { FAKE_MODE: 'never-ready' }, readyTimeoutMs: 1_500 }),
    (e: Error) => /not ready after 1500 ms/.test(e.message) && /fake-server up/.test(e.message));
  assert.ok(Date.now() - started < 10_000);
});

test('stop escalates to SIGKILL when SIGTERM is ignored', async () => {
  const server = await startServer({ entry: FAKE, env: { FAKE_MODE: 'ignore-term' }, stopTimeoutMs: 500 });
  await server.stop();
  assert.equal(server.pid(), undefined);
  assert.match(server.logs(), /ignoring SIGTERM/);
  assert.match(server.logs(), /sending SIGKILL/);
});
