// Kafka-mode building blocks against a real broker: clients built from LHS_* settings connect
// (PLAINTEXT), ensureTopics creates upstream's topics with the right partitions and cleanup
// policy, and refuses to start on a missing or mis-sized topic.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, stringDeserializers, stringSerializers, type Admin } from '@platformatic/kafka';
import { gateOnTools } from '../harness/tools.ts';
import { startKafkaBroker, type KafkaBroker } from '../harness/kafka-broker.ts';
import { parseKafkaSettings, type KafkaSettings } from '../../packages/server/src/cluster/kafka-settings.ts';
import { createKafkaAdmin, createKafkaConsumer, createKafkaProducer, kafkaGroupId } from '../../packages/server/src/cluster/kafka-clients.ts';
import { ensureTopics, expectedTopics, TopicMismatchError } from '../../packages/server/src/cluster/topics.ts';

const gate = process.env['KAFKA_BOOTSTRAP'] ? { skip: false as const, failure: undefined } : gateOnTools('the Kafka topics test', ['java', 'mvn']);
const T = { skip: gate.skip, timeout: 180_000 };
const silent = { info: (): void => undefined };

let broker: KafkaBroker | undefined;
let admin: Admin | undefined;

before(async () => {
  if (gate.skip !== false) return;
  if (gate.failure !== undefined) assert.fail(gate.failure);
  broker = await startKafkaBroker();
  admin = createKafkaAdmin(settingsFor('harness'), 'test');
}, { timeout: 240_000 });

after(async () => {
  await admin?.close().catch(() => undefined);
  await broker?.stop();
});

/** A fresh cluster id per test, so topics of one test never meet another's. */
function settingsFor(clusterId: string, extra: Record<string, string> = {}): KafkaSettings {
  const s = parseKafkaSettings({ LHS_KAFKA_BOOTSTRAP_SERVERS: broker!.bootstrap, LHS_CLUSTER_ID: clusterId, ...extra });
  assert.ok(s);
  return s;
}
const freshId = (): string => `t-${randomUUID().slice(0, 8)}`;

async function withBrokerLog<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbroker output:\n${broker?.logTail() ?? ''}`, { cause: err });
  }
}

test('clients built from PLAINTEXT settings produce and consume', T, () => withBrokerLog(async () => {
  const settings = settingsFor(freshId(), { LHS_CLUSTER_PARTITIONS: '2' });
  await ensureTopics(settings, admin!, silent);
  const topic = `${settings.clusterId}-core-cmd`;
  const producer = createKafkaProducer<string, string, string, string>(settings, 'i0', 'producer', { serializers: stringSerializers });
  const consumer = createKafkaConsumer<string, string, string, string>(settings, 'i0', 'core', kafkaGroupId(settings, 'core'),
    { deserializers: stringDeserializers, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  try {
    assert.equal(producer.clientId, `${settings.clusterId}-i0-producer`);
    await producer.send({ messages: [{ topic, key: 'k', value: 'hello', partition: 1 }] });
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 200 });
    const deadline = Date.now() + 60_000;
    let seen: string | undefined;
    for await (const message of stream) {
      seen = message.value;
      if (seen === 'hello' || Date.now() > deadline) break;
    }
    await stream.close();
    assert.equal(seen, 'hello');
  } finally {
    await consumer.close(true).catch(() => undefined);
    await producer.close().catch(() => undefined);
  }
}));

test('ensureTopics creates upstream\'s topics with their partitions and cleanup policies, once', T, () => withBrokerLog(async () => {
  const settings = settingsFor(freshId(), { LHS_CLUSTER_PARTITIONS: '3' });
  const created = await ensureTopics(settings, admin!, silent);
  const expected = expectedTopics(settings.clusterId, 3);
  assert.deepEqual([...created].sort(), expected.map((t) => t.name).sort());
  const metadata = await admin!.metadata({ topics: expected.map((t) => t.name), forceUpdate: true });
  for (const spec of expected) assert.equal(metadata.topics.get(spec.name)?.partitionsCount, spec.partitions, spec.name);
  assert.equal(metadata.topics.get(`${settings.clusterId}-metadata-cmd`)?.partitionsCount, 1);

  const configs = await admin!.describeConfigs({
    resources: expected.map((t) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName: t.name, configurationKeys: ['cleanup.policy'] })),
  });
  for (const spec of expected) {
    const policy = configs.find((c) => c.resourceName === spec.name)?.configs.find((c) => c.name === 'cleanup.policy')?.value;
    assert.equal(policy, spec.compacted ? 'compact' : 'delete', spec.name);
  }
  assert.deepEqual(await ensureTopics(settings, admin!, silent), [], 'a second start creates nothing');
}));

test('a topic with the wrong partition count refuses the start, naming topic and counts', T, () => withBrokerLog(async () => {
  const settings = settingsFor(freshId(), { LHS_CLUSTER_PARTITIONS: '2' });
  const timers = `${settings.clusterId}-timers`;
  await admin!.createTopics({ topics: [timers], partitions: 5, replicas: 1 });
  await assert.rejects(ensureTopics(settings, admin!, silent), (e: unknown) => {
    assert.ok(e instanceof TopicMismatchError);
    assert.match(e.message, new RegExp(`Kafka topic ${timers} has 5 partitions, expected 2`));
    return true;
  });
  // The same topics seen by a cluster configured with 5 partitions: the others are now wrong.
  const other = settingsFor(settings.clusterId, { LHS_CLUSTER_PARTITIONS: '5' });
  await assert.rejects(ensureTopics(other, admin!, silent), /has 2 partitions, expected 5/);
}));

test('with LHS_SHOULD_CREATE_TOPICS=false a missing topic refuses the start', T, () => withBrokerLog(async () => {
  const settings = settingsFor(freshId(), { LHS_CLUSTER_PARTITIONS: '2', LHS_SHOULD_CREATE_TOPICS: 'false' });
  await assert.rejects(ensureTopics(settings, admin!, silent),
    new RegExp(`Kafka topic ${settings.clusterId}-core-cmd does not exist \\(expected 2 partitions\\) and LHS_SHOULD_CREATE_TOPICS=false`));
  const names = (await admin!.listTopics()).filter((n) => n.startsWith(settings.clusterId));
  assert.deepEqual(names, [], 'nothing was created');
  // Created by an operator instead: the start is accepted.
  for (const spec of expectedTopics(settings.clusterId, 2)) {
    await admin!.createTopics({ topics: [spec.name], partitions: spec.partitions, replicas: 1,
      configs: spec.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [] });
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      assert.deepEqual(await ensureTopics(settings, admin!, silent), []);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}));
