// A real Apache Kafka broker for kafka-mode tests: a single KRaft node (broker and controller in
// one JVM) on loopback ports, built from Maven Central artifacts that Maven resolves into a
// cache folder kept between runs. KAFKA_BOOTSTRAP pointing at an existing cluster skips all of it.
// With the `tls` option the broker also opens TLS listeners (server-auth SSL, mutual TLS and,
// if asked, SASL_SSL) whose certificates come from a throwaway CA made with openssl at start-up;
// such a broker is always started here, since an external one cannot be given our CA.
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
  /** The TLS listeners and the files to reach them; present iff the broker was started with `tls`. */
  readonly tls?: KafkaTlsEndpoints;
}

export interface KafkaBrokerOptions {
  /** Open TLS listeners too; the broker is started here even when KAFKA_BOOTSTRAP is set. */
  tls?: {
    /** Also a SASL_SSL listener with SASL/PLAIN and this one user. */
    saslSslUser?: { username: string; password: string };
  };
}

/** Certificates and keys made for one TLS broker, all in its temporary folder (PEM unless named). */
export interface KafkaTestPki {
  /** The CA that signed the broker's and the client's certificates. */
  caCert: string;
  /** A CA that signed nothing here: trusting it alone must fail the handshake. */
  otherCaCert: string;
  clientCert: string;
  /** Unencrypted PKCS#8 key of clientCert. */
  clientKey: string;
  /** clientCert and its key encrypted with p12Password, in one PEM file. */
  clientEncryptedBundle: string;
  /** clientCert + clientKey as a PKCS12 key store written by openssl. */
  clientP12: string;
  /** The same identity re-written by Java's keytool, as upstream users make their key stores. */
  clientJavaP12: string;
  /** Password of both PKCS12 files and of the encrypted key. */
  p12Password: string;
}

export interface KafkaTlsEndpoints {
  /** host:port of the SSL listener that only authenticates the broker (ssl.client.auth=none). */
  ssl: string;
  /** host:port of the SSL listener that requires a client certificate (ssl.client.auth=required). */
  mtls: string;
  /** host:port of the SASL_SSL listener; present iff `saslSslUser` was given. */
  saslSsl?: string;
  pki: KafkaTestPki;
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

function serverProperties(dataDir: string, port: number, controllerPort: number, tls?: TlsListeners): string {
  const extra = (list: string[] | undefined): string => (list === undefined ? '' : `,${list.join(',')}`);
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}${extra(tls?.listeners)}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}${extra(tls?.advertised)}`,
    'controller.listener.names=CONTROLLER',
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${extra(tls?.protocolMap)}`,
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
    // A test broker shares a small machine with the servers it serves: few threads contend less
    // for the cores (kafka-mode W1 at 500/s: p99 249-302 -> 189-204 ms on two cores).
    'num.network.threads=1',
    'num.io.threads=2',
    'background.threads=2',
    'num.recovery.threads.per.data.dir=1',
    ...(tls?.properties ?? []),
    '',
  ].join('\n');
}

/** Lines a TLS broker adds to its server.properties. */
interface TlsListeners {
  /** Where the broker binds (always 127.0.0.1). */
  listeners: string[];
  /** Where clients are sent: the mutual-TLS listener by host name, to exercise the name check and SNI. */
  advertised: string[];
  protocolMap: string[];
  properties: string[];
}

const PKI_TIMEOUT_MS = 60_000;
const PKI_VALID_DAYS = '2';
/** Fast to generate, and both Java's and Node's TLS accept it. */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function runTool(cwd: string, tool: 'openssl' | 'keytool', args: string[]): void {
  const result = spawnSync(tool, args, { cwd, encoding: 'utf8', timeout: PKI_TIMEOUT_MS });
  if (result.status !== 0) {
    throw new Error(`${tool} ${args.slice(0, 2).join(' ')} failed: ${result.error?.message ?? ''}\n${result.stdout}\n${result.stderr}`);
  }
}

function selfSignedCa(dir: string, name: string, commonName: string): void {
  runTool(dir, 'openssl', ['req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', PKI_VALID_DAYS,
    '-subj', `/CN=${commonName}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** A key and a certificate signed by ca.pem (in `dir`), with the given X.509 v3 extensions. */
function signedLeaf(dir: string, name: string, commonName: string, serial: number, extensions: string[]): void {
  fs.writeFileSync(path.join(dir, `${name}.ext`), ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', ...extensions, ''].join('\n'));
  runTool(dir, 'openssl', ['req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${commonName}`]);
  runTool(dir, 'openssl', ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(serial),
    '-days', PKI_VALID_DAYS, '-out', `${name}.pem`, '-extfile', `${name}.ext`]);
}

/**
 * A throwaway CA, a broker certificate for localhost and 127.0.0.1, a client certificate, and an
 * unrelated CA. The broker gets a PKCS12 key store and a PEM trust store; the client gets PEM
 * files and two PKCS12 renderings of its identity (openssl's and Java's).
 */
