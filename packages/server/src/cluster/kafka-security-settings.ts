// How the server authenticates to Kafka: LHS_KAFKA_SECURITY_PROTOCOL and the TLS and SASL keys
// upstream reads, adapted to Node. Upstream hands Java keystores to the Java client; Node's TLS
// takes PEM (and PKCS12 for a client identity), so:
// - LHS_KAFKA_KEYSTORE may be a PKCS12 file (as upstream: with LHS_KAFKA_KEYSTORE_PASSWORD) or a
//   PEM file holding the client certificate and its private key;
// - LHS_KAFKA_TRUSTSTORE must be a PEM bundle of CA certificates (a PKCS12 trust store is refused
//   with the openssl command that converts it);
// - Filly adds FILLY_KAFKA_CA_CERT, FILLY_KAFKA_CLIENT_CERT, FILLY_KAFKA_CLIENT_KEY (PEM files)
//   and FILLY_KAFKA_SASL_USERNAME / FILLY_KAFKA_SASL_PASSWORD(_FILE) as plainer alternatives.
// Files are read once, at start-up, so a bad path stops the server with the key named.
import fs from 'node:fs';
import type { Settings } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** Node TLS options for the broker connections (node:tls ConnectionOptions fields). */
export interface KafkaTlsSettings {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** A PKCS12 client identity (LHS_KAFKA_KEYSTORE). */
  pfx?: Buffer;
  /** Unlocks pfx or an encrypted PEM key. */
  passphrase?: string;
}

export interface KafkaSaslSettings {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface KafkaSecuritySettings {
  protocol: SecurityProtocol;
  /** Present iff the protocol is SSL or SASL_SSL. */
  tls?: KafkaTlsSettings;
  /** Present iff the protocol is SASL_PLAINTEXT or SASL_SSL. */
  sasl?: KafkaSaslSettings;
}

export type ReadFile = (path: string) => Buffer;

const TLS_KEYS = [
  'LHS_KAFKA_KEYSTORE', 'LHS_KAFKA_KEYSTORE_PASSWORD', 'LHS_KAFKA_KEYSTORE_PASSWORD_FILE',
  'LHS_KAFKA_TRUSTSTORE', 'LHS_KAFKA_TRUSTSTORE_PASSWORD', 'LHS_KAFKA_TRUSTSTORE_PASSWORD_FILE',
  'FILLY_KAFKA_CA_CERT', 'FILLY_KAFKA_CLIENT_CERT', 'FILLY_KAFKA_CLIENT_KEY',
] as const;
const SASL_KEYS = [
  'LHS_KAFKA_SASL_MECHANISM', 'LHS_KAFKA_SASL_JAAS_CONFIG', 'LHS_KAFKA_SASL_JAAS_CONFIG_FILE',
  'FILLY_KAFKA_SASL_USERNAME', 'FILLY_KAFKA_SASL_PASSWORD', 'FILLY_KAFKA_SASL_PASSWORD_FILE',
] as const;

const LOGIN_MODULES: Record<SaslMechanism, string> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};

