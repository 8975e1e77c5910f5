import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../config/config.ts';
import { parseKafkaSettings } from './kafka-settings.ts';
import { parseJaasConfig } from './kafka-security-settings.ts';

const PEM_CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const PEM_KEY = Buffer.from('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
const P12 = Buffer.from([0x30, 0x82, 0x0a, 0x01, 0x02, 0x03]);
const files: Record<string, Buffer> = {
  '/ca.pem': PEM_CA,
  '/client.pem': Buffer.concat([PEM_CA, PEM_KEY]),
  '/key.pem': PEM_KEY,
  '/ks.p12': P12,
  '/ts.p12': P12,
  '/pw.txt': Buffer.from('s3cret\n'),
  '/jaas.txt': Buffer.from('org.apache.kafka.common.security.scram.ScramLoginModule required username="filly" password="pw";\n'),
};
const readFile = (p: string): Buffer => {
  const b = files[p];
  if (b === undefined) throw new Error(`ENOENT: no such file '${p}'`);
  return b;
};
const BOOT = { LHS_KAFKA_BOOTSTRAP_SERVERS: 'k1:9092, k2:9093' };

function refuses(settings: Record<string, string>, message: RegExp): void {
  assert.throws(() => parseKafkaSettings(settings, readFile), (e: unknown) => {
    assert.ok(e instanceof ConfigError, `a ConfigError, got ${String(e)}`);
    assert.match(e.message, message);
    return true;
  });
}

test('no bootstrap servers means embedded mode: no kafka settings, none in ServerConfig', () => {
  assert.equal(parseKafkaSettings({}, readFile), undefined);
  assert.equal('kafka' in parseConfig({}), false);
  assert.equal(parseConfig({ LHS_KAFKA_BOOTSTRAP_SERVERS: 'k:9092' }).kafka?.bootstrapServers[0], 'k:9092');
});

test('defaults are upstream defaults', () => {
  const k = parseKafkaSettings(BOOT, readFile)!;
  assert.deepEqual(k.bootstrapServers, ['k1:9092', 'k2:9093']);
  assert.equal(k.clusterId, 'cluster1');
  assert.equal(k.partitionCount, 12);
  assert.equal(k.replicationFactor, 1);
  assert.equal(k.shouldCreateTopics, true);
  assert.equal(k.internalBindPort, 2011);
  assert.equal(k.internalAdvertisedHost, 'localhost');
  assert.equal(k.internalAdvertisedPort, 2011);
  assert.equal(k.numStandbyReplicas, 0);
  assert.equal(k.instanceOrdinal, undefined);
  assert.equal(k.sessionTimeoutMs, 10_000);
  assert.equal(k.commitIntervalMs, 500);
  assert.deepEqual(k.security, { protocol: 'PLAINTEXT' });
});

test('every key is read', () => {
  const k = parseKafkaSettings({
    ...BOOT,
    LHS_CLUSTER_ID: 'prod-a',
    LHS_CLUSTER_PARTITIONS: '24',
    LHS_REPLICATION_FACTOR: '3',
    LHS_SHOULD_CREATE_TOPICS: 'FALSE',
    LHS_INTERNAL_BIND_PORT: '3011',
    LHS_INTERNAL_ADVERTISED_HOST: 'filly-0.filly',
    LHS_STREAMS_NUM_STANDBY_REPLICAS: '1',
    LHS_INSTANCE_ID: '2',
    LHS_RACK_ID: 'az-1',
    LHS_STREAMS_SESSION_TIMEOUT: '15000',
    LHS_CORE_STREAMS_COMMIT_INTERVAL: '100',
    LHS_KAFKA_LINGER_MS: '5',
  }, readFile)!;
  assert.deepEqual(
    [k.clusterId, k.partitionCount, k.replicationFactor, k.shouldCreateTopics, k.internalBindPort, k.internalAdvertisedHost,
      k.internalAdvertisedPort, k.numStandbyReplicas, k.instanceOrdinal, k.rackId, k.sessionTimeoutMs, k.commitIntervalMs, k.lingerMs],
    ['prod-a', 24, 3, false, 3011, 'filly-0.filly', 3011, 1, 2, 'az-1', 15_000, 100, 5]);
  assert.equal(parseKafkaSettings({ ...BOOT, LHS_INTERNAL_ADVERTISED_PORT: '443' }, readFile)!.internalAdvertisedPort, 443);
});

test('bad values are refused naming their key', () => {
  refuses({ LHS_KAFKA_BOOTSTRAP_SERVERS: 'k1' }, /LHS_KAFKA_BOOTSTRAP_SERVERS: "k1" is not host:port/);
  refuses({ LHS_KAFKA_BOOTSTRAP_SERVERS: ' , ' }, /LHS_KAFKA_BOOTSTRAP_SERVERS names no broker/);
  refuses({ ...BOOT, LHS_CLUSTER_ID: 'a/b' }, /LHS_CLUSTER_ID/);
  refuses({ ...BOOT, LHS_CLUSTER_PARTITIONS: '0' }, /LHS_CLUSTER_PARTITIONS=0/);
  refuses({ ...BOOT, LHS_REPLICATION_FACTOR: '1.5' }, /LHS_REPLICATION_FACTOR/);
  refuses({ ...BOOT, LHS_SHOULD_CREATE_TOPICS: 'yes' }, /LHS_SHOULD_CREATE_TOPICS=yes is not true or false/);
  refuses({ ...BOOT, LHS_INSTANCE_ID: '-1' }, /LHS_INSTANCE_ID/);
  refuses({ ...BOOT, LHS_INTERNAL_ADVERTISED_PORT: '70000' }, /LHS_INTERNAL_ADVERTISED_PORT/);
  refuses({ ...BOOT, LHS_STREAMS_SESSION_TIMEOUT: 'soon' }, /LHS_STREAMS_SESSION_TIMEOUT/);
});

test('security protocol: PLAINTEXT refuses security keys, unknown protocols are refused', () => {
  refuses({ ...BOOT, LHS_KAFKA_SECURITY_PROTOCOL: 'TLS' }, /LHS_KAFKA_SECURITY_PROTOCOL=TLS is not one of/);
  refuses({ ...BOOT, LHS_KAFKA_TRUSTSTORE: '/ca.pem' }, /LHS_KAFKA_TRUSTSTORE is set but LHS_KAFKA_SECURITY_PROTOCOL=PLAINTEXT/);
  refuses({ ...BOOT, LHS_KAFKA_SECURITY_PROTOCOL: 'SSL', LHS_KAFKA_SASL_MECHANISM: 'PLAIN' }, /LHS_KAFKA_SASL_MECHANISM is set but .*=SSL/);
  refuses({ ...BOOT, LHS_KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', LHS_KAFKA_SASL_MECHANISM: 'PLAIN', FILLY_KAFKA_SASL_USERNAME: 'u',
    FILLY_KAFKA_SASL_PASSWORD: 'p', FILLY_KAFKA_CA_CERT: '/ca.pem' }, /FILLY_KAFKA_CA_CERT is set/);
});

test('SSL: PEM trust store, PKCS12 or PEM key store, Filly PEM keys', () => {
  const ssl = { ...BOOT, LHS_KAFKA_SECURITY_PROTOCOL: 'ssl' };
  assert.deepEqual(parseKafkaSettings(ssl, readFile)!.security, { protocol: 'SSL', tls: {} });
  const p12 = parseKafkaSettings({ ...ssl, LHS_KAFKA_TRUSTSTORE: '/ca.pem', LHS_KAFKA_TRUSTSTORE_PASSWORD: 'ignored',
    LHS_KAFKA_KEYSTORE: '/ks.p12', LHS_KAFKA_KEYSTORE_PASSWORD_FILE: '/pw.txt' }, readFile)!.security.tls!;
  assert.deepEqual(p12, { ca: PEM_CA, pfx: P12, passphrase: 's3cret' });
  const pem = parseKafkaSettings({ ...ssl, LHS_KAFKA_KEYSTORE: '/client.pem' }, readFile)!.security.tls!;
  assert.equal(pem.cert, files['/client.pem']);
  assert.equal(pem.key, files['/client.pem']);
  const filly = parseKafkaSettings({ ...ssl, FILLY_KAFKA_CA_CERT: '/ca.pem', FILLY_KAFKA_CLIENT_CERT: '/ca.pem',
    FILLY_KAFKA_CLIENT_KEY: '/key.pem' }, readFile)!.security.tls!;
  assert.deepEqual(filly, { ca: PEM_CA, cert: PEM_CA, key: PEM_KEY });

  refuses({ ...ssl, LHS_KAFKA_KEYSTORE: '/ks.p12' }, /LHS_KAFKA_KEYSTORE is a PKCS12 file: set LHS_KAFKA_KEYSTORE_PASSWORD/);
  refuses({ ...ssl, LHS_KAFKA_TRUSTSTORE: '/ts.p12' }, /LHS_KAFKA_TRUSTSTORE=\/ts.p12 is not PEM.*openssl pkcs12/);
  refuses({ ...ssl, LHS_KAFKA_TRUSTSTORE: '/missing.pem' }, /LHS_KAFKA_TRUSTSTORE=\/missing.pem cannot be read/);
  refuses({ ...ssl, LHS_KAFKA_KEYSTORE_PASSWORD: 'a', LHS_KAFKA_KEYSTORE_PASSWORD_FILE: '/pw.txt' }, /Cannot set both LHS_KAFKA_KEYSTORE_PASSWORD and/);
  refuses({ ...ssl, FILLY_KAFKA_CLIENT_CERT: '/ca.pem' }, /FILLY_KAFKA_CLIENT_CERT and FILLY_KAFKA_CLIENT_KEY must be set together/);
  refuses({ ...ssl, FILLY_KAFKA_CA_CERT: '/ks.p12' }, /FILLY_KAFKA_CA_CERT=\/ks.p12 is not a PEM file/);
});

test('SASL: mechanism and credentials from a JAAS line, a JAAS file or Filly keys', () => {
  const sasl = { ...BOOT, LHS_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', LHS_KAFKA_SASL_MECHANISM: 'PLAIN' };
  const jaas = parseKafkaSettings({ ...sasl, LHS_KAFKA_SASL_JAAS_CONFIG:
    'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="p\\"w;x";' }, readFile)!.security;
  assert.deepEqual(jaas, { protocol: 'SASL_SSL', tls: {}, sasl: { mechanism: 'PLAIN', username: 'alice', password: 'p"w;x' } });
  const scram = parseKafkaSettings({ ...sasl, LHS_KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', LHS_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    LHS_KAFKA_SASL_JAAS_CONFIG_FILE: '/jaas.txt' }, readFile)!.security;
  assert.deepEqual(scram, { protocol: 'SASL_PLAINTEXT', sasl: { mechanism: 'SCRAM-SHA-512', username: 'filly', password: 'pw' } });
  const keys = parseKafkaSettings({ ...sasl, FILLY_KAFKA_SASL_USERNAME: 'bob', FILLY_KAFKA_SASL_PASSWORD_FILE: '/pw.txt' }, readFile)!;
  assert.deepEqual(keys.security.sasl, { mechanism: 'PLAIN', username: 'bob', password: 's3cret' });

  refuses({ ...sasl, LHS_KAFKA_SASL_MECHANISM: '' }, /set LHS_KAFKA_SASL_MECHANISM/);
  refuses({ ...sasl, LHS_KAFKA_SASL_MECHANISM: 'GSSAPI' }, /LHS_KAFKA_SASL_MECHANISM=GSSAPI is not supported/);
  refuses(sasl, /SASL needs credentials/);
  refuses({ ...sasl, LHS_KAFKA_SASL_JAAS_CONFIG_FILE: '/jaas.txt' }, /LHS_KAFKA_SASL_JAAS_CONFIG_FILE uses .*ScramLoginModule, but mechanism PLAIN needs/);
  refuses({ ...sasl, LHS_KAFKA_SASL_JAAS_CONFIG: 'org.apache.kafka.common.security.plain.PlainLoginModule required username="a";' },
    /LHS_KAFKA_SASL_JAAS_CONFIG must give username/);
  refuses({ ...sasl, LHS_KAFKA_SASL_JAAS_CONFIG: 'username="a"' }, /LHS_KAFKA_SASL_JAAS_CONFIG is not a JAAS login line/);
});

test('JAAS lines: unquoted values and garbage after the options', () => {
  const { module, options } = parseJaasConfig('a.B required username=u password="x y" ;', 'K');
  assert.equal(module, 'a.B');
  assert.deepEqual([...options], [['username', 'u'], ['password', 'x y']]);
  assert.throws(() => parseJaasConfig('a.B required username="u" !!', 'K'), /K: cannot read the options/);
});
