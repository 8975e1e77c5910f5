// Compatibility with the OFFICIAL LittleHorse clients (Java, Go, Python), fetched from their
// registries and driven by programs of ours against a Filly server that this test starts.
// The same programs also run against a scripted stand-in server, so a failure can be pinned on
// the program or on Filly. One file on purpose: the builds share caches under .cache/ and must
// not run in two test processes at once. See README.md.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startServer } from '../harness/server-process.ts';
import { gateOnTools } from '../harness/tools.ts';
import { buildClient, clientEnv, ClientUnavailable, CLIENT_TOOLS, type ClientName, type ClientProgram } from './clients.ts';
import { ScriptedLhServer } from './fixtures/scripted-lh-server.ts';
import { describeResult, runProgram } from './run-program.ts';
import { assertScenarioShape, canonicalWfSpec, expectedLongRuns, parseSummary } from './scenario.ts';

const WF_RUNS = Number(process.env['FILLY_COMPAT_WF_RUNS'] ?? '5');
const PROGRAM_TIMEOUT_MS = 120_000;
const PRINT_SPEC_TIMEOUT_MS = 60_000;
const SCRIPTED_RPCS = ['putTaskDef', 'getTaskDef', 'registerTaskWorker', 'pollTask', 'reportTask', 'putWfSpec', 'runWf', 'getWfRun', 'getVariable', 'getNodeRun', 'getTaskRun'];
const TEST_TIMEOUT_MS = 25 * 60_000; // the first Maven/Go/pip download can be slow
const LOG_DIR = path.join(REPO_ROOT, '.cache', 'compat-logs');
const STRICT = process.env['FILLY_COMPAT_STRICT'] === 'true';
const CLIENTS: readonly ClientName[] = ['java', 'go', 'python'];

assert.ok(Number.isInteger(WF_RUNS) && WF_RUNS >= 1 && WF_RUNS <= 1000, 'FILLY_COMPAT_WF_RUNS must be in 1..1000');

const canonicalSpecs = new Map<ClientName, unknown>();

/** Builds the client, or skips the test when its package cannot be had from the registry. */
async function buildOrSkip(t: TestContext, client: ClientName): Promise<ClientProgram | undefined> {
  try {
    return await buildClient(client);
  } catch (e) {
    if (!(e instanceof ClientUnavailable) || STRICT) throw e;
    t.skip(`skipped the ${client} client: ${e.message}`);
    return undefined;
  }
}

function saveServerLog(client: string, logs: string): string {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const file = path.join(LOG_DIR, `${client}-server.log`);
  fs.writeFileSync(file, logs);
  return file;
}

for (const client of CLIENTS) {
  const gate = gateOnTools(`the ${client} client compatibility test`, CLIENT_TOOLS[client]);

  test(`official ${client} client: its workflow builder's WfSpec decodes with our proto`, { skip: gate.skip, timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (gate.failure !== undefined) assert.fail(gate.failure);
    const program = await buildOrSkip(t, client);
    if (program === undefined) return;
    const r = await runProgram(program.cmd, [...program.args, '--print-wf-spec'], { env: clientEnv({}), timeoutMs: PRINT_SPEC_TIMEOUT_MS });
    assert.equal(r.code, 0, describeResult(`${client} --print-wf-spec`, r));
    assertScenarioShape(r.stdout, client);
    canonicalSpecs.set(client, canonicalWfSpec(r.stdout, client));
  });

  test(`official ${client} client: our program passes against a scripted stand-in server`, { skip: gate.skip, timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (gate.failure !== undefined) assert.fail(gate.failure);
    const program = await buildOrSkip(t, client);
    if (program === undefined) return;
    const server = new ScriptedLhServer();
    await server.start();
    try {
      const r = await runProgram(program.cmd, program.args, {
        env: clientEnv({ LHC_API_HOST: 'localhost', LHC_API_PORT: String(server.port), COMPAT_WF_RUNS: String(WF_RUNS), COMPAT_TIMEOUT_MS: '60000' }),
        timeoutMs: PROGRAM_TIMEOUT_MS,
      });
      const methods = [...new Set(server.calls.map((c) => c.method))];
      t.diagnostic(`${client} RPCs in first-call order: ${methods.join(', ')}`);
      t.diagnostic(`${client} request headers: ${[...new Set(server.calls.flatMap((c) => c.headers))].sort().join(', ')}`);
      assert.equal(r.code, 0, describeResult(`${client} against the scripted server`, r));
      const summary = parseSummary(r.stdout);
      assert.ok(summary !== undefined, describeResult('no summary line', r));
      assert.equal(summary.wfRuns, WF_RUNS);
      assert.equal(summary.long, expectedLongRuns(WF_RUNS));
      for (const m of SCRIPTED_RPCS) assert.ok(methods.includes(m), `${client} never called ${m}`);
    } finally {
      await server.stop();
    }
  });

  test(`official ${client} client: registers, works and runs ${WF_RUNS} WfRuns against a Filly server`, { skip: gate.skip, timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (gate.failure !== undefined) assert.fail(gate.failure);
    const program = await buildOrSkip(t, client);
    if (program === undefined) return;
    const server = await startServer();
    let passed = false;
    try {
      const r = await runProgram(program.cmd, program.args, {
        env: clientEnv({
          LHC_API_HOST: 'localhost',
          LHC_API_PORT: String(server.port),
          COMPAT_WF_RUNS: String(WF_RUNS),
          COMPAT_TIMEOUT_MS: String(PROGRAM_TIMEOUT_MS - 60_000),
        }),
        timeoutMs: PROGRAM_TIMEOUT_MS,
      });
      const what = `${client} scenario against ${server.address}`;
      assert.equal(r.code, 0, describeResult(what, r));
      const summary = parseSummary(r.stdout);
      assert.ok(summary !== undefined, `no summary line\n${describeResult(what, r)}`);
      assert.equal(summary.client, client);
      assert.equal(summary.wfRuns, WF_RUNS);
      assert.equal(summary.taskRuns, 2 * WF_RUNS);
      assert.equal(summary.long, expectedLongRuns(WF_RUNS));
      assert.equal(summary.long + summary.short, WF_RUNS);
      t.diagnostic(r.stdout.trim().split('\n').pop() ?? '');
      passed = true;
    } finally {
      await server.stop();
      if (!passed) {
        const file = saveServerLog(client, server.logs());
        const tail = server.logs().slice(-20_000);
        process.stderr.write(`\n===== Filly server log for the ${client} client (full log: ${file}) =====\n${tail}\n===== end of server log =====\n`);
      }
    }
  });
}

