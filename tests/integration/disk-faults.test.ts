// A full disk under a real server: its data directory is a small tmpfs in a private mount
// namespace (unshare), which the test fills and empties through /proc/<pid>/root. While full, new
// writes are refused with UNAVAILABLE and the server stays up; once space returns it accepts
// writes again by itself; every acknowledged write survives a restart, and the offline check finds
// the store equal to the log. Without unshare/nsenter/tmpfs the test is skipped with a notice
// (and fails when CI=true).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LHStatus } from '@filly/proto';
import { NODE_24, REPO_ROOT, SERVER_MAIN } from '../harness/server-process.ts';
import { freePorts } from '../harness/free-port.ts';
import { connect, type TestClient } from '../harness/grpc-client.ts';
import { linearSpec } from '../harness/specs.ts';

const TMPFS_SIZE = '24m';
const READY_TIMEOUT_MS = 60_000;
const UNAVAILABLE = 14;

const started: ChildProcess[] = [];
const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'filly-diskfull-'));

after(() => {
  for (const p of started.reverse()) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Why a private tmpfs cannot be used here, or undefined when it can. */
function namespaceProblem(): string | undefined {
  for (const tool of ['unshare', 'nsenter']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  const probe = spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=1m tmpfs '${mountPoint}' && echo mounted`], { encoding: 'utf8' });
  if (!probe.stdout?.includes('mounted')) return `unshare -rm cannot mount a tmpfs: ${(probe.stderr ?? '').trim() || `exit ${probe.status}`}`;
  return undefined;
}

/** A process that holds the mount namespace (and so the tmpfs) while servers come and go. */
async function startHolder(): Promise<ChildProcess> {
  const holder = spawn('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=${TMPFS_SIZE} tmpfs '${mountPoint}' && echo mounted && exec sleep 3600`], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(holder);
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.setEncoding('utf8').on('data', (d: string) => d.includes('mounted') && resolve());
    holder.once('exit', (code) => reject(new Error(`the namespace holder exited (${code})`)));
  });
  return holder;
}

interface NsServer {
  proc: ChildProcess;
  output: () => string;
}

