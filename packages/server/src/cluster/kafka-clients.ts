// Builds @platformatic/kafka clients from KafkaSettings: the connection options every client
// shares (bootstrap brokers, client id, rack, TLS, SASL, timeouts), and the Admin, Producer and
// Consumer with the settings kafka mode relies on (idempotent acks=all producers). A server's
// first contact with Kafka is the Admin's topic listing, and the library reports a broker it
// cannot reach or trust only as "Listing topics failed.", so that failure is put in words here.
import net from 'node:net';
import { createSecureContext, type ConnectionOptions as TlsOptions } from 'node:tls';
import {
  Admin,
  Consumer,
  Producer,
  ProduceAcks,
  type ConsumeBaseOptions,
  type ConsumerOptions,
  type GroupOptions,
  type ProducerOptions,
  type AdminOptions,
  type Callback,
  type SASLOptions,
} from '@platformatic/kafka';
import type { KafkaSettings } from './kafka-settings.ts';
import type { KafkaSecuritySettings } from './kafka-security-settings.ts';

/** The fields of @platformatic/kafka's BaseOptions this factory decides. */
export interface KafkaConnectionOptions {
  clientId: string;
  bootstrapBrokers: string[];
  clientRack?: string;
  tls?: TlsOptions;
  /** Send SNI (the broker's host name) in the TLS handshake; off when brokers are IP literals. */
  tlsServerName?: boolean;
  sasl?: SASLOptions;
  connectTimeout: number;
  requestTimeout: number;
}

const CONNECT_TIMEOUT_MS = 10_000;

