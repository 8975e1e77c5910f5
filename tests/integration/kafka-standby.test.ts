// Kafka mode with standby replicas (LHS_STREAMS_NUM_STANDBY_REPLICAS=1): three instances on one
// broker. Every partition has a standby on an instance that does not own it, which follows the
// partition's changelog into its own store; when the owner is killed, its partitions move to
// their standbys, which restore only what they had not read yet, and every WfRun still ends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { LHStatus, ListTaskRunsRequest, RunWfRequest, TaskRunList, WfRun } from '@filly/proto';
import { defineTask, loadConfig, LHTaskWorker, LittleHorseClient, Workflow } from '@filly/sdk';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { startKafkaBroker, type KafkaBroker } from '../harness/kafka-broker.ts';
import { gateOnTools } from '../harness/tools.ts';
import { isTerminal } from '../harness/specs.ts';
import { waitFor } from '../harness/wait-for.ts';

const gate = process.env['KAFKA_BOOTSTRAP'] ? { skip: false as const, failure: undefined } : gateOnTools('the kafka-mode standby test', ['java', 'mvn']);
const PARTITIONS = 6;
const SESSION_TIMEOUT_MS = 6_000;

const triple = defineTask({ name: 'standby-triple', input: { n: 'INT' }, output: 'INT' }, async ({ n }) => n * 3);
const tripling = new Workflow('standby-tripling', (wf) => {
  const n = wf.declareInt('n').required();
  const out = wf.declareInt('out');
  // A task handed out by the killed instance just before the kill never reaches the worker; its
  // attempt times out and the retry runs it (what this test is about is the state, not delivery).
  out.assign(wf.execute(triple, { n }, { retries: 2, timeoutSeconds: 5 }));
});

/** The parts of an instance's /status this test reads. */
interface Status {
  instanceId: string;
  coreActiveTasks: Array<{ partition: number; state: string; restoredRecords: number | null; restoredFromOffset: number | null; changelogEndOffset: number | null; wiped: boolean | null; takeoverMs: number | null }>;
  coreStandbyTasks: Array<{ partition: number; state: string; appliedOffset: number | null; changelogEndOffset: number | null; lag: number | null }>;
}

async function statusOf(server: ServerProcess): Promise<Status> {
  const res = await fetch(`http://127.0.0.1:${server.healthPort}/status`, { signal: AbortSignal.timeout(2_000) });
  assert.equal(res.status, 200);
  return (await res.json()) as Status;
}

const runRequest = (id: string, n: number): RunWfRequest => RunWfRequest.fromPartial({ wfSpecName: 'standby-tripling', id, variables: { n: { value: { $case: 'int', value: BigInt(n) } } } });

