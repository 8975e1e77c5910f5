import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaClientId, kafkaConnectionOptions, kafkaGroupId, createKafkaAdmin, createKafkaProducer, explainKafkaFailure, kafkaProducerOptions, rootCauses, type ProducerExtra } from './kafka-clients.ts';
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

/** An error shaped like the library's: a failed connection wraps its cause in "Connection to ... failed.". */
function connectionFailure(broker: string, message: string, code?: string): Error {
  const cause = Object.assign(new Error(message), code === undefined ? {} : { code });
  return Object.assign(new Error(`Connection to ${broker} failed.`, { cause }), { code: 'PLT_KFK_NETWORK' });
}
const libraryFailure = (...leaves: Error[]): AggregateError =>
  new AggregateError([new AggregateError(leaves, 'metadata failed 2 times.')], 'Listing topics failed.');

test('rootCauses finds the leaves of nested aggregate errors and causes, with the broker each one is about', () => {
  const err = libraryFailure(
    connectionFailure('kafka-0:9093', 'self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
    new Error('Connection closed'),
  );
  assert.deepEqual(rootCauses(err), [
    { message: 'self-signed certificate in certificate chain', code: 'SELF_SIGNED_CERT_IN_CHAIN', broker: 'kafka-0:9093' },
    { message: 'Connection closed', code: undefined, broker: undefined },
  ]);
  const loop = new Error('loop');
  (loop as { cause?: unknown }).cause = loop;
  assert.deepEqual(rootCauses(loop), [], 'a cycle ends the walk');
  assert.deepEqual(rootCauses('text'), [{ message: 'text', code: undefined, broker: undefined }]);
});

test('explainKafkaFailure names the broker, the TLS verdict and the keys to check', () => {
  const withCa = settings({ LHS_KAFKA_SECURITY_PROTOCOL: 'SSL', FILLY_KAFKA_CA_CERT: '/ca.pem' }).security;
  const untrusted = libraryFailure(connectionFailure('kafka-0:9093', 'self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'));
  assert.equal(explainKafkaFailure(untrusted, withCa, 'listing the Kafka topics'),
    'listing the Kafka topics failed (LHS_KAFKA_SECURITY_PROTOCOL=SSL): kafka-0:9093: self-signed certificate in certificate chain ' +
    "(SELF_SIGNED_CERT_IN_CHAIN). The broker's certificate is not signed by the CA given in FILLY_KAFKA_CA_CERT or LHS_KAFKA_TRUSTSTORE: " +
    "point it at the PEM file of the CA that signed the broker's certificate.");
  const systemCas = settings({ LHS_KAFKA_SECURITY_PROTOCOL: 'SSL' }).security;
  assert.match(explainKafkaFailure(untrusted, systemCas, 'x'), /not signed by a public CA that Node trusts by default: set FILLY_KAFKA_CA_CERT or LHS_KAFKA_TRUSTSTORE/);
  const badName = libraryFailure(connectionFailure('10.0.0.1:9093', "Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'));
  assert.match(explainKafkaFailure(badName, systemCas, 'x'), /10\.0\.0\.1:9093: .*does not list the name it was reached at/);

  // A connection closed after the handshake hints at a missing client certificate, unless one is configured.
  const closed = libraryFailure(new Error('Connection closed'), new Error('Connection closed'));
  assert.match(explainKafkaFailure(closed, systemCas, 'x'), /requires client certificates \(ssl\.client\.auth=required\), set LHS_KAFKA_KEYSTORE/);
  const withIdentity = settings({ LHS_KAFKA_SECURITY_PROTOCOL: 'SSL', LHS_KAFKA_KEYSTORE: '/id.p12', LHS_KAFKA_KEYSTORE_PASSWORD: 'pw' }).security;
  assert.equal(explainKafkaFailure(closed, withIdentity, 'x'), 'x failed (LHS_KAFKA_SECURITY_PROTOCOL=SSL): Listing topics failed. Causes: Connection closed');
  assert.match(explainKafkaFailure(new Error('mac verify failure'), withIdentity, 'x'), /LHS_KAFKA_KEYSTORE does not open with LHS_KAFKA_KEYSTORE_PASSWORD/);
  assert.match(explainKafkaFailure(new Error('Unsupported PKCS12 PFX data'), withIdentity, 'x'), /legacy algorithm \(RC2/);

  const plain = settings({}).security;
  assert.match(explainKafkaFailure(libraryFailure(new Error('Broker requires TLS.')), plain, 'x'), /: Broker requires TLS\. The broker expects TLS at this address: set LHS_KAFKA_SECURITY_PROTOCOL to SSL or SASL_SSL\.$/);
  assert.match(explainKafkaFailure(libraryFailure(connectionFailure('k:1', 'connect ECONNREFUSED k:1', 'ECONNREFUSED')), plain, 'x'), /k:1: connect ECONNREFUSED k:1 \(ECONNREFUSED\)\. Nothing accepts/);
  // Unknown causes are listed, each once, at most three.
  const unknown = libraryFailure(...['a', 'b', 'a', 'c', 'd'].map((m) => new Error(m)));
  assert.equal(explainKafkaFailure(unknown, plain, 'x'), 'x failed (LHS_KAFKA_SECURITY_PROTOCOL=PLAINTEXT): Listing topics failed. Causes: a; b; c');
});

test('the Admin explains TLS material Node cannot load, which fails before any connection', async () => {
  const admin = createKafkaAdmin(settings({ LHS_KAFKA_SECURITY_PROTOCOL: 'SSL', LHS_KAFKA_KEYSTORE: '/id.p12', LHS_KAFKA_KEYSTORE_PASSWORD: 'pw' }), 'i');
  try {
    await assert.rejects(admin.listTopics(), (e: Error) => {
      assert.match(e.message, /^listing the Kafka topics failed \(LHS_KAFKA_SECURITY_PROTOCOL=SSL\): .*LHS_KAFKA_KEYSTORE is not a PKCS12 key store/);
      assert.ok(e.cause !== undefined, 'the library error stays attached');
      return true;
    });
  } finally {
    await admin.close().catch(() => undefined);
  }
});
