// Fuzzes every rpc of the LittleHorse service against a real server process. Run it longer with
// FUZZ_ITERATIONS=20000 (see README.md); replay a run with FUZZ_SEED=<the printed seed>.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, PutExternalEventDefRequest } from '@filly/proto';
import type { Client } from '@grpc/grpc-js';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { connect, type TestClient } from '../harness/grpc-client.ts';
import { waitForWfRun } from '../harness/specs.ts';
import { seedFromEnv } from './prng.ts';
import { loadRpcs, type RpcInfo } from './schema.ts';
import { createSeedState, waitingSpec } from './seed-state.ts';
import { diffSnapshots, snapshotState } from './snapshot.ts';
import { hostileCall, invalidCall, randomCall, type FuzzCall } from './fuzz-calls.ts';
import { hostileCases } from './hostile-cases.ts';
import { describeFinding, describeStats, newStats, runCalls, type Finding } from './fuzz-runner.ts';
import { rawClient } from './raw-call.ts';
import { isLive, mb, rssBytes } from './process-stats.ts';

const ITERATIONS = positiveInt('FUZZ_ITERATIONS', 12_000);
const INVALID_ITERATIONS = positiveInt('FUZZ_INVALID_ITERATIONS', 320);
const CONCURRENCY = positiveInt('FUZZ_CONCURRENCY', 6);
/** Growth of the server's RSS over a whole run that counts as unbounded. */
const MAX_RSS_GROWTH_BYTES = positiveInt('FUZZ_MAX_RSS_GROWTH_MB', 400) * 1024 * 1024;

function positiveInt(key: string, fallback: number): number {
  const raw = process.env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${key} must be a positive integer; got ${raw}`);
  return n;
}

function* generate(count: number, make: (i: number) => FuzzCall): Iterator<FuzzCall> {
  for (let i = 0; i < count; i++) yield make(i);
}

function assertNoFindings(findings: Finding[], seed: number, serverLogs: string): void {
  if (findings.length === 0) return;
  const shown = findings.slice(0, 25).map(describeFinding).join('\n  ');
  // The server logs the stack of every unexpected error: the fastest way to the bug.
  const errors = serverLogs.split('\n').filter((l) => /unexpected|"level":50|"level":60/.test(l)).slice(0, 8).map((l) => l.slice(0, 1_500));
  assert.fail(`${findings.length} finding(s) with FUZZ_SEED=${seed}:\n  ${shown}\nserver errors:\n${errors.join('\n')}`);
}

describe('fuzzing every rpc of the LittleHorse service', () => {
  const seed = seedFromEnv(process.env);
  let server: ServerProcess;
  let client: TestClient;
  let raw: Client;
  let rpcs: RpcInfo[];
  let rssBefore = 0;

  before(async () => {
    console.log(`fuzz: FUZZ_SEED=${seed} FUZZ_ITERATIONS=${ITERATIONS}`);
    server = await startServer();
    client = connect(server.address, { deadlineMs: 30_000 });
    raw = rawClient(server.address);
    rpcs = loadRpcs();
    await createSeedState(client);
    rssBefore = rssBytes(server.pid()!);
  });
  after(async () => {
    raw?.close();
    client?.close();
    await server?.stop();
  });

  test('calls that must be refused are refused and leave stored state unchanged', async () => {
    const before = await snapshotState(client);
    assert.ok(before.some((l) => l.startsWith('wfRun ')), 'the snapshot sees the seed WfRuns');
    const stats = newStats();
    const findings = await runCalls(raw, seed, generate(INVALID_ITERATIONS, (i) => invalidCall(rpcs, seed, i)), CONCURRENCY, stats);
    console.log(`fuzz (invalid only): ${describeStats(stats)}`);
    assertNoFindings(findings, seed, server.logs());
    const afterSnap = await snapshotState(client);
    assert.deepEqual(diffSnapshots(before, afterSnap), [], 'rejected calls changed stored state');
  });

  test('random, mutated and garbage messages to every rpc get a proper status', async () => {
    const stats = newStats();
    const iterations = Math.max(ITERATIONS, rpcs.length * 3);
    const findings = await runCalls(raw, seed, generate(iterations, (i) => randomCall(rpcs, seed, i)), CONCURRENCY, stats);
    console.log(`fuzz (random): ${describeStats(stats)}`);
    assert.equal(stats.byRpc.size, rpcs.length, 'every rpc was called');
    assertNoFindings(findings, seed, server.logs());
  });

  test('calls that once found a bug are replayed', async () => {
    // (seed, iteration) pairs rebuild the exact message (see fuzz-calls.ts); the bug each found:
    const regressions: Array<[number, number]> = [
      [820_948_900, 7_538], // a 100 kB status message broke the client's HTTP/2 connection
      [820_948_900, 4_598],
      [300_598_225, 140], // thread number -1 in a key: INTERNAL
      [300_598_225, 546], // WfSpec version wider than its key: INTERNAL
      [300_598_225, 787],
      [300_598_225, 1_113], // search start time beyond the index key: INTERNAL
      [300_598_225, 1_281],
      [558_601_805, 12_439], // correlated-event TTL past the timer key range: INTERNAL
    ];
    const stats = newStats();
    const findings = await runCalls(raw, seed, generate(regressions.length, (i) => randomCall(rpcs, regressions[i]![0], regressions[i]![1])), 2, stats);
    assertNoFindings(findings, seed, server.logs());
  });

  test('hand-made hostile requests get the expected status', async () => {
    const cases = hostileCases();
    const stats = newStats();
    const findings = await runCalls(raw, seed, generate(cases.length, (i) => hostileCall(rpcs, cases[i]!, i)), 2, stats);
    console.log(`fuzz (hostile): ${describeStats(stats)}`);
    assertNoFindings(findings, seed, server.logs());
  });

  test('afterwards the server is live, runs a canary WfRun, and its memory stayed bounded', async () => {
    assert.ok(await isLive(server.healthPort), 'liveness answers 200');
    // Fresh names: the fuzzing may have deleted or replaced the seed objects, legitimately.
    const id = `canary-${seed}`;
    await client.call.putExternalEventDef(PutExternalEventDefRequest.fromJSON({ name: 'canary-event' }));
    await client.call.putWfSpec(waitingSpec('canary-wf', 'canary-event'));
    await client.call.runWf({ wfSpecName: 'canary-wf', variables: {}, id });
    await client.call.putExternalEvent({
      wfRunId: { id, parentWfRunId: undefined }, externalEventDefId: { name: 'canary-event' }, content: { value: { $case: 'str', value: 'hi' } },
      guid: undefined, threadRunNumber: undefined, nodeRunPosition: undefined,
    });
    const done = await waitForWfRun(client, id, (w) => w.status === LHStatus.COMPLETED, 30_000);
    assert.equal(done.status, LHStatus.COMPLETED);
    const rssAfter = rssBytes(server.pid()!);
    console.log(`fuzz: server RSS ${mb(rssBefore)} before, ${mb(rssAfter)} after`);
    assert.ok(rssAfter - rssBefore < MAX_RSS_GROWTH_BYTES, `RSS grew from ${mb(rssBefore)} to ${mb(rssAfter)}`);
  });
});