function hostOf(server: string): string {
  const i = server.lastIndexOf(':');
  const host = i < 0 ? server : server.slice(0, i);
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/**
 * Upstream names its clients `{clusterId}-{instanceName}-{component}` (component: core, admin,
 * producer, ...); brokers log and meter by client id, so keep the same shape.
 */
export function kafkaClientId(settings: KafkaSettings, instanceName: string, component: string): string {
  return `${settings.clusterId}-${instanceName}-${component}`;
}

export function kafkaConnectionOptions(settings: KafkaSettings, instanceName: string, component: string): KafkaConnectionOptions {
  const options: KafkaConnectionOptions = {
    clientId: kafkaClientId(settings, instanceName, component),
    bootstrapBrokers: [...settings.bootstrapServers],
    connectTimeout: CONNECT_TIMEOUT_MS,
    // As upstream: a failed request must surface (and be handled) well before the transaction
    // or the group session times out.
    requestTimeout: Math.floor(settings.sessionTimeoutMs * 0.75),
  };
  if (settings.rackId !== undefined) options.clientRack = settings.rackId;
  const { tls, sasl } = settings.security;
  if (tls !== undefined) {
    const t: TlsOptions = {};
    if (tls.ca !== undefined) t.ca = tls.ca;
    if (tls.cert !== undefined) t.cert = tls.cert;
    if (tls.key !== undefined) t.key = tls.key;
    if (tls.pfx !== undefined) t.pfx = tls.pfx;
    if (tls.passphrase !== undefined) t.passphrase = tls.passphrase;
    options.tls = t;
    options.tlsServerName = settings.bootstrapServers.every((s) => net.isIP(hostOf(s)) === 0);
  }
  if (sasl !== undefined) options.sasl = { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
  return options;
}

export function createKafkaAdmin(settings: KafkaSettings, instanceName: string): Admin {
  return new ExplainingAdmin(kafkaConnectionOptions(settings, instanceName, 'admin'), settings.security);
}

type ListTopicsOptions = NonNullable<Parameters<Admin['listTopics']>[0]>;

/** An Admin whose failed listTopics (a server's first call to Kafka) names the root cause. */
class ExplainingAdmin extends Admin {
  readonly #security: KafkaSecuritySettings;
  #tlsToCheck: TlsOptions | undefined;

  constructor(options: AdminOptions, security: KafkaSecuritySettings) {
    super(options);
    this.#security = security;
    this.#tlsToCheck = options.tls;
  }

  override listTopics(options: ListTopicsOptions, callback: Callback<string[]>): void;
  override listTopics(options?: ListTopicsOptions): Promise<string[]>;
  override listTopics(options?: ListTopicsOptions, callback?: Callback<string[]>): void | Promise<string[]> {
    if (callback !== undefined) return super.listTopics(options ?? {}, callback);
    const explained = (err: unknown): Error => new Error(explainKafkaFailure(err, this.#security, 'listing the Kafka topics'), { cause: err });
    try {
      // TLS material Node cannot load (a wrong key store password, a key that does not match
      // its certificate) would throw from inside the library's connect, which then leaves its
      // connect timer running: load it here first, once.
      if (this.#tlsToCheck !== undefined) createSecureContext(this.#tlsToCheck);
      this.#tlsToCheck = undefined;
      return super.listTopics(options).catch((err: unknown) => {
        throw explained(err);
      });
    } catch (err) {
      return Promise.reject(explained(err));
    }
  }
}

/** A failure at the bottom of the library's error tree, and the broker it happened at. */
interface RootCause {
  message: string;
  code: string | undefined;
  broker: string | undefined;
}

const MAX_ERRORS_VISITED = 200;
const MAX_ERROR_DEPTH = 12;
const MAX_CAUSES_LISTED = 3;

/** The leaves of an error tree (AggregateError.errors and Error.cause), bounded. */
export function rootCauses(err: unknown): RootCause[] {
  const found: RootCause[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, broker: string | undefined, depth: number): void => {
    if (seen.has(e) || seen.size >= MAX_ERRORS_VISITED || depth > MAX_ERROR_DEPTH) return;
    seen.add(e);
    if (!(e instanceof Error)) {
      found.push({ message: String(e), code: undefined, broker });
      return;
    }
    // The library wraps each failed connection as "Connection to host:port failed." around its cause.
    const at = /^Connection to (.+) failed\.$/.exec(e.message)?.[1] ?? broker;
    const children = [...(e instanceof AggregateError ? (e.errors as unknown[]) : []), ...(e.cause === undefined ? [] : [e.cause])];
    if (children.length === 0) {
      const code = (e as { code?: unknown }).code;
      found.push({ message: e.message, code: typeof code === 'string' ? code : undefined, broker: at });
      return;
    }
    for (const child of children) visit(child, at, depth + 1);
  };
  visit(err, undefined, 0);
  return found;
}

/** OpenSSL's verdicts on a broker certificate that no trusted CA signed. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
]);
const TRUST_KEYS = 'FILLY_KAFKA_CA_CERT or LHS_KAFKA_TRUSTSTORE';
const IDENTITY_KEYS = 'LHS_KAFKA_KEYSTORE, or FILLY_KAFKA_CLIENT_CERT and FILLY_KAFKA_CLIENT_KEY';

/** What a user should check for one root cause, when it is one we recognise. */
function hintFor(c: RootCause, security: KafkaSecuritySettings): string | undefined {
  const { tls } = security;
  const code = c.code ?? '';
  if (UNTRUSTED_CERTIFICATE.has(code)) {
    return tls?.ca === undefined
      ? `the broker's certificate is not signed by a public CA that Node trusts by default: set ${TRUST_KEYS} to the PEM file of the CA that signed it`
      : `the broker's certificate is not signed by the CA given in ${TRUST_KEYS}: point it at the PEM file of the CA that signed the broker's certificate`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return "the broker's certificate does not list the name it was reached at: use names (or addresses) its certificate lists, in LHS_KAFKA_BOOTSTRAP_SERVERS and in the brokers' advertised listeners";
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return "the broker's certificate is outside its validity period (or this machine's clock is wrong)";
  if (/mac verify failure/i.test(c.message)) return 'the PKCS12 key store LHS_KAFKA_KEYSTORE does not open with LHS_KAFKA_KEYSTORE_PASSWORD (or _FILE)';
  if (tls?.pfx !== undefined && /unsupported/i.test(`${c.message} ${code}`)) {
    return 'LHS_KAFKA_KEYSTORE is encrypted with a legacy algorithm (RC2, as older Java versions wrote PKCS12 files) that OpenSSL 3 refuses: re-write it with `keytool -importkeystore` on Java 17, or use PEM files';
  }
  if (tls?.pfx !== undefined && /not enough data|too long|PFX/i.test(c.message)) {
    return 'LHS_KAFKA_KEYSTORE is not a PKCS12 key store holding a private key and its certificate (a JKS one converts with `keytool -importkeystore -deststoretype PKCS12`)';
  }
  if (/key values mismatch/i.test(c.message)) return `the client certificate and key do not belong together (${IDENTITY_KEYS})`;
  if (/bad decrypt/i.test(c.message)) return 'the client key is encrypted and LHS_KAFKA_KEYSTORE_PASSWORD (or _FILE) is missing or does not decrypt it';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|TLS handshake failed|before secure TLS connection was established/i.test(c.message)) {
    return `the broker did not complete a TLS handshake at this address: is it a PLAINTEXT or SASL_PLAINTEXT listener? Check LHS_KAFKA_SECURITY_PROTOCOL (${security.protocol}) and the port`;
  }
  if (/requires TLS/i.test(c.message)) return 'the broker expects TLS at this address: set LHS_KAFKA_SECURITY_PROTOCOL to SSL or SASL_SSL';
  if (/SASL authentication failed/i.test(c.message)) {
    return 'the broker refused the SASL credentials (LHS_KAFKA_SASL_JAAS_CONFIG, or FILLY_KAFKA_SASL_USERNAME and FILLY_KAFKA_SASL_PASSWORD) for LHS_KAFKA_SASL_MECHANISM';
  }
  if (code === 'ECONNREFUSED') return 'nothing accepts connections there: check LHS_KAFKA_BOOTSTRAP_SERVERS';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve: check LHS_KAFKA_BOOTSTRAP_SERVERS';
  if (tls !== undefined && tls.cert === undefined && tls.pfx === undefined && /^Connection closed/i.test(c.message)) {
    // TLS 1.3 ends the handshake before the broker checks the client: a missing client
    // certificate shows up as a connection closed right after it.
    return `the broker closed the connection after the TLS handshake; if it requires client certificates (ssl.client.auth=required), set ${IDENTITY_KEYS}`;
  }
  return undefined;
}

/** One message that says what failed, at which broker, why, and what to check. */
export function explainKafkaFailure(err: unknown, security: KafkaSecuritySettings, what: string): string {
  const causes = rootCauses(err);
  const describe = (c: RootCause): string =>
    `${c.broker === undefined ? '' : `${c.broker}: `}${c.message.replace(/\.+$/, '')}${c.code === undefined || c.code.startsWith('PLT_') ? '' : ` (${c.code})`}`;
  const head = `${what} failed (LHS_KAFKA_SECURITY_PROTOCOL=${security.protocol})`;
  for (const c of causes) {
    const hint = hintFor(c, security);
    if (hint !== undefined) return `${head}: ${describe(c)}. ${hint[0]!.toUpperCase()}${hint.slice(1)}.`;
  }
  const top = err instanceof Error ? err.message : String(err);
  const listed = [...new Set(causes.map(describe))].filter((d) => d !== top).slice(0, MAX_CAUSES_LISTED);
  return listed.length === 0 ? `${head}: ${top}` : `${head}: ${top} Causes: ${listed.join('; ')}`;
}

/**
 * An idempotent producer with acks=all. With `transactionalId` it can run transactions (the
 * core loop); without, it is the command producer of ingress. Other options (serializers,
 * compression, ...) come from `extra`, which cannot weaken idempotence or acks.
 */
export function createKafkaProducer<K = Buffer, V = Buffer, HK = Buffer, HV = Buffer>(
  settings: KafkaSettings,
  instanceName: string,
  component: string,
  extra: ProducerExtra<K, V, HK, HV> = {},
): Producer<K, V, HK, HV> {
  return new Producer<K, V, HK, HV>(kafkaProducerOptions(settings, instanceName, component, extra));
}

export type ProducerExtra<K, V, HK, HV> = Omit<Partial<ProducerOptions<K, V, HK, HV>>, 'idempotent' | 'acks' | 'clientId' | 'bootstrapBrokers'>;

export function kafkaProducerOptions<K, V, HK, HV>(
  settings: KafkaSettings,
  instanceName: string,
  component: string,
  extra: ProducerExtra<K, V, HK, HV> = {},
): ProducerOptions<K, V, HK, HV> {
  return {
    ...extra,
    ...kafkaConnectionOptions(settings, instanceName, component),
    idempotent: true,
    acks: ProduceAcks.ALL,
  };
}

/** A group consumer of group `groupId` with upstream's session timeout. */
export function createKafkaConsumer<K = Buffer, V = Buffer, HK = Buffer, HV = Buffer>(
  settings: KafkaSettings,
  instanceName: string,
  component: string,
  groupId: string,
  extra: Partial<GroupOptions & ConsumeBaseOptions<K, V, HK, HV>> = {},
): Consumer<K, V, HK, HV> {
  // The classic group protocol (GroupOptions): it is the one that lets the engine assign partitions.
  const options: ConsumerOptions<K, V, HK, HV> = {
    sessionTimeout: settings.sessionTimeoutMs,
    ...extra,
    ...kafkaConnectionOptions(settings, instanceName, component),
    groupId,
  };
  return new Consumer<K, V, HK, HV>(options);
}

/** Upstream's consumer group name of a component: `{clusterId}-{component}` (core: `{cid}-core`). */
export function kafkaGroupId(settings: KafkaSettings, component: string): string {
  return `${settings.clusterId}-${component}`;
}
