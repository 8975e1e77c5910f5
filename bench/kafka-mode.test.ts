// The pure parts of the bench's kafka mode: its options, the settle probe's ids, the server
// environment for profiling, and the summaries of samples and CPU profiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { partitionForKey } from '../packages/server/src/commands/partition.ts';
import { parseArgs } from './cli-args.ts';
import { probeIds } from './cluster-probe.ts';
import { portOf } from './listen-pid.ts';
import type { ProcSample } from './proc-sampler.ts';
import { summarizeSamples } from './proc-summary.ts';
import { summarizeServerProfile } from './profile/summarize.ts';
import { serverEnv, WAITS_DIR_ENV } from './target.ts';

test('kafka-mode options: --kafka and --mode, instances, partitions, several targets', () => {
  const a = parseArgs(['w1', '--kafka', '--instances', '5', '--partitions', '6']);
  assert.equal(a.mode, 'kafka');
  assert.equal(a.instances, 5);
  assert.equal(a.partitions, 6);
  assert.equal(parseArgs(['w2', '--mode', 'embedded']).mode, 'embedded');
  assert.deepEqual(parseArgs(['w1', '--target', '127.0.0.1:1,127.0.0.1:2, localhost:3']).targets, ['127.0.0.1:1', '127.0.0.1:2', 'localhost:3']);
});

test('kafka-mode options that cannot work are refused with a reason', () => {
  assert.throws(() => parseArgs(['w1', '--mode', 'cluster']), /--mode is embedded or kafka/);
  assert.throws(() => parseArgs(['w1', '--instances', '3']), /need --mode kafka/);
  assert.throws(() => parseArgs(['w1', '--kafka', '--instances', '40']), /at most 9/);
  assert.throws(() => parseArgs(['w1', '--target', '127.0.0.1:1', '--partitions', '3', '--kafka']), /not to --target/);
  assert.throws(() => parseArgs(['w1', '--target', ',']), /--target needs/);
});

test('the settle probe has one absent WfRun id on every partition', () => {
  for (const n of [1, 3, 12, 64]) {
    const ids = probeIds(n);
    assert.equal(ids.length, n);
    ids.forEach((id, p) => assert.equal(partitionForKey(id, n), p, `${id} on partition ${p} of ${n}`));
  }
});

test('server environment: profiling adds to NODE_OPTIONS, nothing otherwise', () => {
  assert.deepEqual(serverEnv(undefined), {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'filly-bench-env-'));
  try {
    const env = serverEnv(dir);
    assert.equal(env[WAITS_DIR_ENV], dir);
    const options = env['NODE_OPTIONS'] ?? '';
    assert.match(options, /--cpu-prof --cpu-prof-dir=\S+ --import=\S+server-waits-preload\.ts/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('portOf reads the port of host:port', () => {
  assert.equal(portOf('127.0.0.1:9092'), 9092);
  assert.equal(portOf('[::1]:2023'), 2023);
  assert.equal(portOf('kafka'), undefined);
});

function sample(tSec: number, servers: number[], waits: number[], broker?: number): ProcSample {
  return {
    tSec, serverRssMb: undefined, serverCpuPct: servers.reduce((a, b) => a + b, 0), serversRssMb: servers.map((x) => x * 10),
    serversCpuPct: servers, serversRunQueuePct: waits, brokerRssMb: undefined, brokerCpuPct: broker, clientsCpuPct: 5, workersCpuPct: undefined,
  };
}

test('sample summary: mean CPU and run-queue wait per server, max RSS, absent figures stay absent', () => {
  const s = summarizeSamples([sample(1, [10, 20, 30], [50, 60, 70], 40), sample(2, [20, 40, 60], [30, 40, 50])]);
  assert.deepEqual(s.serverCpuPct, [15, 30, 45]);
  assert.deepEqual(s.serverRunQueuePct, [40, 50, 60]);
  assert.deepEqual(s.serverRssMbMax, [200, 400, 600]);
  assert.equal(s.brokerCpuPct, 40);
  assert.equal(s.clientsCpuPct, 5);
  assert.equal(s.workersCpuPct, undefined);
  assert.equal(summarizeSamples([]).seconds, 0);
});

test('profile summary: self time per function inside the window, idle left out, waits merged', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'filly-bench-prof-'));
  try {
    const frame = (functionName: string, url = ''): { functionName: string; url: string; lineNumber: number } => ({ functionName, url, lineNumber: 0 });
    const profile = {
      nodes: [{ id: 1, callFrame: frame('(root)') }, { id: 2, callFrame: frame('(idle)') }, { id: 3, callFrame: frame('apply', 'file:///x/packages/server/src/processor/apply.ts') }, { id: 4, callFrame: frame('(garbage collector)') }],
      // Samples at 1,000 µs steps from t=1,000,000: apply, apply, idle, gc, apply (the last outside the window).
      samples: [3, 3, 2, 4, 3],
      timeDeltas: [1_000, 1_000, 1_000, 1_000, 1_000],
      startTime: 1_000_000,
      endTime: 1_005_000,
    };
    fs.writeFileSync(path.join(dir, 'CPU.1.cpuprofile'), JSON.stringify(profile));
    const snap = { buckets: [[100, 2]], count: 2, sum: 200, min: 100, max: 100, negatives: 0, overflows: 0 };
    const waits = { pid: 7, spanSec: 1, callsUs: { 'transaction commit': snap }, sizes: {}, errors: {}, eventLoopDelayUs: { p50: 1000, p99: 2000, max: 3000, mean: 1000 }, eventLoopUtilization: 0.5 };
    fs.writeFileSync(path.join(dir, 'waits-7.json'), JSON.stringify(waits));
    fs.writeFileSync(path.join(dir, 'waits-8.json'), JSON.stringify({ ...waits, pid: 8 }));
    const s = summarizeServerProfile(dir, { fromUs: 1_000_000, toUs: 1_004_000 });
    assert.ok(s !== undefined);
    assert.equal(s.byArea.find((a) => a.name === '(garbage collector)')?.pctOfBusy, 33.3);
    const apply = s.topFunctions.find((f) => f.name.startsWith('apply '));
    assert.equal(apply?.selfMs, 2);
    assert.equal(s.byArea.find((a) => a.name === 'server/processor')?.pctOfBusy, 66.7);
    assert.ok(!s.topFunctions.some((f) => f.name === '(idle)'));
    assert.deepEqual(s.waits.map((w) => [w.kind, w.count]), [['transaction commit', 4]]);
    assert.deepEqual(s.eventLoop.map((e) => e.pid), [7, 8]);
    assert.equal(summarizeServerProfile(path.join(dir, 'missing')), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
