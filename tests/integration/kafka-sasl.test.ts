// SASL_PLAINTEXT against a real broker: a single KRaft node of its own (the shared harness broker
// has no SASL listener) with a SASL/PLAIN listener and one user. Clients built from upstream's
// LHS_KAFKA_SASL_* keys authenticate; a wrong password is refused by the broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gateOnTools } from '../harness/tools.ts';
import { ensureKafkaJars, kafkaCacheDir } from '../harness/kafka-broker.ts';
import { freePorts } from '../harness/free-port.ts';
import { parseKafkaSettings } from '../../packages/server/src/cluster/kafka-settings.ts';
import { createKafkaAdmin } from '../../packages/server/src/cluster/kafka-clients.ts';
import { ensureTopics, expectedTopics } from '../../packages/server/src/cluster/topics.ts';

// An external KAFKA_BOOTSTRAP cluster cannot be given a SASL listener by this test.
const gate = process.env['KAFKA_BOOTSTRAP']
  ? { skip: 'KAFKA_BOOTSTRAP names an external broker; the SASL test needs its own' as string | false, failure: undefined }
  : gateOnTools('the Kafka SASL test', ['java', 'mvn']);

const USER = 'filly';
const PASSWORD = 'filly-secret';

function properties(dir: string, plainPort: number, saslPort: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${plainPort},SASL_PLAINTEXT://127.0.0.1:${saslPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${plainPort},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    'sasl.enabled.mechanisms=PLAIN',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${USER}="${PASSWORD}";`,
    `log.dirs=${path.join(dir, 'logs')}`,
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

const canConnect = (port: number): Promise<boolean> => new Promise((resolve) => {
  const s = net.connect({ host: '127.0.0.1', port });
  s.once('connect', () => {
    s.destroy();
    resolve(true);
  });
  s.once('error', () => resolve(false));
});

test('SASL_PLAINTEXT/PLAIN: upstream\'s JAAS keys authenticate, a wrong password is refused', { skip: gate.skip, timeout: 240_000 }, async () => {
  if (gate.failure !== undefined) assert.fail(gate.failure);
  const libs = ensureKafkaJars(kafkaCacheDir());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'filly-kafka-sasl-'));
  const [plainPort, saslPort, controllerPort] = (await freePorts(3)) as [number, number, number];
  const props = path.join(dir, 'server.properties');
  fs.writeFileSync(props, properties(dir, plainPort, saslPort, controllerPort));
  fs.writeFileSync(path.join(dir, 'log4j2.properties'), 'rootLogger.level = warn\nappender.out.type = Console\nappender.out.name = out\nrootLogger.appenderRef.out.ref = out\n');
  const java = ['-Xms128m', '-Xmx512m', `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`, '-cp', `${libs}/*`];
  const format = spawnSync('java', [...java, 'kafka.tools.StorageTool', 'format', '-t', 'FillySaslTestCluster00', '-c', props], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(format.status, 0, `storage format failed: ${format.stderr}`);
  const output: string[] = [];
  const child: ChildProcess = spawn('java', [...java, 'kafka.Kafka', props], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const jaas = (password: string): string =>
    `org.apache.kafka.common.security.plain.PlainLoginModule required username="${USER}" password="${password}";`;
  const settingsWith = (password: string) => parseKafkaSettings({
    LHS_KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${saslPort}`,
    LHS_CLUSTER_ID: 'sasl',
    LHS_CLUSTER_PARTITIONS: '2',
    LHS_KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
    LHS_KAFKA_SASL_MECHANISM: 'PLAIN',
    LHS_KAFKA_SASL_JAAS_CONFIG: jaas(password),
  })!;
  try {
    const deadline = Date.now() + 90_000;
    while (!(await canConnect(saslPort))) {
      assert.ok(Date.now() < deadline, `the broker did not listen in time:\n${output.join('')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const good = createKafkaAdmin(settingsWith(PASSWORD), 'sasl-test');
    try {
      const created = await ensureTopics(settingsWith(PASSWORD), good, { info: () => undefined });
      assert.equal(created.length, expectedTopics('sasl', 2).length);
    } finally {
      await good.close().catch(() => undefined);
    }
    const bad = createKafkaAdmin(settingsWith('wrong'), 'sasl-test-bad');
    try {
      await assert.rejects(bad.listTopics(), (e: unknown) => /authentication|SASL|credentials/i.test(String((e as Error).message) + JSON.stringify(e)));
    } finally {
      await bad.close().catch(() => undefined);
    }
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbroker output:\n${output.join('').split('\n').slice(-30).join('\n')}`, { cause: err });
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