async function startNsServer(holderPid: number, ports: number[], extraArgs: string[] = []): Promise<NsServer> {
  const [port, healthPort, internalPort] = ports as [number, number, number];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LHS_LISTENERS: `PLAIN:${port}`,
    LHS_ADVERTISED_LISTENERS: `PLAIN://localhost:${port}`,
    LHS_HEALTH_SERVICE_PORT: String(healthPort),
    LHS_INTERNAL_BIND_PORT: String(internalPort),
    LHS_STATE_DIR: mountPoint,
  };
  delete env['NODE_TEST_CONTEXT'];
  const args = ['-t', String(holderPid), '-m', '-U', '--preserve-credentials', NODE_24, SERVER_MAIN, ...extraArgs];
  const proc = spawn('nsenter', args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  let text = '';
  const keep = (d: string): void => {
    text = (text + d).slice(-2_000_000);
  };
  proc.stdout!.setEncoding('utf8').on('data', keep);
  proc.stderr!.setEncoding('utf8').on('data', keep);
  const server = { proc, output: () => text };
  if (extraArgs.length > 0) return server;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the server exited (${proc.exitCode}):\n${text}`);
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readiness`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.status === 200, () => false);
    if (ready) return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server was not ready in ${READY_TIMEOUT_MS} ms:\n${text}`);
}

async function stopProcess(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  await exited;
}

/** Writes zeros into the tmpfs until it refuses; returns the bytes written. */
async function fillDisk(file: string): Promise<number> {
  const fh = await open(file, 'a');
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    // Bounded by the tmpfs size.
    for (let i = 0; i < 100_000; i++) {
      try {
        written += (await fh.write(chunk, 0, chunk.length)).bytesWritten;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return written;
        throw err;
      }
    }
    throw new Error('the disk never filled up');
  } finally {
    await fh.close();
  }
}

test('a full disk refuses writes with UNAVAILABLE and recovers when space returns, losing nothing', async (t) => {
  const problem = namespaceProblem();
  if (problem !== undefined) {
    if (process.env['CI'] === 'true') assert.fail(`disk-fault test cannot run: ${problem}`);
    t.skip(`needs a private tmpfs: ${problem}`);
    return;
  }
  const holder = await startHolder();
  const ports = await freePorts(3);
  let server = await startNsServer(holder.pid!, ports);
  let client: TestClient = connect(`127.0.0.1:${ports[0]}`, { deadlineMs: 10_000 });
  try {
    await client.call.putWfSpec(linearSpec('instant', []));
    const acknowledged: string[] = [];
    const run = async (id: string): Promise<number> => {
      try {
        await client.call.runWf({ wfSpecName: 'instant', variables: {}, id });
        acknowledged.push(id);
        return 0;
      } catch (err) {
        return (err as { code?: number }).code ?? -1;
      }
    };
    for (let i = 0; i < 20; i++) assert.equal(await run(`before-${i}`), 0);

    const filler = path.join(`/proc/${holder.pid}/root`, mountPoint, 'filler');
    let filled = await fillDisk(filler);
    const codes: number[] = [];
    for (let i = 0; i < 40 && codes.filter((c) => c === UNAVAILABLE).length < 5; i++) {
      codes.push(await run(`full-${i}`));
      // The server may free space (RocksDB drops preallocated files when it reopens): keep it full.
      filled += await fillDisk(filler);
    }
    t.diagnostic(`filled the tmpfs with ${filled} bytes; answers while full: ${codes.join(',')}`);
    assert.ok(codes.filter((c) => c === UNAVAILABLE).length >= 5, `writes are refused with UNAVAILABLE: ${codes.join(',')}`);
    assert.deepEqual(codes.filter((c) => c !== 0 && c !== UNAVAILABLE), [], 'no other error than UNAVAILABLE');
    assert.equal(server.proc.exitCode, null, `the server stays up:\n${server.output().slice(-4_000)}`);
    // Reads are served, except while RocksDB is being reopened (it cannot reopen on a full disk):
    // then they too answer UNAVAILABLE, never INTERNAL.
    const read = await client.call.getWfRun({ id: 'before-3', parentWfRunId: undefined }).then(
      (w) => (w.status === LHStatus.COMPLETED ? 0 : -2),
      (err: { code?: number }) => err.code ?? -1,
    );
    assert.ok(read === 0 || read === UNAVAILABLE, `a read while the disk is full answers or says UNAVAILABLE (got ${read})`);

    await rm(filler);
    const deadline = Date.now() + 30_000;
    let recovered = false;
    for (let i = 0; !recovered && Date.now() < deadline; i++) {
      recovered = (await run(`recovering-${i}`)) === 0;
      if (!recovered) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(recovered, `the server accepts writes again once space returns:\n${server.output().slice(-3_000)}`);
    for (let i = 0; i < 10; i++) assert.equal(await run(`after-${i}`), 0);
    const said = (msg: string): number => server.output().split(msg).length - 1;
    t.diagnostic(
      `server log: ${said('command log append failed')} log append failures, ${said('"store write failed"')} store write failures, ` +
        `${said('command log writable again')} log recoveries, ${said('store writable again')} store recoveries`,
    );
    assert.ok(said('writable again') > 0, 'the server says it recovered');

    // Everything acknowledged survives a crash and a restart in the same (refilled, then freed) disk.
    client.close();
    await stopProcess(server.proc, 'SIGKILL');
    server = await startNsServer(holder.pid!, ports);
    client = connect(`127.0.0.1:${ports[0]}`, { deadlineMs: 10_000 });
    const missing: string[] = [];
    for (const id of acknowledged) {
      const wfRun = await client.call.getWfRun({ id, parentWfRunId: undefined }).catch(() => undefined);
      if (wfRun?.status !== LHStatus.COMPLETED) missing.push(id);
    }
    assert.deepEqual(missing, [], `every one of ${acknowledged.length} acknowledged WfRuns survived`);
    client.close();
    await stopProcess(server.proc, 'SIGTERM');

    const check = await startNsServer(holder.pid!, ports, ['--verify', mountPoint]);
    const code = await new Promise<number | null>((resolve) => (check.proc.exitCode !== null ? resolve(check.proc.exitCode) : check.proc.once('exit', resolve)));
    assert.equal(code, 0, `--verify: ${check.output()}`);
  } finally {
    client.close();
    await stopProcess(server.proc, 'SIGKILL');
    await stopProcess(holder, 'SIGKILL');
  }
});
