// Kafka mode: three server processes on one real broker. Any instance answers any call, a
// worker connected to one instance runs the tasks of every partition, and killing an instance
// in the middle of a load loses no acknowledged WfRun: its partitions move and every WfRun ends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { LHStatus, RunWfRequest, SearchWfRunRequest, type WfRun } from '@filly/proto';
import { defineTask, loadConfig, LHTaskWorker, LittleHorseClient, Workflow } from '@filly/sdk';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { startKafkaBroker, type KafkaBroker } from '../harness/kafka-broker.ts';
import { gateOnTools } from '../harness/tools.ts';
import { isTerminal } from '../harness/specs.ts';
import { waitFor } from '../harness/wait-for.ts';

const gate = process.env['KAFKA_BOOTSTRAP'] ? { skip: false as const, failure: undefined } : gateOnTools('the kafka-mode cluster tests', ['java', 'mvn']);
const PARTITIONS = 6;
const executions = new Map<string, number>();

const double = defineTask({ name: 'cluster-double', input: { n: 'INT', tag: 'STR' }, output: 'INT' }, async ({ n, tag }) => {
  executions.set(tag, (executions.get(tag) ?? 0) + 1);
  return n * 2;
});

const doubling = new Workflow('cluster-doubling', (wf) => {
  const n = wf.declareInt('n').required();
  const tag = wf.declareStr('tag').required();
  const out = wf.declareInt('out');
  out.assign(wf.execute(double, { n, tag }));
});

const clientFor = (server: ServerProcess, workerId = 'cluster-worker'): LittleHorseClient =>
  new LittleHorseClient(loadConfig({ env: { LHC_API_HOST: '127.0.0.1', LHC_API_PORT: String(server.port), LHW_TASK_WORKER_ID: workerId } }));


describe('kafka mode, three instances', { skip: gate.skip, timeout: 600_000 }, () => {
  let broker: KafkaBroker | undefined;
  const servers: ServerProcess[] = [];
  const clients: LittleHorseClient[] = [];
  let worker: LHTaskWorker | undefined;

  before(async () => {
    if (gate.failure !== undefined) assert.fail(gate.failure);
    broker = await startKafkaBroker();
    const clusterId = `c${randomUUID().slice(0, 8)}`;
    const env = {
      LHS_KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
      LHS_CLUSTER_ID: clusterId,
      LHS_CLUSTER_PARTITIONS: String(PARTITIONS),
      LHS_REPLICATION_FACTOR: '1',
      LHS_INTERNAL_ADVERTISED_HOST: '127.0.0.1',
      LHS_STREAMS_SESSION_TIMEOUT: '6000',
      FILLY_LOG_LEVEL: 'info',
    };
    // One at a time: the first creates the topics.
    for (let i = 0; i < 3; i++) servers.push(await startServer({ env, readyTimeoutMs: 120_000 }));
    for (const s of servers) clients.push(clientFor(s));
  });

  after(async () => {
    await worker?.stop();
    for (const c of clients) c.close();
    await Promise.allSettled(servers.map((s) => s.stop()));
    await broker?.stop();
  });

  const dump = (): string => servers.map((s, i) => `--- server ${i} ---\n${s.logs().slice(-6000)}`).join('\n');

  test('metadata written on one instance is read on the others; tasks of every partition run; reads and searches see everything', async () => {
    try {
      const [a, b, c] = clients as [LittleHorseClient, LittleHorseClient, LittleHorseClient];
      worker = new LHTaskWorker(double, loadConfig({ env: { LHC_API_HOST: '127.0.0.1', LHC_API_PORT: String(servers[1]!.port), LHW_TASK_WORKER_ID: 'cluster-worker' } }), { concurrency: 8 });
      await worker.registerTaskDef();
      await doubling.register(a);
      await waitFor('the WfSpec on instance c', 15_000, async () => (await c.getLatestWfSpec({ name: 'cluster-doubling' })) ?? undefined);
      await worker.start();
      const ids = Array.from({ length: 24 }, (_, i) => `first-${i}`);
      for (const [i, id] of ids.entries()) {
        await a.runWf(RunWfRequest.fromPartial({ wfSpecName: 'cluster-doubling', id, variables: { n: { value: { $case: 'int', value: BigInt(i) } }, tag: { value: { $case: 'str', value: id } } } }));
      }
      for (const [i, id] of ids.entries()) {
        const run = await waitFor(`WfRun ${id} to end`, 30_000, async () => {
          const w = await c.getWfRun({ id, parentWfRunId: undefined });
          return isTerminal(w) ? w : undefined;
        });
        assert.equal(run.status, LHStatus.COMPLETED, id);
        const out = await b.getVariable({ wfRunId: { id, parentWfRunId: undefined }, threadRunNumber: 0, name: 'out' });
        assert.deepEqual(out.value?.value, { $case: 'int', value: BigInt(i * 2) });
      }
      const found = await b.searchWfRun(SearchWfRunRequest.fromPartial({ wfSpecName: 'cluster-doubling', limit: 100 }));
      const foundIds = new Set(found.results.map((r) => r.id));
      for (const id of ids) assert.ok(foundIds.has(id), `search on b finds ${id}`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`, { cause: err });
    }
  });

  test('kill -9 of one instance under load: every acknowledged WfRun completes, tasks run once, the instance rejoins', async () => {
    try {
      const a = clients[0]!;
      const acked: string[] = [];
      let stop = false;
      const load = (async () => {
        // Bounded: at most 400 RunWf calls, and stops when told.
        for (let i = 0; i < 400 && !stop; i++) {
          const id = `load-${i}`;
          try {
            await a.runWf(RunWfRequest.fromPartial({ wfSpecName: 'cluster-doubling', id, variables: { n: { value: { $case: 'int', value: BigInt(i) } }, tag: { value: { $case: 'str', value: id } } } }));
            acked.push(id);
          } catch {
            // Not acknowledged: it may or may not exist, and it is not counted.
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      await waitFor('some load', 20_000, async () => (acked.length >= 20 ? true : undefined));
      const killedAt = Date.now();
      await servers[2]!.kill9();
      await waitFor('load after the kill', 60_000, async () => (acked.length >= 80 ? true : undefined));
      stop = true;
      await load;
      let lastDoneAt = 0;
      for (const id of acked) {
        const run = await waitFor(`WfRun ${id} to end`, 90_000, async () => {
          const w = await a.getWfRun({ id, parentWfRunId: undefined });
          return isTerminal(w) ? w : undefined;
        });
        assert.equal(run.status, LHStatus.COMPLETED, id);
        lastDoneAt = Math.max(lastDoneAt, Date.now());
      }
      const twice = [...executions].filter(([tag, n]) => tag.startsWith('load-') && n > 1);
      process.stdout.write(`failover: ${acked.length} acknowledged WfRuns all completed; all done ${lastDoneAt - killedAt} ms after the kill; tasks run twice: ${twice.length}\n`);
      assert.deepEqual(twice, [], 'no task ran twice');

      await servers[2]!.restart();
      const rejoined = clientFor(servers[2]!);
      clients.push(rejoined);
      const run = await waitFor('a read through the restarted instance', 60_000, async () => rejoined.getWfRun({ id: acked[0]!, parentWfRunId: undefined }));
      assert.equal(run.status, LHStatus.COMPLETED);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`, { cause: err });
    }
  });
});
