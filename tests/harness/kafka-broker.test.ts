// The broker the kafka-mode tests rely on: it starts from Maven Central artifacts, accepts a
// transactional producer, hides an aborted transaction from a read_committed consumer, and stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, Consumer, FetchIsolationLevels, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { gateOnTools } from './tools.ts';
import { startKafkaBroker } from './kafka-broker.ts';

const gate = process.env['KAFKA_BOOTSTRAP'] ? { skip: false as const, failure: undefined } : gateOnTools('the Kafka broker test', ['java', 'mvn']);

test('a single-node KRaft broker runs transactions for read_committed consumers', { skip: gate.skip, timeout: 240_000 }, async () => {
  if (gate.failure !== undefined) assert.fail(gate.failure);
  const broker = await startKafkaBroker();
  const admin = new Admin({ clientId: 'harness-admin', bootstrapBrokers: [broker.bootstrap] });
  const producer = new Producer({
    clientId: 'harness-producer',
    bootstrapBrokers: [broker.bootstrap],
    serializers: stringSerializers,
    idempotent: true,
    transactionalId: 'harness-tx',
  });
  const consumer = new Consumer({
    groupId: 'harness-group',
    clientId: 'harness-consumer',
    bootstrapBrokers: [broker.bootstrap],
    deserializers: stringDeserializers,
  });
  try {
    const topic = `harness-${process.pid}`;
    await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });

    const aborted = await producer.beginTransaction();
    await aborted.send({ messages: [{ topic, key: 'k', value: 'rolled-back', partition: 0 }] });
    await aborted.abort();
    const committed = await producer.beginTransaction();
    await committed.send({ messages: [{ topic, key: 'k', value: 'kept', partition: 0 }] });
    await committed.commit();

    const stream = await consumer.consume({
      topics: [topic],
      mode: 'earliest',
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      autocommit: false,
      maxWaitTime: 200,
    });
    const seen: string[] = [];
    const deadline = Date.now() + 60_000;
    for await (const message of stream) {
      seen.push(String(message.value));
      if (seen.includes('kept') || Date.now() > deadline) break;
    }
    await stream.close();
    assert.deepEqual(seen, ['kept'], 'the aborted record is invisible to read_committed');
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbroker output:\n${broker.logTail()}`, { cause: err });
  } finally {
    await consumer.close(true).catch(() => undefined);
    await producer.close().catch(() => undefined);
    await admin.close().catch(() => undefined);
    await broker.stop();
  }
});