export function makeKafkaTestPki(dir: string): KafkaTestPki & { brokerP12: string } {
  const p12Password = 'filly-test-store';
  selfSignedCa(dir, 'ca', 'Filly test CA');
  selfSignedCa(dir, 'other-ca', 'Filly unrelated CA');
  signedLeaf(dir, 'broker', 'localhost', 1, ['extendedKeyUsage=serverAuth,clientAuth', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  signedLeaf(dir, 'client', 'filly-client', 2, ['extendedKeyUsage=clientAuth']);
  const pass = `pass:${p12Password}`;
  runTool(dir, 'openssl', ['pkcs12', '-export', '-in', 'broker.pem', '-inkey', 'broker.key', '-certfile', 'ca.pem', '-name', 'broker', '-out', 'broker.p12', '-passout', pass]);
  runTool(dir, 'openssl', ['pkcs12', '-export', '-in', 'client.pem', '-inkey', 'client.key', '-certfile', 'ca.pem', '-name', 'client', '-out', 'client.p12', '-passout', pass]);
  runTool(dir, 'openssl', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', 'client.key', '-out', 'client-encrypted.key', '-passout', pass]);
  fs.writeFileSync(path.join(dir, 'client-bundle.pem'), Buffer.concat([fs.readFileSync(path.join(dir, 'client.pem')), fs.readFileSync(path.join(dir, 'client-encrypted.key'))]));
  runTool(dir, 'keytool', ['-importkeystore', '-noprompt', '-srckeystore', 'client.p12', '-srcstoretype', 'PKCS12', '-srcstorepass', p12Password,
    '-destkeystore', 'client-java.p12', '-deststoretype', 'PKCS12', '-deststorepass', p12Password]);
  const at = (f: string): string => path.join(dir, f);
  return {
    caCert: at('ca.pem'),
    otherCaCert: at('other-ca.pem'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    clientEncryptedBundle: at('client-bundle.pem'),
    clientP12: at('client.p12'),
    clientJavaP12: at('client-java.p12'),
    p12Password,
    brokerP12: at('broker.p12'),
  };
}

function tlsListeners(pki: ReturnType<typeof makeKafkaTestPki>, ports: { ssl: number; mtls: number; saslSsl?: number },
  saslUser?: { username: string; password: string }): TlsListeners {
  const listeners = [`SSL://127.0.0.1:${ports.ssl}`, `MTLS://127.0.0.1:${ports.mtls}`];
  const advertised = [`SSL://127.0.0.1:${ports.ssl}`, `MTLS://localhost:${ports.mtls}`];
  const protocolMap = ['SSL:SSL', 'MTLS:SSL'];
  const properties = [
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${pki.brokerP12}`,
    `ssl.keystore.password=${pki.p12Password}`,
    `ssl.key.password=${pki.p12Password}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${pki.caCert}`,
    'listener.name.mtls.ssl.client.auth=required',
  ];
  if (ports.saslSsl !== undefined && saslUser !== undefined) {
    listeners.push(`SASL_SSL://127.0.0.1:${ports.saslSsl}`);
    advertised.push(`SASL_SSL://127.0.0.1:${ports.saslSsl}`);
    protocolMap.push('SASL_SSL:SASL_SSL');
    properties.push(
      'sasl.enabled.mechanisms=PLAIN',
      `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${saslUser.username}="${saslUser.password}";`,
    );
  }
  return { listeners, advertised, protocolMap, properties };
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
export async function startKafkaBroker(env: NodeJS.ProcessEnv = process.env, options: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const existing = env['KAFKA_BOOTSTRAP'];
  if (options.tls === undefined && existing !== undefined && existing !== '') {
    return { bootstrap: existing, owned: false, logTail: () => '', stop: async () => undefined };
  }
  const libs = ensureKafkaJars(kafkaCacheDir(env));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'filly-kafka-'));
  const [port, controllerPort] = (await freePorts(2)) as [number, number];
  const props = path.join(dir, 'server.properties');
  let tls: { endpoints: KafkaTlsEndpoints; listeners: TlsListeners; ports: number[] } | undefined;
  if (options.tls !== undefined) {
    const saslUser = options.tls.saslSslUser;
    const [ssl, mtls, saslSsl] = (await freePorts(saslUser === undefined ? 2 : 3)) as [number, number, number | undefined];
    let pki: ReturnType<typeof makeKafkaTestPki>;
    try {
      pki = makeKafkaTestPki(dir);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const { brokerP12: _brokerOnly, ...clientPki } = pki;
    tls = {
      listeners: tlsListeners(pki, saslSsl === undefined ? { ssl, mtls } : { ssl, mtls, saslSsl }, saslUser),
      endpoints: { ssl: `127.0.0.1:${ssl}`, mtls: `localhost:${mtls}`, pki: clientPki, ...(saslSsl === undefined ? {} : { saslSsl: `127.0.0.1:${saslSsl}` }) },
      ports: saslSsl === undefined ? [ssl, mtls] : [ssl, mtls, saslSsl],
    };
  }
  fs.writeFileSync(props, serverProperties(dir, port, controllerPort, tls?.listeners));
  fs.writeFileSync(path.join(dir, 'log4j2.properties'), LOG4J2_CONFIG);
  // The serial collector: a small heap needs no concurrent collector threads taking a core.
  const java = ['-XX:+UseSerialGC', '-Xms256m', '-Xmx768m', `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`, '-cp', `${libs}/*`];

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
  for (const listenerPort of [port, ...(tls?.ports ?? [])]) {
    while (!(await canConnect(listenerPort))) {
      if (exited) throw new Error(`the Kafka broker exited during start-up:\n${logTail()}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Kafka broker did not listen on ${listenerPort} within ${START_TIMEOUT_MS} ms:\n${logTail()}`);
      }
      await sleep(200);
    }
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
  const broker = { bootstrap: `127.0.0.1:${port}`, owned: true, logTail, stop };
  return tls === undefined ? broker : { ...broker, tls: tls.endpoints };
}
