import { randomUUID } from 'node:crypto';
import { readPropertiesFile } from './properties-file.ts';

export type ApiProtocol = 'PLAINTEXT' | 'TLS';

export interface OAuthConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly accessTokenUrl: string;
}

/** Resolved client and worker settings (the LHC_* and LHW_* keys of upstream SDKs). */
export interface LHConfig {
  readonly apiHost: string;
  readonly apiPort: number;
  readonly protocol: ApiProtocol;
  /** Sent as the `tenantid` header when set; unset means the server's `default` tenant. */
  readonly tenantId: string | undefined;
  /** Paths of PEM files. */
  readonly caCert: string | undefined;
  readonly clientCert: string | undefined;
  readonly clientKey: string | undefined;
  readonly oauth: OAuthConfig | undefined;
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  readonly resourceExhaustedRetry: boolean;
  readonly taskWorkerId: string;
  readonly taskWorkerVersion: string;
  /** LHW_NUM_WORKER_THREADS when set; the worker uses it as its default concurrency. */
  readonly numWorkerThreads: number | undefined;
}

export interface LoadConfigOptions extends Partial<Omit<LHConfig, 'oauth'>> {
  readonly oauth?: OAuthConfig;
  /** Java-properties file (KEY=VALUE) to read, e.g. ~/.config/littlehorse.config. */
  readonly configFile?: string;
  /** Environment to read instead of process.env (tests, embedding). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const CONFIG_DEFAULTS = {
  apiHost: 'localhost',
  apiPort: 2023,
  protocol: 'PLAINTEXT',
  keepaliveTimeMs: 45_000,
  keepaliveTimeoutMs: 5_000,
  resourceExhaustedRetry: true,
  taskWorkerVersion: '',
} as const;

/**
 * Resolves the configuration. Precedence, highest first: explicit options, environment
 * variables, the properties file, defaults. Only keys starting with LHC_ or LHW_ are
 * read from the environment and the file.
 */
export function loadConfig(opts: LoadConfigOptions = {}): LHConfig {
  const file = opts.configFile !== undefined ? readPropertiesFile(opts.configFile) : new Map<string, string>();
  const env = opts.env ?? process.env;
  const raw = (key: string): string | undefined => {
    const fromEnv = env[key];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    const fromFile = file.get(key);
    return fromFile !== undefined && fromFile !== '' ? fromFile : undefined;
  };

  const protocol = opts.protocol ?? parseProtocol(raw('LHC_API_PROTOCOL')) ?? CONFIG_DEFAULTS.protocol;
  const oauth = opts.oauth ?? readOAuth(raw);
  const numWorkerThreads = opts.numWorkerThreads ?? parseIntSetting('LHW_NUM_WORKER_THREADS', raw);

  const config: LHConfig = {
    apiHost: opts.apiHost ?? raw('LHC_API_HOST') ?? CONFIG_DEFAULTS.apiHost,
    apiPort: opts.apiPort ?? parseIntSetting('LHC_API_PORT', raw) ?? CONFIG_DEFAULTS.apiPort,
    protocol,
    tenantId: opts.tenantId ?? raw('LHC_TENANT_ID'),
    caCert: opts.caCert ?? raw('LHC_CA_CERT'),
    clientCert: opts.clientCert ?? raw('LHC_CLIENT_CERT'),
    clientKey: opts.clientKey ?? raw('LHC_CLIENT_KEY'),
    oauth,
    keepaliveTimeMs:
      opts.keepaliveTimeMs ?? parseIntSetting('LHC_GRPC_KEEPALIVE_TIME_MS', raw) ?? CONFIG_DEFAULTS.keepaliveTimeMs,
    keepaliveTimeoutMs:
      opts.keepaliveTimeoutMs ??
      parseIntSetting('LHC_GRPC_KEEPALIVE_TIMEOUT_MS', raw) ??
      CONFIG_DEFAULTS.keepaliveTimeoutMs,
    resourceExhaustedRetry:
      opts.resourceExhaustedRetry ??
      parseBool('LHC_GRPC_RESOURCE_EXHAUSTED_RETRY', raw('LHC_GRPC_RESOURCE_EXHAUSTED_RETRY')) ??
      CONFIG_DEFAULTS.resourceExhaustedRetry,
    taskWorkerId: opts.taskWorkerId ?? raw('LHW_TASK_WORKER_ID') ?? `worker-${randomUUID().replaceAll('-', '')}`,
    taskWorkerVersion: opts.taskWorkerVersion ?? raw('LHW_TASK_WORKER_VERSION') ?? CONFIG_DEFAULTS.taskWorkerVersion,
    numWorkerThreads,
  };
  validate(config);
  RESOLVED.add(config);
  return Object.freeze(config);
}

const RESOLVED = new WeakSet<object>();

/** True for objects returned by loadConfig (as opposed to options still to resolve). */
export function isResolvedConfig(c: object): c is LHConfig {
  return RESOLVED.has(c);
}

function readOAuth(raw: (k: string) => string | undefined): OAuthConfig | undefined {
  const clientId = raw('LHC_OAUTH_CLIENT_ID');
  const clientSecret = raw('LHC_OAUTH_CLIENT_SECRET');
  const accessTokenUrl = raw('LHC_OAUTH_ACCESS_TOKEN_URL');
  if (clientId === undefined && clientSecret === undefined && accessTokenUrl === undefined) return undefined;
  if (clientId === undefined || clientSecret === undefined || accessTokenUrl === undefined) {
    throw new ConfigError(
      'OAuth needs all of LHC_OAUTH_CLIENT_ID, LHC_OAUTH_CLIENT_SECRET and LHC_OAUTH_ACCESS_TOKEN_URL',
    );
  }
  return { clientId, clientSecret, accessTokenUrl };
}

function parseProtocol(value: string | undefined): ApiProtocol | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (upper === 'PLAINTEXT' || upper === 'TLS') return upper;
  throw new ConfigError(`LHC_API_PROTOCOL must be PLAINTEXT or TLS, got "${value}"`);
}

function parseIntSetting(key: string, raw: (k: string) => string | undefined): number | undefined {
  const value = raw(key);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ConfigError(`${key} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

function parseBool(key: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new ConfigError(`${key} must be true or false, got "${value}"`);
}

function validate(c: LHConfig): void {
  if (!Number.isInteger(c.apiPort) || c.apiPort <= 0 || c.apiPort > 65535) {
    throw new ConfigError(`LHC_API_PORT must be a port number, got ${c.apiPort}`);
  }
  if ((c.clientCert === undefined) !== (c.clientKey === undefined)) {
    throw new ConfigError('LHC_CLIENT_CERT and LHC_CLIENT_KEY must be set together');
  }
  if (c.numWorkerThreads !== undefined && c.numWorkerThreads < 1) {
    throw new ConfigError('LHW_NUM_WORKER_THREADS must be at least 1');
  }
  if (c.keepaliveTimeMs <= 0 || c.keepaliveTimeoutMs <= 0) {
    throw new ConfigError('keepalive settings must be positive');
  }
}
