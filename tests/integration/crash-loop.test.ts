// kill -9 at random moments, again and again, under a steady load: clients running WfRuns, a worker
// executing their tasks, sleep timers firing. After every crash, before the restart, the offline
// check (`filly-server --verify`) must find the store equal to a replay of the log; after every
// restart every acknowledged RunWf is there. At the end every WfRun completes with the right
// output, and no task attempt ran twice or beyond the declared retries. The seed is printed;
// CRASH_LOOP_SEED=<n> replays the same kill schedule (timing on a busy machine still varies).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { LHStatus, type ScheduledTask, type VariableValue } from '@filly/proto';
import { NODE_24, REPO_ROOT, SERVER_MAIN, startServer, type ServerProcess } from '../harness/server-process.ts';
import { connect, type TestClient } from '../harness/grpc-client.ts';
import { startTestWorker, type TestWorker } from '../harness/test-worker.ts';
import { isTerminal, lit, nodeOut, putTaskDef, spec, taskNode, varDef, varRef, waitForWfRun } from '../harness/specs.ts';

const KILLS = 10;
const RUN_BETWEEN_KILLS_MS: [number, number] = [1_500, 4_500];
const LOAD_CLIENTS = 3;
const PAUSE_BETWEEN_RUNS_MS = 120;
const RETRIES = 6;
const FINAL_WAIT_MS = 120_000;

let server: ServerProcess | undefined;
let client: TestClient | undefined;
let worker: TestWorker | undefined;

after(async () => {
  worker?.stop();
  client?.close();
  await server?.stop();
});

