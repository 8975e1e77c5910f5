// Kafka over TLS against a real broker: one KRaft node of its own with a server-authenticated SSL
// listener, a listener that requires client certificates, and a SASL_SSL listener, all signed by a
// CA made for this run (tests/harness/kafka-broker.ts). A Filly server runs a WfRun to completion
// over SSL and over mutual TLS, the other ways of giving the same material are accepted by the
// brokers, and a server that does not trust the broker's CA stops at start-up saying why.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Admin } from '@platformatic/kafka';
import { LHStatus, type VariableValue } from '@filly/proto';
import { startKafkaBroker, type KafkaBroker, type KafkaTlsEndpoints } from '../harness/kafka-broker.ts';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { connect } from '../harness/grpc-client.ts';
import { startTestWorker } from '../harness/test-worker.ts';
import { isTerminal, linearSpec, putTaskDef, taskNode, varDef, varRef, waitForWfRun } from '../harness/specs.ts';
import { gateOnTools } from '../harness/tools.ts';
import { parseKafkaSettings } from '../../packages/server/src/cluster/kafka-settings.ts';
import { createKafkaAdmin, explainKafkaFailure, kafkaConnectionOptions } from '../../packages/server/src/cluster/kafka-clients.ts';
import { ensureTopics, expectedTopics } from '../../packages/server/src/cluster/topics.ts';

// KAFKA_BOOTSTRAP is not used: an external broker cannot be given this run's CA, so the TLS
// broker is always started here and only missing tools skip the test.
const gate = gateOnTools('the Kafka TLS test', ['java', 'mvn', 'openssl', 'keytool']);
const SASL_USER = { username: 'filly-tls', password: 'filly-tls-secret' };
const SERVER_READY_TIMEOUT_MS = 60_000;

let broker: KafkaBroker | undefined;

before(async () => {
  if (gate.skip === false && gate.failure === undefined) broker = await startKafkaBroker(process.env, { tls: { saslSslUser: SASL_USER } });
});

after(async () => {
  await broker?.stop();
});

function endpoints(): KafkaTlsEndpoints {
  if (gate.failure !== undefined) assert.fail(gate.failure);
  assert.ok(broker?.tls, 'the TLS broker is running');
  return broker.tls;
}

/** What a server in kafka mode needs besides the security keys; a cluster id of its own. */
function clusterEnv(bootstrap: string): Record<string, string> {
  return {
    LHS_KAFKA_BOOTSTRAP_SERVERS: bootstrap,
    LHS_CLUSTER_ID: `tls-${randomUUID().slice(0, 8)}`,
    LHS_CLUSTER_PARTITIONS: '2',
    LHS_INTERNAL_ADVERTISED_HOST: '127.0.0.1',
    LHS_STREAMS_SESSION_TIMEOUT: '6000',
  };
}

const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });

/** Registers a one-task workflow on the server, runs it, and returns the finished WfRun's task output. */
async function runOneWorkflow(server: ServerProcess, name: string): Promise<string> {
  const client = connect(server.address);
  const worker = startTestWorker(client, `${name}-task`, (t) => {
    const input = t.variables[0]?.value?.value;
    return { kind: 'success', output: str(`hello ${input?.$case === 'str' ? input.value : '?'}`) };
  });
  try {
    await putTaskDef(client, `${name}-task`, [['who', 'STR']], 'STR');
    await client.call.putWfSpec(linearSpec(name, [[`1-${name}-task-TASK`, taskNode(`${name}-task`, [varRef('who')])]],
      [varDef('who', 'STR', { required: true })]));
    await client.call.runWf({ wfSpecName: name, id: `${name}-1`, variables: { who: str('tls') } });
    const run = await waitForWfRun(client, `${name}-1`, isTerminal, 30_000);
    assert.equal(run.status, LHStatus.COMPLETED, `WfRun ${name}-1 ended ${LHStatus[run.status]}`);
    const taskRun = await client.call.getTaskRun({ wfRunId: { id: `${name}-1` }, taskGuid: worker.received[0]?.taskRunId?.taskGuid ?? '' });
    const result = taskRun.attempts.at(-1)?.result;
    const output = result?.$case === 'output' ? result.value.value : undefined;
    return output?.$case === 'str' ? output.value : '';
  } finally {
    worker.stop();
    client.close();
  }
}