describe('kafka mode with one standby replica per partition', { skip: gate.skip, timeout: 300_000 }, () => {
  let broker: KafkaBroker | undefined;
  const servers: ServerProcess[] = [];
  let client: LittleHorseClient | undefined;
  let worker: LHTaskWorker | undefined;

  before(async () => {
    if (gate.failure !== undefined) assert.fail(gate.failure);
    broker = await startKafkaBroker();
    const env = {
      LHS_KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
      LHS_CLUSTER_ID: `s${randomUUID().slice(0, 8)}`,
      LHS_CLUSTER_PARTITIONS: String(PARTITIONS),
      LHS_REPLICATION_FACTOR: '1',
      LHS_INTERNAL_ADVERTISED_HOST: '127.0.0.1',
      LHS_STREAMS_SESSION_TIMEOUT: String(SESSION_TIMEOUT_MS),
      LHS_STREAMS_NUM_STANDBY_REPLICAS: '1',
      FILLY_LOG_LEVEL: 'info',
    };
    // One at a time: the first creates the topics.
    for (let i = 0; i < 3; i++) servers.push(await startServer({ env, readyTimeoutMs: 120_000 }));
    client = new LittleHorseClient(loadConfig({ env: { LHC_API_HOST: '127.0.0.1', LHC_API_PORT: String(servers[0]!.port), LHW_TASK_WORKER_ID: 'standby-worker' } }));
  });

  after(async () => {
    await worker?.stop();
    client?.close();
    await Promise.allSettled(servers.map((s) => s.stop()));
    await broker?.stop();
  });

  const dump = (): string => servers.map((s, i) => `--- server ${i} ---\n${s.logs().slice(-5000)}`).join('\n');

  test('standbys hold their partitions before owning them; after a kill -9 they take over with almost nothing to restore', async () => {
    try {
      const a = client!;
      worker = new LHTaskWorker(triple, loadConfig({ env: { LHC_API_HOST: '127.0.0.1', LHC_API_PORT: String(servers[0]!.port), LHW_TASK_WORKER_ID: 'standby-worker' } }), { concurrency: 8 });
      await worker.registerTaskDef();
      await tripling.register(a);
      await worker.start();
      const ids = Array.from({ length: 30 }, (_, i) => `before-${i}`);
      for (const [i, id] of ids.entries()) await a.runWf(runRequest(id, i));
      for (const id of ids) {
        const run = await waitFor(`WfRun ${id} to end`, 30_000, async () => {
          const w = await a.getWfRun({ id, parentWfRunId: undefined });
          return isTerminal(w) ? w : undefined;
        });
        assert.equal(run.status, LHStatus.COMPLETED, id);
      }

      // Every partition: served by one instance, followed to the changelog's end by another.
      const victim = servers[2]!;
      const placement = await waitFor('a caught-up standby for every partition', 30_000, async () => {
        const statuses = await Promise.all(servers.map((s) => statusOf(s)));
        const owners = new Map<number, number>();
        const standbys = new Map<number, { server: number; appliedOffset: number; end: number }>();
        statuses.forEach((st, i) => {
          for (const t of st.coreActiveTasks) if (t.partition >= 0 && t.state === 'serving') owners.set(t.partition, i);
          for (const t of st.coreStandbyTasks) {
            if (t.state === 'following' && t.lag === 0 && t.appliedOffset !== null && t.changelogEndOffset !== null) standbys.set(t.partition, { server: i, appliedOffset: t.appliedOffset, end: t.changelogEndOffset });
          }
        });
        for (let p = 0; p < PARTITIONS; p++) {
          const standby = standbys.get(p);
          if (owners.get(p) === undefined || standby === undefined) return undefined;
          assert.notEqual(owners.get(p), standby.server, `the standby of ${p} is not its owner`);
        }
        return { owners, standbys };
      });
      const moved = [...placement.owners].filter(([, i]) => i === 2).map(([p]) => p);
      assert.ok(moved.length > 0, 'the instance to kill owns partitions');
      for (const p of moved) {
        const s = placement.standbys.get(p)!;
        process.stdout.write(`before the kill: partition ${p} owned by server 2; its standby on server ${s.server} has applied offsets up to ${s.appliedOffset} and was at the changelog's end (${s.end}) when it last looked\n`);
      }

      // Load across the kill: acknowledged WfRuns must all end.
      const acked: string[] = [];
      let stop = false;
      const load = (async () => {
        // Bounded: at most 60 RunWf calls, and stops when told.
        for (let i = 0; i < 60 && !stop; i++) {
          try {
            await a.runWf(runRequest(`across-${i}`, i));
            acked.push(`across-${i}`);
          } catch {
            // Not acknowledged: not counted.
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await waitFor('some load before the kill', 20_000, async () => (acked.length >= 5 ? true : undefined));
      const killedAt = Date.now();
      await victim.kill9();
      const taken = await waitFor('the moved partitions to serve on the survivors', 60_000, async () => {
        const statuses = await Promise.all([statusOf(servers[0]!), statusOf(servers[1]!)]);
        const found = new Map<number, { server: number; task: Status['coreActiveTasks'][number] }>();
        statuses.forEach((st, i) => {
          for (const t of st.coreActiveTasks) if (moved.includes(t.partition) && t.state === 'serving') found.set(t.partition, { server: i, task: t });
        });
        return found.size === moved.length ? found : undefined;
      });
      const servingMs = Date.now() - killedAt;
      stop = true;
      await load;

      let restored = 0;
      let changelogOffsets = 0;
      for (const p of moved) {
        const { server, task } = taken.get(p)!;
        const standby = placement.standbys.get(p)!;
        assert.equal(server, standby.server, `partition ${p} moved to its standby`);
        assert.equal(task.wiped, false, `partition ${p} kept its standby copy`);
        assert.ok(task.restoredFromOffset !== null && task.restoredFromOffset > standby.appliedOffset, `partition ${p} restored from after the standby's checkpoint (${task.restoredFromOffset} > ${standby.appliedOffset})`);
        restored += task.restoredRecords ?? 0;
        changelogOffsets += task.changelogEndOffset ?? 0;
        process.stdout.write(`after the kill: partition ${p} serves on server ${server}: restored ${task.restoredRecords} records from offset ${task.restoredFromOffset} to ${task.changelogEndOffset} in a ${task.takeoverMs} ms takeover\n`);
      }
      process.stdout.write(`standby failover: partitions ${moved.join(',')} served ${servingMs} ms after the kill (session timeout ${SESSION_TIMEOUT_MS} ms); the new owners restored ${restored} changelog records in all, where a new owner without a local copy reads the whole changelogs (${changelogOffsets} offsets)\n`);
      assert.ok(restored < changelogOffsets, 'the standbys saved most of the restore');

      for (const id of [...ids, ...acked]) {
        const run = await waitFor(`WfRun ${id} to end`, 60_000, async () => {
          const w = await a.getWfRun({ id, parentWfRunId: undefined });
          return isTerminal(w) ? w : undefined;
        });
        if (run.status !== LHStatus.COMPLETED) {
          const tasks = await a.listTaskRuns(ListTaskRunsRequest.fromPartial({ wfRunId: { id } }));
          assert.fail(`${id} ended ${LHStatus[run.status]}: ${JSON.stringify(WfRun.toJSON(run))}\ntask runs: ${JSON.stringify(TaskRunList.toJSON(tasks))}`);
        }
      }
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`, { cause: err });
    }
  });
});
