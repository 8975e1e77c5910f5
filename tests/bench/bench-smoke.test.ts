// Runs every benchmark workload for a moment with tiny numbers (npm run bench -- all --smoke),
// and W1 once more in kafka mode (three instances on the shared test broker), and checks only
// that each ran and wrote a well-formed result file. No speed is asserted: benchmarks print
// figures, they do not pass or fail on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NODE_24, REPO_ROOT } from '../harness/server-process.ts';
import { startKafkaBroker } from '../harness/kafka-broker.ts';
import { gateOnTools } from '../harness/tools.ts';

const WORKLOADS = ['w1', 'w2', 'w3', 'w4', 'w5'];
const RUN_TIMEOUT_MS = 240_000;
const KAFKA_RUN_TIMEOUT_MS = 300_000;
const kafkaGate = process.env['KAFKA_BOOTSTRAP'] ? { skip: false as const, failure: undefined } : gateOnTools('the kafka-mode bench smoke test', ['java', 'mvn']);

function runBench(args: string[], extraEnv: Record<string, string> = {}, timeoutMs = RUN_TIMEOUT_MS): Promise<{ code: number | null; output: string }> {
  const env = { ...process.env, ...extraEnv };
  delete env['NODE_TEST_CONTEXT'];
  return new Promise((resolve, reject) => {
    const child = spawn(NODE_24, ['bench/main.ts', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { output += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { output += d; });
    // SIGTERM first: the bench then stops the servers (and broker) it started.
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

type Json = Record<string, unknown>;

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

test('every workload runs briefly and writes a well-formed result', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'filly-bench-smoke-'));
  try {
    const { code, output } = await runBench(['all', '--smoke', '--out', outDir]);
    assert.equal(code, 0, `bench exited with ${code}:\n${output}`);
    const files = fs.readdirSync(outDir);
    for (const w of WORKLOADS) {
      const jsonFiles = files.filter((f) => f.startsWith(`${w}-`) && f.endsWith('.json'));
      assert.equal(jsonFiles.length, 1, `${w}: one result file expected, found ${jsonFiles.join(', ') || 'none'}\n${output}`);
      const doc = JSON.parse(fs.readFileSync(path.join(outDir, jsonFiles[0]!), 'utf8')) as Json;
      assert.equal(doc['workload'], w);
      assert.equal(doc['format'], 2);
      assert.equal(doc['mode'], 'embedded');
      assert.deepEqual((doc['server'] as Json)['instances'], 1);
      const machine = doc['machine'] as Json;
      assert.ok(typeof machine['cpuModel'] === 'string' && isNumber(machine['cores']) && isNumber(machine['ramMb']), `${w}: machine info`);
      assert.match(String(machine['node']), /^v\d+\./);
      assert.equal(typeof doc['settings'], 'object');
      if (doc['supported'] === false) {
        // Allowed only for W3 while the server refuses fan-out WfSpecs: it must say why.
        assert.equal(w, 'w3', `${w} reported itself unsupported: ${String(doc['message'])}`);
        assert.match(String(doc['message']), /not supported/);
        continue;
      }
      const phases = doc['phases'] as Json[];
      assert.ok(Array.isArray(phases) && phases.length > 0, `${w}: phases`);
      for (const p of phases) {
        assert.ok(isNumber(p['runWfAccepted']) && p['runWfAccepted'] > 0, `${w} ${String(p['label'])}: RunWf accepted`);
        assert.ok(isNumber(p['tasksPerSec']) && p['tasksPerSec'] > 0, `${w} ${String(p['label'])}: tasks done`);
        const latency = p['latency'] as Record<string, Json>;
        const completed = latency['runWfToCompleted'];
        assert.ok(completed !== undefined && isNumber(completed['count']) && completed['count'] > 0, `${w} ${String(p['label'])}: completions measured`);
        for (const [kind, l] of Object.entries(latency)) {
          for (const k of ['p50Ms', 'p90Ms', 'p99Ms', 'p999Ms', 'maxMs']) assert.ok(isNumber(l[k]) && l[k] >= 0, `${w} ${kind}.${k}`);
          assert.ok((l['p50Ms'] as number) <= (l['maxMs'] as number), `${w} ${kind}: p50 <= max`);
        }
      }
    }
    const svg = files.find((f) => f.startsWith('w1-') && f.endsWith('.svg'));
    assert.ok(svg !== undefined, 'W1 writes an SVG plot');
    const text = fs.readFileSync(path.join(outDir, svg), 'utf8');
    assert.match(text, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(text, /<path d="M/);
    assert.match(text.trimEnd(), /<\/svg>$/);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});

test('W1 runs briefly in kafka mode: three instances on one broker, calls and polls spread over all', { skip: kafkaGate.skip, timeout: KAFKA_RUN_TIMEOUT_MS + 60_000 }, async () => {
  if (kafkaGate.failure !== undefined) assert.fail(kafkaGate.failure);
  // The shared test broker when KAFKA_BOOTSTRAP names one, else one of our own for this test.
  const broker = await startKafkaBroker();
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'filly-bench-smoke-kafka-'));
  try {
    const { code, output } = await runBench(['w1', '--kafka', '--smoke', '--rates', '20', '--out', outDir], { KAFKA_BOOTSTRAP: broker.bootstrap }, KAFKA_RUN_TIMEOUT_MS);
    assert.equal(code, 0, `bench exited with ${code}:\n${output}`);
    assert.match(output, /\[kafka mode, 3 instances\]/, 'the printed table says the mode');
    const jsonFiles = fs.readdirSync(outDir).filter((f) => f.startsWith('w1-') && f.endsWith('.json'));
    assert.equal(jsonFiles.length, 1, `one result file expected:\n${output}`);
    const doc = JSON.parse(fs.readFileSync(path.join(outDir, jsonFiles[0]!), 'utf8')) as Json;
    assert.equal(doc['mode'], 'kafka');
    const server = doc['server'] as Json;
    assert.equal(server['instances'], 3);
    assert.equal(server['kafkaBootstrap'], broker.bootstrap);
    assert.ok(Array.isArray(server['addresses']) && new Set(server['addresses'] as string[]).size === 3, 'three distinct instance addresses');
    assert.match(String(server['clusterId']), /^bench-[0-9a-f]{8}$/);
    // Every worker was told to poll all three instances.
    const polled = /workers poll: (.*)/.exec(output)?.[1]?.split(', ') ?? [];
    assert.equal(polled.length, 3, `workers poll three instances:\n${output}`);
    const phases = doc['phases'] as Json[];
    assert.equal(phases.length, 2, 'max phase and one fixed rate');
    for (const p of phases) {
      assert.ok(isNumber(p['runWfAccepted']) && p['runWfAccepted'] > 0, `${String(p['label'])}: RunWf accepted`);
      assert.deepEqual(p['errors'], {}, `${String(p['label'])}: no RunWf errors`);
      const completed = (p['latency'] as Record<string, Json>)['runWfToCompleted'];
      assert.ok(completed !== undefined && isNumber(completed['count']) && completed['count'] > 0, `${String(p['label'])}: completions measured`);
    }
    // CPU and RSS are sampled for all three servers.
    const samples = doc['procSamples'] as Json[];
    assert.ok(samples.length > 0, 'process samples');
    assert.ok(samples.some((x) => Array.isArray(x['serversCpuPct']) && (x['serversCpuPct'] as unknown[]).length === 3 && (x['serversCpuPct'] as unknown[]).every(isNumber)), 'per-server CPU of three servers');
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
    await broker.stop();
  }
});