/** mulberry32: a tiny seeded generator, so a failing kill schedule can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (n: bigint): VariableValue => ({ value: { $case: 'int', value: n } });
const intOf = (v: VariableValue | undefined): bigint | undefined => (v?.value?.$case === 'int' ? v.value.value : undefined);

/** Runs `filly-server --verify` on the stopped server's data and returns its JSON report. */
async function verifyOffline(stateDir: string): Promise<{ code: number | null; report: Record<string, unknown> | undefined; output: string }> {
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  const proc = spawn(NODE_24, [SERVER_MAIN, '--verify', stateDir], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const line = output.split('\n').find((l) => l.startsWith('{'));
  return { code, report: line ? (JSON.parse(line) as Record<string, unknown>) : undefined, output };
}

test('repeated kill -9 under load: no acknowledged write lost, store equals the log, every WfRun completes', async (t) => {
  const seed = Number(process.env['CRASH_LOOP_SEED'] ?? Date.now() % 1_000_000);
  t.diagnostic(`CRASH_LOOP_SEED=${seed}`);
  const random = seeded(seed);
  server = await startServer();
  client = connect(server.address, { deadlineMs: 10_000 });
  await putTaskDef(client, 'double', [['x', 'INT']], 'INT');
  const task = (input: unknown): ReturnType<typeof taskNode> => taskNode('double', [input], { retries: RETRIES, timeoutSeconds: 2 });
  await client.call.putWfSpec(spec('crash-loop', {
    '0-entrypoint-ENTRYPOINT': { entrypoint: {}, outgoingEdges: [{ sinkNodeName: '1-double-TASK' }] },
    '1-double-TASK': { ...task(varRef('i')), outgoingEdges: [{ sinkNodeName: '2-nap-SLEEP', variableMutations: [{ lhsName: 'out', operation: 'ASSIGN', rhsAssignment: nodeOut('1-double-TASK') }] }] },
    '2-nap-SLEEP': { sleep: { rawSeconds: lit({ int: 1 }) }, outgoingEdges: [{ sinkNodeName: '3-double-TASK' }] },
    '3-double-TASK': { ...task(varRef('out')), outgoingEdges: [{ sinkNodeName: '4-exit-EXIT', variableMutations: [{ lhsName: 'out', operation: 'ASSIGN', rhsAssignment: nodeOut('3-double-TASK') }] }] },
    '4-exit-EXIT': { exit: {} },
  }, [varDef('i', 'INT'), varDef('out', 'INT')]));

  // Every delivery per TaskRun, by attempt number.
  const attempts = new Map<string, number[]>();
  const onTask = (s: ScheduledTask) => {
    const key = `${s.taskRunId?.wfRunId?.id}/${s.taskRunId?.taskGuid}`;
    attempts.set(key, [...(attempts.get(key) ?? []), s.attemptNumber]);
    const x = intOf(s.variables[0]?.value) ?? -1n;
    return { kind: 'success' as const, output: int(2n * x) };
  };
  const startWorker = (): void => {
    worker = startTestWorker(client!, 'double', onTask, { credits: 8 });
  };
  startWorker();

  const acknowledged = new Map<string, bigint>();
  const unanswered = new Map<string, bigint>(); // the call failed: the WfRun may or may not exist
  let nextId = 0;
  let loading = true;
  const loadLoop = async (): Promise<void> => {
    // Bounded by `loading`, which the test clears after the last restart.
    while (loading) {
      const n = BigInt(nextId++);
      const id = `loop-${n}`;
      try {
        await client!.call.runWf({ wfSpecName: 'crash-loop', variables: { i: int(n) }, id });
        acknowledged.set(id, n);
      } catch {
        unanswered.set(id, n);
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, PAUSE_BETWEEN_RUNS_MS));
    }
  };
  const loaders = Array.from({ length: LOAD_CLIENTS }, () => loadLoop());

  const getRun = (id: string) => client!.call.getWfRun({ id, parentWfRunId: undefined }).catch(() => undefined);
  const verifyReports: string[] = [];
  for (let kill = 1; kill <= KILLS; kill++) {
    const [lo, hi] = RUN_BETWEEN_KILLS_MS;
    await new Promise((r) => setTimeout(r, lo + random() * (hi - lo)));
    await server.kill9();
    worker?.stop();
    const ackedBeforeCrash = [...acknowledged.keys()];

    const verified = await verifyOffline(server.dataDir);
    assert.equal(verified.code, 0, `after kill ${kill}, --verify says:\n${verified.output}`);
    assert.equal(verified.report?.['ok'], true);
    verifyReports.push(`kill ${kill}: ${verified.report?.['logRecords']} records, ${verified.report?.['unappliedRecords']} to replay`);

    await server.restart();
    client.close();
    client = connect(server.address, { deadlineMs: 10_000 });
    startWorker();
    const missing: string[] = [];
    for (let i = 0; i < ackedBeforeCrash.length; i += 50) {
      const slice = ackedBeforeCrash.slice(i, i + 50);
      const runs = await Promise.all(slice.map(getRun));
      runs.forEach((run, j) => run === undefined && missing.push(slice[j]!));
    }
    assert.deepEqual(missing, [], `after kill ${kill}, every acknowledged RunWf is there`);
  }
  loading = false;
  await Promise.all(loaders);
  t.diagnostic(verifyReports.join('; '));
  assert.ok(acknowledged.size >= KILLS * 5, `a real load ran: ${acknowledged.size} acknowledged WfRuns`);

  // Unanswered calls either created their WfRun or left no trace; the ones that exist must finish.
  const expected = new Map(acknowledged);
  for (const [id, n] of unanswered) if ((await getRun(id)) !== undefined) expected.set(id, n);
  const wrong: string[] = [];
  for (const [id, n] of expected) {
    const done = await waitForWfRun(client, id, isTerminal, FINAL_WAIT_MS);
    if (done.status !== LHStatus.COMPLETED) {
      wrong.push(`${id} ended ${LHStatus[done.status]}`);
      continue;
    }
    const out = await client.call.getVariable({ wfRunId: { id }, threadRunNumber: 0, name: 'out' });
    if (intOf(out.value) !== 4n * n) wrong.push(`${id}: out=${intOf(out.value)}, expected ${4n * n}`);
  }
  assert.deepEqual(wrong, [], 'every WfRun completed with out = 4 * i');

  const twice = [...attempts].filter(([, list]) => new Set(list).size !== list.length);
  assert.deepEqual(twice, [], 'no task attempt was delivered twice');
  const tooMany = [...attempts].filter(([, list]) => list.length > RETRIES + 1);
  assert.deepEqual(tooMany, [], `no TaskRun ran more than 1 + ${RETRIES} attempts`);
  assert.ok(attempts.size >= 2 * expected.size, `every WfRun ran its two tasks (${attempts.size} TaskRuns for ${expected.size} WfRuns)`);

  worker?.stop();
  await server.stop();
  const final = await verifyOffline(server.dataDir);
  assert.equal(final.code, 0, final.output);
  assert.equal(final.report?.['unappliedRecords'], 0, 'a clean stop leaves nothing to replay');
});
