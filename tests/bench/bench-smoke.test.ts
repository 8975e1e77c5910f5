// Runs every benchmark workload for a moment with tiny numbers (npm run bench -- all --smoke)
// and checks only that each ran and wrote a well-formed result file. No speed is asserted:
// benchmarks print figures, they do not pass or fail on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NODE_24, REPO_ROOT } from '../harness/server-process.ts';

const WORKLOADS = ['w1', 'w2', 'w3', 'w4', 'w5'];
const RUN_TIMEOUT_MS = 240_000;

function runBench(outDir: string): Promise<{ code: number | null; output: string }> {
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  return new Promise((resolve, reject) => {
    const child = spawn(NODE_24, ['bench/main.ts', 'all', '--smoke', '--out', outDir], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { output += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { output += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
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
    const { code, output } = await runBench(outDir);
    assert.equal(code, 0, `bench exited with ${code}:\n${output}`);
    const files = fs.readdirSync(outDir);
    for (const w of WORKLOADS) {
      const jsonFiles = files.filter((f) => f.startsWith(`${w}-`) && f.endsWith('.json'));
      assert.equal(jsonFiles.length, 1, `${w}: one result file expected, found ${jsonFiles.join(', ') || 'none'}\n${output}`);
      const doc = JSON.parse(fs.readFileSync(path.join(outDir, jsonFiles[0]!), 'utf8')) as Json;
      assert.equal(doc['workload'], w);
      assert.equal(doc['format'], 1);
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
