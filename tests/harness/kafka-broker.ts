// A real Apache Kafka broker for kafka-mode tests: a single KRaft node (broker and controller in
// one JVM) on loopback ports, built from Maven Central artifacts that Maven resolves into a
// cache folder kept between runs. KAFKA_BOOTSTRAP pointing at an existing cluster skips all of it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from './free-port.ts';

/** The broker version the tests run against. Kafka 4 needs Java 17, which the project's machines have. */
export const KAFKA_VERSION = '4.1.1';
const LOG4J_VERSION = '2.24.3';
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;
const MAVEN_TIMEOUT_MS = 600_000;
/** KRaft cluster ids are 22 characters of base64url (a UUID). Fixed: each broker has its own data dir. */
const CLUSTER_ID = 'FillyTestKafkaCluster0';

export interface KafkaBroker {
  /** host:port for clients. */
  readonly bootstrap: string;
  /** True when this harness started the broker (false: KAFKA_BOOTSTRAP named one). */
  readonly owned: boolean;
  /** The broker's own output, for a failing test to print. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export function kafkaCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['FILLY_CACHE_DIR'] ?? path.join(env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'filly');
  return path.join(base, `kafka-${KAFKA_VERSION}`);
}

function pomXml(): string {
  const dep = (g: string, a: string, v: string): string =>
    `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return [
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>dev.filly.test</groupId>',
    '  <artifactId>kafka-broker</artifactId>',
    '  <version>1</version>',
    '  <packaging>pom</packaging>',
    '  <dependencies>',
    dep('org.apache.kafka', 'kafka_2.13', KAFKA_VERSION),
    // Kafka logs through SLF4J 1.x; this binding sends it to log4j2, configured below.
    dep('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J_VERSION),
    dep('org.apache.logging.log4j', 'log4j-core', LOG4J_VERSION),
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n');
}

/** Resolves the broker's jars into the cache (once); returns the classpath folder. */
export function ensureKafkaJars(cacheDir: string = kafkaCacheDir()): string {
  const libs = path.join(cacheDir, 'libs');
  const marker = path.join(cacheDir, 'complete');
  if (fs.existsSync(marker)) return libs;
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(path.join(cacheDir, 'pom.xml'), pomXml());
  const result = spawnSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`], {
    cwd: cacheDir,
    encoding: 'utf8',
    timeout: MAVEN_TIMEOUT_MS,
  });
  if (result.status !== 0) {
    throw new Error(`Maven could not fetch Apache Kafka ${KAFKA_VERSION}: ${result.error?.message ?? ''}\n${result.stdout}\n${result.stderr}`);
  }
  fs.writeFileSync(marker, `${new Date().toISOString()}\n`);
  return libs;
}

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${path.join(dataDir, 'logs')}`,
    // One node: every internal topic has one replica.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

const LOG4J2_CONFIG = [
  'status = warn',
  'appender.out.type = Console',
  'appender.out.name = out',
  'appender.out.layout.type = PatternLayout',
  'appender.out.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = warn',
  'rootLogger.appenderRef.out.ref = out',
  // The one line that says the broker is up.
  'logger.server.name = kafka.server.KafkaRaftServer',
  'logger.server.level = info',
  '',
].join('\n');

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts a broker (or names the one in KAFKA_BOOTSTRAP) and waits until it accepts clients. */
export async function startKafkaBroker(env: NodeJS.ProcessEnv = process.env): Promise<KafkaBroker> {
  const existing = env['KAFKA_BOOTSTRAP'];
  if (existing !== undefined && existing !== '') {
    return { bootstrap: existing, owned: false, logTail: () => '', stop: async () => undefined };
  }
  const libs = ensureKafkaJars(kafkaCacheDir(env));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'filly-kafka-'));
  const [port, controllerPort] = (await freePorts(2)) as [number, number];
  const props = path.join(dir, 'server.properties');
  fs.writeFileSync(props, serverProperties(dir, port, controllerPort));
  fs.writeFileSync(path.join(dir, 'log4j2.properties'), LOG4J2_CONFIG);
  const java = ['-Xms256m', '-Xmx768m', `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`, '-cp', `${libs}/*`];

  const format = spawnSync('java', [...java, 'kafka.tools.StorageTool', 'format', '-t', CLUSTER_ID, '-c', props], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (format.status !== 0) throw new Error(`kafka storage format failed:\n${format.stdout}\n${format.stderr}`);

  const output: string[] = [];
  const child: ChildProcess = spawn('java', [...java, 'kafka.Kafka', props], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer): void => {
    output.push(chunk.toString('utf8'));
    if (output.length > 2_000) output.splice(0, output.length - 2_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exitDone = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const logTail = (lines = 40): string => output.join('').split('\n').slice(-lines).join('\n');

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await canConnect(port))) {
    if (exited) throw new Error(`the Kafka broker exited during start-up:\n${logTail()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Kafka broker did not listen on ${port} within ${START_TIMEOUT_MS} ms:\n${logTail()}`);
    }
    await sleep(200);
  }

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exitDone.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        child.kill('SIGKILL');
        await exitDone;
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { bootstrap: `127.0.0.1:${port}`, owned: true, logTail, stop };
}