async function withServer<T>(env: Record<string, string>, use: (server: ServerProcess) => Promise<T>): Promise<T> {
  const server = await startServer({ env, readyTimeoutMs: SERVER_READY_TIMEOUT_MS });
  try {
    return await use(server);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nserver output:\n${server.logs().slice(-6000)}\nbroker output:\n${broker?.logTail(30) ?? ''}`, { cause: err });
  } finally {
    await server.stop();
  }
}

/** Lists the topics through the server's own Admin factory with these settings. */
async function listTopicsWith(env: Record<string, string>): Promise<string[]> {
  const admin = createKafkaAdmin(parseKafkaSettings({ LHS_CLUSTER_ID: 'tls-probe', ...env })!, 'tls-probe');
  try {
    return await admin.listTopics();
  } finally {
    await admin.close().catch(() => undefined);
  }
}

test('SSL: a server that trusts the broker through upstream\'s LHS_KAFKA_TRUSTSTORE (PEM) runs a WfRun', { skip: gate.skip, timeout: 120_000 }, async () => {
  const tls = endpoints();
  // The listener speaks TLS only: the same address refuses a PLAINTEXT client.
  await assert.rejects(listTopicsWith({ LHS_KAFKA_BOOTSTRAP_SERVERS: tls.ssl }), /Broker requires TLS\. The broker expects TLS/);
  const output = await withServer({
    ...clusterEnv(tls.ssl),
    LHS_KAFKA_SECURITY_PROTOCOL: 'SSL',
    LHS_KAFKA_TRUSTSTORE: tls.pki.caCert,
    // Upstream requires a trust store password; a PEM file has none, and Filly ignores it.
    LHS_KAFKA_TRUSTSTORE_PASSWORD: 'unused-for-pem',
  }, (server) => runOneWorkflow(server, 'tls-ssl'));
  assert.equal(output, 'hello tls');
});

test('mutual TLS: a keytool-written PKCS12 LHS_KAFKA_KEYSTORE is accepted where client certificates are required', { skip: gate.skip, timeout: 120_000 }, async () => {
  const tls = endpoints();
  const ssl = { LHS_KAFKA_BOOTSTRAP_SERVERS: tls.mtls, LHS_KAFKA_SECURITY_PROTOCOL: 'SSL', FILLY_KAFKA_CA_CERT: tls.pki.caCert };

  // Without a client certificate the broker drops the connection once the handshake is done.
  // The probe does not retry (the server's Admin retries for ~15 s), and its error is explained
  // as the server would explain it.
  const settings = parseKafkaSettings({ LHS_CLUSTER_ID: 'tls-probe', ...ssl })!;
  const bare = new Admin({ ...kafkaConnectionOptions(settings, 'tls-probe', 'admin'), retries: 0 });
  try {
    const refused = await bare.listTopics().then(() => undefined, (e: unknown) => e);
    assert.ok(refused !== undefined, 'a client without a certificate is refused');
    assert.match(explainKafkaFailure(refused, settings.security, 'listing'), /requires client certificates .* set LHS_KAFKA_KEYSTORE, or FILLY_KAFKA_CLIENT_CERT/);
  } finally {
    await bare.close().catch(() => undefined);
  }

  // Every form of client identity Filly reads: PEM cert + key, a PEM bundle with an encrypted
  // key, and an openssl-written PKCS12 file.
  await listTopicsWith({ ...ssl, FILLY_KAFKA_CLIENT_CERT: tls.pki.clientCert, FILLY_KAFKA_CLIENT_KEY: tls.pki.clientKey });
  await listTopicsWith({ ...ssl, LHS_KAFKA_KEYSTORE: tls.pki.clientEncryptedBundle, LHS_KAFKA_KEYSTORE_PASSWORD: tls.pki.p12Password });
  await listTopicsWith({ ...ssl, LHS_KAFKA_KEYSTORE: tls.pki.clientP12, LHS_KAFKA_KEYSTORE_PASSWORD: tls.pki.p12Password });

  // The server, with the key store as upstream users make it (Java's keytool, PKCS12), on a
  // listener reached by host name (certificate name check and SNI).
  const output = await withServer({
    ...clusterEnv(tls.mtls),
    LHS_KAFKA_SECURITY_PROTOCOL: 'SSL',
    FILLY_KAFKA_CA_CERT: tls.pki.caCert,
    LHS_KAFKA_KEYSTORE: tls.pki.clientJavaP12,
    LHS_KAFKA_KEYSTORE_PASSWORD: tls.pki.p12Password,
  }, (server) => runOneWorkflow(server, 'tls-mtls'));
  assert.equal(output, 'hello tls');
});

test('SASL_SSL: PLAIN credentials over TLS create the cluster\'s topics; a wrong password is refused by name', { skip: gate.skip, timeout: 120_000 }, async () => {
  const tls = endpoints();
  const env = (password: string): Record<string, string> => ({
    LHS_KAFKA_BOOTSTRAP_SERVERS: tls.saslSsl!,
    LHS_CLUSTER_ID: `tls-sasl-${randomUUID().slice(0, 8)}`,
    LHS_CLUSTER_PARTITIONS: '2',
    LHS_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    LHS_KAFKA_TRUSTSTORE: tls.pki.caCert,
    LHS_KAFKA_SASL_MECHANISM: 'PLAIN',
    LHS_KAFKA_SASL_JAAS_CONFIG: `org.apache.kafka.common.security.plain.PlainLoginModule required username="${SASL_USER.username}" password="${password}";`,
  });
  const settings = parseKafkaSettings(env(SASL_USER.password))!;
  const admin = createKafkaAdmin(settings, 'tls-sasl');
  try {
    const created = await ensureTopics(settings, admin, { info: () => undefined });
    assert.equal(created.length, expectedTopics(settings.clusterId, 2).length);
  } finally {
    await admin.close().catch(() => undefined);
  }
  await assert.rejects(listTopicsWith(env('wrong')), /SASL authentication failed\. The broker refused the SASL credentials/);
});

test('a server that does not trust the broker\'s CA stops at start-up, naming the certificate problem and the key', { skip: gate.skip, timeout: 120_000 }, async () => {
  const tls = endpoints();
  const started = Date.now();
  const failure = await startServer({
    env: { ...clusterEnv(tls.ssl), LHS_KAFKA_SECURITY_PROTOCOL: 'SSL', FILLY_KAFKA_CA_CERT: tls.pki.otherCaCert },
    readyTimeoutMs: SERVER_READY_TIMEOUT_MS,
  }).then(async (server) => {
    await server.stop();
    return undefined;
  }, (e: unknown) => e as Error);
  assert.ok(failure !== undefined, 'the server must not start while it cannot verify the broker');
  // An exit, not the harness giving up on readiness: the failure is bounded by Kafka's own retries.
  assert.match(failure.message, /the server exited before it was ready \(exit code 1\)/, failure.message);
  assert.match(failure.message, /filly: failed to start: Error: listing the Kafka topics failed \(LHS_KAFKA_SECURITY_PROTOCOL=SSL\): 127\.0\.0\.1:\d+: self-signed certificate in certificate chain \(SELF_SIGNED_CERT_IN_CHAIN\)/);
  assert.match(failure.message, /not signed by the CA given in FILLY_KAFKA_CA_CERT or LHS_KAFKA_TRUSTSTORE/);
  assert.ok(Date.now() - started < SERVER_READY_TIMEOUT_MS, 'it failed before the readiness timeout');
});
