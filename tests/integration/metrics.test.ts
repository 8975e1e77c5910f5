// /metrics on a real server: the engine's batch and timer histograms, the rpc counters and the
// scrape-time gauges count what the test made the server do.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus } from '@filly/proto';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { startTestWorker, type TestWorker } from '../harness/test-worker.ts';
import { isTerminal, lit, linearSpec, putTaskDef, taskNode, waitForWfRun } from '../harness/specs.ts';
import { hasSample, histogramDelta, histogramOf, sampleSum, scrapeMetrics, type Sample } from '../harness/prometheus-text.ts';
import { GRPC_CODE_NAMES } from '../../packages/server/src/metrics/rpc-metrics.ts';

const RUNS = 3;
const SLEEP_SEC = 1;
// Each run applies at least: RunWf, the fired timer, the task's claim by the poller, its report.
const MIN_COMMANDS_PER_RUN = 4;

const sleepThenTask = (name: string, seconds: number, taskDef: string) =>
  linearSpec(name, [['1-nap-SLEEP', { sleep: { rawSeconds: lit({ int: seconds }) } }], ['2-work-TASK', taskNode(taskDef)]]);

describe('/metrics of an embedded server', () => {
  let server: ServerProcess;
  let client: TestClient;
  let worker: TestWorker | undefined;

  before(async () => {
    server = await startServer();
    client = connect(server.address);
    await putTaskDef(client, 'metrics-work');
    await putTaskDef(client, 'metrics-unpolled');
    await client.call.putWfSpec(sleepThenTask('metrics-nap', SLEEP_SEC, 'metrics-work'));
    await client.call.putWfSpec(linearSpec('metrics-idle', [['1-wait-TASK', taskNode('metrics-unpolled')]]));
    await client.call.putWfSpec(sleepThenTask('metrics-long-nap', 3_600, 'metrics-work'));
    worker = startTestWorker(client, 'metrics-work', () => ({ kind: 'success' }), { credits: 4 });
  });

  after(async () => {
    worker?.stop();
    client?.close();
    await server?.stop();
  });

  const scrape = (): Promise<Sample[]> => scrapeMetrics(server.healthPort);
  const rpcCount = (s: Sample[], method: string, code: string): number => sampleSum(s, 'filly_rpcs_total', { method, code });

  test('WfRuns that sleep and run a task show up in the batch, timer and rpc metrics', async () => {
    const before = await scrape();
    const ids = Array.from({ length: RUNS }, (_, i) => `metrics-run-${i}`);
    for (const id of ids) await client.call.runWf({ wfSpecName: 'metrics-nap', id, variables: {} });
    for (const id of ids) {
      const done = await waitForWfRun(client, id, isTerminal, 30_000);
      assert.equal(done.status, LHStatus.COMPLETED);
    }
    const afterRuns = await scrape();

    const lateness = histogramDelta(histogramOf(afterRuns, 'filly_timer_lateness_ms')!, histogramOf(before, 'filly_timer_lateness_ms'));
    assert.ok(lateness.count >= RUNS, `every sleep fired a timer: ${lateness.count} timers counted`);
    assert.equal(lateness.buckets.at(-1)?.count, lateness.count, 'the +Inf bucket holds every observation');
    assert.ok(lateness.sum >= 0);

    const batches = histogramDelta(histogramOf(afterRuns, 'filly_batch_commands')!, histogramOf(before, 'filly_batch_commands'));
    const applied = sampleSum(afterRuns, 'filly_commands_applied_total') - sampleSum(before, 'filly_commands_applied_total');
    assert.ok(applied >= RUNS * MIN_COMMANDS_PER_RUN, `${applied} commands applied for ${RUNS} runs`);
    assert.equal(batches.sum, applied, 'the batch-size histogram adds up to the commands applied');
    assert.ok(batches.count >= 1 && batches.count <= applied);
    const applyMs = histogramDelta(histogramOf(afterRuns, 'filly_batch_apply_ms')!, histogramOf(before, 'filly_batch_apply_ms'));
    assert.equal(applyMs.count, batches.count, 'one apply time per batch');
    const durable = histogramDelta(histogramOf(afterRuns, 'filly_batch_durable_ms')!, histogramOf(before, 'filly_batch_durable_ms'));
    assert.ok(durable.count >= 1 && durable.count <= batches.count, `${durable.count} log appends for ${batches.count} batches`);
    const logged = sampleSum(afterRuns, 'filly_commands_durable_total') - sampleSum(before, 'filly_commands_durable_total');
    assert.ok(logged >= RUNS * MIN_COMMANDS_PER_RUN && logged <= applied, `${logged} commands logged`);

    assert.equal(rpcCount(afterRuns, 'RunWf', 'OK') - rpcCount(before, 'RunWf', 'OK'), RUNS);
    const runWfLatency = histogramDelta(histogramOf(afterRuns, 'filly_rpc_latency_ms', { method: 'RunWf' })!, histogramOf(before, 'filly_rpc_latency_ms', { method: 'RunWf' }));
    assert.equal(runWfLatency.count, RUNS);
    assert.ok(rpcCount(afterRuns, 'PollTask', 'OK') >= 1, 'the worker\'s stream was counted when accepted');
    assert.ok(rpcCount(afterRuns, 'ReportTask', 'OK') - rpcCount(before, 'ReportTask', 'OK') >= RUNS);
  });

  test('a refused request is counted under its status code', async () => {
    const before = await scrape();
    const code = await codeOf(client.call.runWf({ wfSpecName: 'metrics-no-such-spec', id: undefined, variables: {} }));
    assert.ok(code !== undefined && code !== 0, `RunWf of a missing WfSpec must fail, got code ${String(code)}`);
    const name = GRPC_CODE_NAMES[code]!;
    const afterBad = await scrape();
    assert.equal(rpcCount(afterBad, 'RunWf', name) - rpcCount(before, 'RunWf', name), 1, `one RunWf counted as ${name}`);
    assert.equal(rpcCount(afterBad, 'RunWf', 'OK'), rpcCount(before, 'RunWf', 'OK'), 'and none as OK');
  });

  test('gauges show a task nobody polls and a timer far in the future', async () => {
    await client.call.runWf({ wfSpecName: 'metrics-idle', id: 'metrics-idle-1', variables: {} });
    await client.call.runWf({ wfSpecName: 'metrics-long-nap', id: 'metrics-long-1', variables: {} });
    // Effects run after the reply: give the queue and the timer a moment to appear.
    const deadline = Date.now() + 10_000;
    let s = await scrape();
    while (Date.now() < deadline && (sampleSum(s, 'filly_task_queue_tasks', { task_def: 'metrics-unpolled' }) < 1 || sampleSum(s, 'filly_timers_loaded') < 1)) {
      await new Promise((r) => setTimeout(r, 100));
      s = await scrape();
    }
    assert.equal(sampleSum(s, 'filly_task_queue_tasks', { tenant: 'default', task_def: 'metrics-unpolled' }), 1);
    assert.ok(sampleSum(s, 'filly_timers_loaded') >= 1, 'the hour-long sleep is a loaded timer');
    assert.ok(hasSample(s, 'filly_timers_firing'));
    assert.ok(hasSample(s, 'process_cpu_user_seconds_total'), 'the default process metrics are still there');
  });
});
