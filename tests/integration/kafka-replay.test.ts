// Kafka mode keeps nothing that the changelogs do not: wiping an instance's local store and
// starting it again rebuilds exactly the same store, and the rebuilt instance carries on.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LHStatus, type VariableValue } from '@filly/proto';
import { RocksKv } from '../../packages/server/src/store/rocks-kv.ts';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { connect, type TestClient } from '../harness/grpc-client.ts';
import { startTestWorker, type TestWorker } from '../harness/test-worker.ts';
import { isTerminal, linearSpec, putTaskDef, taskNode, varDef, varRef, waitForWfRun } from '../harness/specs.ts';
import { startKafkaBroker, type KafkaBroker } from '../harness/kafka-broker.ts';
import { gateOnTools } from '../harness/tools.ts';

const gate = process.env['KAFKA_BOOTSTRAP'] ? { skip: false as const, failure: undefined } : gateOnTools('the kafka-mode replay test', ['java', 'mvn']);
const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });

let broker: KafkaBroker | undefined;
let server: ServerProcess | undefined;
let client: TestClient | undefined;
let worker: TestWorker | undefined;

after(async () => {
  worker?.stop();
  client?.close();
  await server?.stop();
  await broker?.stop();
});

/**
 * Every key of the local store, as hex values, but the local-only changelog checkpoints and the
 * metadata input position (each start applies one more InitializeCluster command).
 */
async function dump(dir: string): Promise<Map<string, string>> {
  const kv = await RocksKv.open(dir);
  try {
    const rows = await kv.scan({ prefix: '', limit: 1_000_000 });
    return new Map(rows.filter((r) => !r.key.startsWith('s/kafka/changelog/') && r.key !== 's/kafka/input/metadata').map((r) => [r.key, Buffer.from(r.value).toString('hex')]));
  } finally {
    await kv.close();
  }
}

test('a wiped instance rebuilds an identical store from the changelogs and carries on', { skip: gate.skip, timeout: 300_000 }, async () => {
  if (gate.failure !== undefined) assert.fail(gate.failure);
  broker = await startKafkaBroker();
  const clusterId = `r${randomUUID().slice(0, 8)}`;
  server = await startServer({
    env: { LHS_KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap, LHS_CLUSTER_ID: clusterId, LHS_CLUSTER_PARTITIONS: '4', LHS_INTERNAL_ADVERTISED_HOST: '127.0.0.1', LHS_STREAMS_SESSION_TIMEOUT: '6000' },
    readyTimeoutMs: 120_000,
  });
  client = connect(server.address);
  await putTaskDef(client, 'replay-echo', [['text', 'STR']], 'STR');
  await client.call.putExternalEventDef({ name: 'replay-go', retentionPolicy: undefined, contentType: undefined, correlatedEventConfig: undefined });
  worker = startTestWorker(client, 'replay-echo', (t) => {
    const text = t.variables[0]?.value?.value;
    return { kind: 'success', output: str(`${text?.$case === 'str' ? text.value : '?'}!`) };
  }, { credits: 4 });
  await client.call.putWfSpec(linearSpec('replay-flow', [
    ['1-replay-echo-TASK', taskNode('replay-echo', [varRef('text')])],
    ['2-replay-go-EXTERNAL_EVENT', { externalEvent: { externalEventDefId: { name: 'replay-go' } } }],
  ], [varDef('text', 'STR', { required: true })]));
  for (let i = 0; i < 12; i++) await client.call.runWf({ wfSpecName: 'replay-flow', id: `replay-${i}`, variables: { text: str(`t${i}`) } });
  for (let i = 0; i < 6; i++) await client.call.putExternalEvent({ wfRunId: { id: `replay-${i}` }, externalEventDefId: { name: 'replay-go' }, content: str('go') });
  for (let i = 0; i < 6; i++) assert.equal((await waitForWfRun(client, `replay-${i}`, isTerminal, 30_000)).status, LHStatus.COMPLETED);
  // The other six wait at their external event node: their task ran, so they have a TaskRun.
  for (let i = 6; i < 12; i++) await waitForWfRun(client, `replay-${i}`, (w) => (w.threadRuns[0]?.currentNodePosition ?? 0) >= 2, 30_000);
  worker.stop();
  worker = undefined;

  await server.stop();
  const storeDir = path.join(server.dataDir, 'kafka', clusterId);
  const before = await dump(storeDir);
  assert.ok(before.size > 50, `the store holds the run's state (${before.size} keys)`);
  fs.rmSync(storeDir, { recursive: true, force: true });

  await server.restart();
  client.close();
  client = connect(server.address);
  const waiting = await client.call.getWfRun({ id: 'replay-7' });
  assert.equal(waiting.status, LHStatus.RUNNING);
  await server.stop();
  const after = await dump(storeDir);
  const missing = [...before.keys()].filter((k) => !after.has(k));
  const extra = [...after.keys()].filter((k) => !before.has(k));
  const changed = [...before.keys()].filter((k) => after.has(k) && after.get(k) !== before.get(k));
  assert.deepEqual({ missing: missing.slice(0, 10), extra: extra.slice(0, 10), changed: changed.slice(0, 10) }, { missing: [], extra: [], changed: [] });

  await server.restart();
  client.close();
  client = connect(server.address);
  await client.call.putExternalEvent({ wfRunId: { id: 'replay-7' }, externalEventDefId: { name: 'replay-go' }, content: str('go') });
  assert.equal((await waitForWfRun(client, 'replay-7', isTerminal, 30_000)).status, LHStatus.COMPLETED);
});