test('the official builders agree on the scenario WfSpec', (t) => {
  // Runs after the per-client tests (node:test runs a file's top-level tests in order).
  const built = [...canonicalSpecs.entries()];
  if (built.length < 2) {
    t.skip(`needs at least two clients' WfSpecs, have ${built.map(([c]) => c).join(', ') || 'none'}`);
    return;
  }
  const [first, ...rest] = built;
  assert.ok(first !== undefined);
  for (const [client, spec] of rest) {
    assert.deepEqual(spec, first[1], `${client}'s WfSpec differs from ${first[0]}'s`);
  }
});

// The official Java builder beyond a straight line (tests/compat/java: AdvancedMain): spawned
// threads, an interrupt, failure handlers, a user task and child workflows, checked against what
// upstream LittleHorse 1.2 reports for the same WfSpecs.
const javaGate = gateOnTools('the advanced Java client compatibility test', CLIENT_TOOLS.java);
test('official java client: advanced builder scenarios against a Filly server', { skip: javaGate.skip, timeout: TEST_TIMEOUT_MS }, async (t) => {
  if (javaGate.failure !== undefined) assert.fail(javaGate.failure);
  const program = await buildOrSkip(t, 'java');
  if (program === undefined) return;
  assert.equal(program.args.at(-1), 'dev.filly.compat.CompatMain', 'the Java build runs CompatMain last');
  const args = [...program.args.slice(0, -1), 'dev.filly.compat.AdvancedMain'];
  const server = await startServer();
  let passed = false;
  try {
    const r = await runProgram(program.cmd, args, {
      env: clientEnv({ LHC_API_HOST: 'localhost', LHC_API_PORT: String(server.port), COMPAT_TIMEOUT_MS: '30000' }),
      timeoutMs: PROGRAM_TIMEOUT_MS,
    });
    const what = `java advanced scenarios against ${server.address}`;
    assert.equal(r.code, 0, describeResult(what, r));
    const summary = /^COMPAT ADVANCED OK client=java-(\S+) scenarios=(\S+) checks=(\d+)/m.exec(r.stdout);
    assert.ok(summary !== null, `no summary line\n${describeResult(what, r)}`);
    assert.deepEqual(summary[2]?.split(','), ['threads', 'interrupt', 'failure-handlers', 'unhandled-failures', 'user-task', 'child-workflows']);
    assert.ok(Number(summary[3]) >= 90, `only ${summary[3]} checks ran`);
    t.diagnostic(summary[0]);
    passed = true;
  } finally {
    await server.stop();
    if (!passed) {
      const file = saveServerLog('java-advanced', server.logs());
      process.stderr.write(`\n===== Filly server log for the advanced Java scenarios (full log: ${file}) =====\n${server.logs().slice(-20_000)}\n===== end of server log =====\n`);
    }
  }
});