function value(s: Settings, key: string): string | undefined {
  const v = s[key]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function readSetting(key: string, file: string, readFile: ReadFile): Buffer {
  try {
    return readFile(file);
  } catch (e) {
    throw new ConfigError(`${key}=${file} cannot be read: ${(e as Error).message}`);
  }
}

/** A secret given inline or in a file (upstream's X / X_FILE pairs); never both. */
function secret(s: Settings, key: string, fileKey: string, readFile: ReadFile): string | undefined {
  const inline = value(s, key);
  const file = value(s, fileKey);
  if (inline !== undefined && file !== undefined) throw new ConfigError(`Cannot set both ${key} and ${fileKey}.`);
  if (file !== undefined) return readSetting(fileKey, file, readFile).toString('utf8').trim();
  return inline;
}

const isPem = (b: Buffer): boolean => b.subarray(0, 4096).toString('latin1').includes('-----BEGIN ');

function parseTls(s: Settings, readFile: ReadFile): KafkaTlsSettings {
  const tls: KafkaTlsSettings = {};
  const keystore = value(s, 'LHS_KAFKA_KEYSTORE');
  const keystorePassword = secret(s, 'LHS_KAFKA_KEYSTORE_PASSWORD', 'LHS_KAFKA_KEYSTORE_PASSWORD_FILE', readFile);
  // Read for upstream's mutual-exclusion check only: a PEM trust store has no password.
  secret(s, 'LHS_KAFKA_TRUSTSTORE_PASSWORD', 'LHS_KAFKA_TRUSTSTORE_PASSWORD_FILE', readFile);
  const clientCert = value(s, 'FILLY_KAFKA_CLIENT_CERT');
  const clientKey = value(s, 'FILLY_KAFKA_CLIENT_KEY');
  if (keystore !== undefined && (clientCert !== undefined || clientKey !== undefined)) {
    throw new ConfigError('Set either LHS_KAFKA_KEYSTORE or FILLY_KAFKA_CLIENT_CERT/FILLY_KAFKA_CLIENT_KEY, not both.');
  }
  if (keystore !== undefined) {
    const bytes = readSetting('LHS_KAFKA_KEYSTORE', keystore, readFile);
    if (isPem(bytes)) {
      tls.cert = bytes;
      tls.key = bytes;
    } else {
      if (keystorePassword === undefined) {
        throw new ConfigError('LHS_KAFKA_KEYSTORE is a PKCS12 file: set LHS_KAFKA_KEYSTORE_PASSWORD or LHS_KAFKA_KEYSTORE_PASSWORD_FILE.');
      }
      tls.pfx = bytes;
    }
  }
  if ((clientCert === undefined) !== (clientKey === undefined)) {
    throw new ConfigError('FILLY_KAFKA_CLIENT_CERT and FILLY_KAFKA_CLIENT_KEY must be set together.');
  }
  if (clientCert !== undefined && clientKey !== undefined) {
    tls.cert = pemFile(s, 'FILLY_KAFKA_CLIENT_CERT', readFile);
    tls.key = pemFile(s, 'FILLY_KAFKA_CLIENT_KEY', readFile);
  }
  if (keystorePassword !== undefined) tls.passphrase = keystorePassword;

  const truststore = value(s, 'LHS_KAFKA_TRUSTSTORE');
  const caCert = value(s, 'FILLY_KAFKA_CA_CERT');
  if (truststore !== undefined && caCert !== undefined) {
    throw new ConfigError('Set either LHS_KAFKA_TRUSTSTORE or FILLY_KAFKA_CA_CERT, not both.');
  }
  if (truststore !== undefined) {
    const bytes = readSetting('LHS_KAFKA_TRUSTSTORE', truststore, readFile);
    if (!isPem(bytes)) {
      throw new ConfigError(`LHS_KAFKA_TRUSTSTORE=${truststore} is not PEM. Filly reads trust stores as PEM CA bundles: convert a PKCS12 one with ` +
        '`openssl pkcs12 -in truststore.p12 -nokeys -passin pass:<its password> -out ca.pem` (a JKS one with ' +
        '`keytool -exportcert -rfc -alias <alias> -keystore truststore.jks -file ca.pem`), or set FILLY_KAFKA_CA_CERT.');
    }
    tls.ca = bytes;
  }
  if (caCert !== undefined) tls.ca = pemFile(s, 'FILLY_KAFKA_CA_CERT', readFile);
  return tls;
}

function pemFile(s: Settings, key: string, readFile: ReadFile): Buffer {
  const file = value(s, key)!;
  const bytes = readSetting(key, file, readFile);
  if (!isPem(bytes)) throw new ConfigError(`${key}=${file} is not a PEM file.`);
  return bytes;
}

/** The options of a JAAS line: `module.Class required username="u" password="p";`. */
export function parseJaasConfig(text: string, key: string): { module: string; options: Map<string, string> } {
  const m = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b([\s\S]*?);?\s*$/.exec(text);
  if (!m) throw new ConfigError(`${key} is not a JAAS login line ("<LoginModule> required username=\\"...\\" password=\\"...\\";").`);
  const options = new Map<string, string>();
  const optionPattern = /\s*([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))/gy;
  const rest = m[3]!;
  let consumed = 0;
  for (let o = optionPattern.exec(rest); o !== null; o = optionPattern.exec(rest)) {
    options.set(o[1]!, o[2] !== undefined ? o[2].replace(/\\(.)/g, '$1') : o[3]!);
    consumed = optionPattern.lastIndex;
  }
  if (rest.slice(consumed).trim() !== '') throw new ConfigError(`${key}: cannot read the options after "${rest.slice(0, consumed).trim()}".`);
  return { module: m[1]!, options };
}

function parseSasl(s: Settings, readFile: ReadFile): KafkaSaslSettings {
  const rawMechanism = value(s, 'LHS_KAFKA_SASL_MECHANISM');
  if (rawMechanism === undefined) throw new ConfigError('LHS_KAFKA_SECURITY_PROTOCOL is a SASL protocol: set LHS_KAFKA_SASL_MECHANISM.');
  const mechanism = rawMechanism.toUpperCase() as SaslMechanism;
  if (!SASL_MECHANISMS.includes(mechanism)) {
    throw new ConfigError(`LHS_KAFKA_SASL_MECHANISM=${rawMechanism} is not supported; use ${SASL_MECHANISMS.join(', ')}.`);
  }
  const jaas = secret(s, 'LHS_KAFKA_SASL_JAAS_CONFIG', 'LHS_KAFKA_SASL_JAAS_CONFIG_FILE', readFile);
  const user = value(s, 'FILLY_KAFKA_SASL_USERNAME');
  const password = secret(s, 'FILLY_KAFKA_SASL_PASSWORD', 'FILLY_KAFKA_SASL_PASSWORD_FILE', readFile);
  if (jaas !== undefined && (user !== undefined || password !== undefined)) {
    throw new ConfigError('Set either LHS_KAFKA_SASL_JAAS_CONFIG or FILLY_KAFKA_SASL_USERNAME/PASSWORD, not both.');
  }
  if (jaas !== undefined) {
    const key = value(s, 'LHS_KAFKA_SASL_JAAS_CONFIG') !== undefined ? 'LHS_KAFKA_SASL_JAAS_CONFIG' : 'LHS_KAFKA_SASL_JAAS_CONFIG_FILE';
    const { module, options } = parseJaasConfig(jaas, key);
    if (module !== LOGIN_MODULES[mechanism]) {
      throw new ConfigError(`${key} uses ${module}, but mechanism ${mechanism} needs ${LOGIN_MODULES[mechanism]}.`);
    }
    const u = options.get('username');
    const p = options.get('password');
    if (u === undefined || p === undefined) throw new ConfigError(`${key} must give username="..." and password="...".`);
    return { mechanism, username: u, password: p };
  }
  if (user === undefined || password === undefined) {
    throw new ConfigError('SASL needs credentials: set LHS_KAFKA_SASL_JAAS_CONFIG (or _FILE), or FILLY_KAFKA_SASL_USERNAME and FILLY_KAFKA_SASL_PASSWORD.');
  }
  return { mechanism, username: user, password };
}

export function parseKafkaSecurity(s: Settings, readFile: ReadFile = fs.readFileSync): KafkaSecuritySettings {
  const raw = value(s, 'LHS_KAFKA_SECURITY_PROTOCOL') ?? 'PLAINTEXT';
  const protocol = raw.toUpperCase() as SecurityProtocol;
  if (!SECURITY_PROTOCOLS.includes(protocol)) {
    throw new ConfigError(`LHS_KAFKA_SECURITY_PROTOCOL=${raw} is not one of ${SECURITY_PROTOCOLS.join(', ')}.`);
  }
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  // Like upstream, a security key the protocol would ignore is a mistake, not a no-op.
  const strayTls = usesTls ? undefined : TLS_KEYS.find((k) => value(s, k) !== undefined);
  const straySasl = usesSasl ? undefined : SASL_KEYS.find((k) => value(s, k) !== undefined);
  const stray = strayTls ?? straySasl;
  if (stray !== undefined) {
    throw new ConfigError(`${stray} is set but LHS_KAFKA_SECURITY_PROTOCOL=${protocol} does not use it; check LHS_KAFKA_SECURITY_PROTOCOL.`);
  }
  const security: KafkaSecuritySettings = { protocol };
  if (usesTls) security.tls = parseTls(s, readFile);
  if (usesSasl) security.sasl = parseSasl(s, readFile);
  return security;
}
