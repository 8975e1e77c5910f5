// The workflow tests of embedded mode, run again with every server in kafka mode on a real
// broker: the same processor behind a different log must give the same answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { NODE_24, REPO_ROOT } from '../harness/server-process.ts';
import { startKafkaBroker } from '../harness/kafka-broker.ts';
import { gateOnTools } from '../harness/tools.ts';

const gate = process.env['KAFKA_BOOTSTRAP'] ? { skip: false as const, failure: undefined } : gateOnTools('the kafka-mode run of the workflow tests', ['java', 'mvn']);

/** Test files whose servers are all started through the harness (so the mode switch reaches them). */
const FILES = [
  'workflows.test.ts',
  'threads.test.ts',
  'user-tasks.test.ts',
  'child-workflows.test.ts',
  'workflow-events.test.ts',
  'structs.test.ts',
  'tenants.test.ts',
  'metadata-searches.test.ts',
  'wf-run-search.test.ts',
];

test('the workflow tests pass with servers in kafka mode', { skip: gate.skip, timeout: 900_000 }, async () => {
  if (gate.failure !== undefined) assert.fail(gate.failure);
  const broker = await startKafkaBroker();
  try {
    const files = FILES.map((f) => path.join(REPO_ROOT, 'tests', 'integration', f));
    const env: NodeJS.ProcessEnv = { ...process.env, FILLY_TEST_KAFKA_BOOTSTRAP: broker.bootstrap };
    delete env['NODE_TEST_CONTEXT'];
    const child = spawn(NODE_24, ['--test', '--test-concurrency=1', '--test-reporter=tap', ...files], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const summary = out.split('\n').filter((l) => /^# (tests|pass|fail|skipped)/.test(l)).join(', ');
    process.stdout.write(`kafka mode: ${summary}\n`);
    const failed = out.split('\n').filter((l) => /^\s*not ok /.test(l));
    assert.equal(code, 0, `in kafka mode:\n${failed.join('\n')}\n${out.slice(-8000)}`);
  } finally {
    await broker.stop();
  }
});
