import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaClientId, kafkaConnectionOptions, kafkaGroupId, createKafkaProducer, kafkaProducerOptions, type ProducerExtra } from './kafka-clients.ts';
import { parseKafkaSettings } from './kafka-settings.ts';

const files: Record<string, Buffer> = {
  '/ca.pem': Buffer.from('-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n'),
  '/id.p12': Buffer.from([0x30, 0x82, 1, 2]),
};
const readFile = (p: string): Buffer => files[p] ?? assert.fail(`unexpected read of ${p}`);
const settings = (extra: Record<string, string>) =>
  parseKafkaSettings({ LHS_KAFKA_BOOTSTRAP_SERVERS: 'kafka-0.kafka:9093,kafka-1.kafka:9093', LHS_CLUSTER_ID: 'prod', ...extra }, readFile)!;

test('PLAINTEXT: brokers, upstream-shaped client id, timeouts from the session timeout, no tls or sasl', () => {
  const o = kafkaConnectionOptions(settings({ LHS_STREAMS_SESSION_TIMEOUT: '20000', LHS_RACK_ID: 'az-b' }), '3', 'core');
  assert.deepEqual(o, {
    clientId: 'prod-3-core',
    bootstrapBrokers: ['kafka-0.kafka:9093', 'kafka-1.kafka:9093'],
    clientRack: 'az-b',
    connectTimeout: 10_000,
    requestTimeout: 15_000,
  });
  assert.equal(kafkaClientId(settings({}), 'x', 'admin'), 'prod-x-admin');
  assert.equal(kafkaGroupId(settings({}), 'core'), 'prod-core');
});

test('SSL maps the trust store to ca and a PKCS12 key store to pfx + passphrase, with SNI for host names', () => {
  const o = kafkaConnectionOptions(settings({
    LHS_KAFKA_SECURITY_PROTOCOL: 'SSL', LHS_KAFKA_TRUSTSTORE: '/ca.pem', LHS_KAFKA_KEYSTORE: '/id.p12', LHS_KAFKA_KEYSTORE_PASSWORD: 'pw',
  }), 'i', 'core');
  assert.deepEqual(o.tls, { ca: files['/ca.pem'], pfx: files['/id.p12'], passphrase: 'pw' });
  assert.equal(o.tlsServerName, true);
  assert.equal(o.sasl, undefined);
  const ip = parseKafkaSettings({ LHS_KAFKA_BOOTSTRAP_SERVERS: '10.0.0.1:9093', LHS_KAFKA_SECURITY_PROTOCOL: 'SSL' }, readFile)!;
  assert.deepEqual(kafkaConnectionOptions(ip, 'i', 'core').tls, {}, 'system CAs');
  assert.equal(kafkaConnectionOptions(ip, 'i', 'core').tlsServerName, false, 'no SNI for IP literals');
});

test('SASL_SSL maps mechanism and JAAS credentials to sasl, and keeps tls on; SASL_PLAINTEXT has no tls', () => {
  const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="svc" password="pw";';
  const o = kafkaConnectionOptions(settings({
    LHS_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', LHS_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', LHS_KAFKA_SASL_JAAS_CONFIG: jaas,
  }), 'i', 'core');
  assert.deepEqual(o.sasl, { mechanism: 'SCRAM-SHA-256', username: 'svc', password: 'pw' });
  assert.deepEqual(o.tls, {});
  const plain = kafkaConnectionOptions(settings({
    LHS_KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', LHS_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', LHS_KAFKA_SASL_JAAS_CONFIG: jaas,
  }), 'i', 'core');
  assert.equal(plain.tls, undefined);
  assert.equal(plain.sasl?.mechanism, 'SCRAM-SHA-512');
});

test('producers are idempotent with acks=all whatever the extra options say', async () => {
  const extra = { idempotent: false, acks: 1, lingerMs: 5 } as unknown as ProducerExtra<Buffer, Buffer, Buffer, Buffer>;
  const options = kafkaProducerOptions(settings({}), 'i', 'producer', extra);
  assert.equal(options.idempotent, true);
  assert.equal(options.acks, -1);
  assert.equal(options.clientId, 'prod-i-producer');
  const p = createKafkaProducer(settings({}), 'i', 'producer');
  try {
    assert.equal(p.clientId, 'prod-i-producer');
  } finally {
    await p.close();
  }
});
