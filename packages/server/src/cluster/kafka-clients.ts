// Builds @platformatic/kafka clients from KafkaSettings: the connection options every client
// shares (bootstrap brokers, client id, rack, TLS, SASL, timeouts), and the Admin, Producer and
// Consumer with the settings kafka mode relies on (idempotent acks=all producers).
import net from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import {
  Admin,
  Consumer,
  Producer,
  ProduceAcks,
  type ConsumeBaseOptions,
  type ConsumerOptions,
  type GroupOptions,
  type ProducerOptions,
  type SASLOptions,
} from '@platformatic/kafka';
import type { KafkaSettings } from './kafka-settings.ts';

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
  return new Admin(kafkaConnectionOptions(settings, instanceName, 'admin'));
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
