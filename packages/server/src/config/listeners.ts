// Listeners (LHS_LISTENERS = NAME:PORT,...) with their protocol (PLAIN, TLS, MTLS) and
// authentication (NONE, MTLS), and the addresses advertised to task workers per listener
// (LHS_ADVERTISED_LISTENERS = NAME://host:port,...).
import type { Settings } from './config.ts';
import { ConfigError } from './config-error.ts';

export const PROTOCOLS = ['PLAIN', 'TLS', 'MTLS'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export const AUTHENTICATIONS = ['NONE', 'MTLS'] as const;
export type Authentication = (typeof AUTHENTICATIONS)[number];

export interface Listener {
  name: string;
  port: number;
  protocol: Protocol;
  authentication: Authentication;
  certPath: string | undefined;
  keyPath: string | undefined;
}

export interface AdvertisedListener {
  name: string;
  host: string;
  port: number;
}

const NAME = /^[A-Za-z0-9_-]+$/;

function parseMap(raw: string, key: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of raw.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [name, value, ...rest] = part.split(':');
    if (!name || !value || rest.length > 0) throw new ConfigError(`${key}: "${part}" is not NAME:VALUE.`);
    map.set(name, value.toUpperCase());
  }
  return map;
}

export function parseListeners(raw: string, protocolMap: string, authMap: string, s: Settings): Listener[] {
  const protocols = parseMap(protocolMap, 'LHS_LISTENERS_PROTOCOL_MAP');
  const auths = parseMap(authMap, 'LHS_LISTENERS_AUTHENTICATION_MAP');
  const listeners: Listener[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^([^:]+):(\d+)$/.exec(part);
    if (!m || !NAME.test(m[1]!)) throw new ConfigError(`LHS_LISTENERS: "${part}" is not NAME:PORT.`);
    const name = m[1]!;
    const port = Number(m[2]);
    if (port > 65535) throw new ConfigError(`LHS_LISTENERS: port ${port} of ${name} is out of range.`);
    if (listeners.some((l) => l.port === port && port !== 0)) {
      throw new ConfigError(`LHS_LISTENERS: two listeners share port ${port}.`);
    }
    const protocol = (protocols.get(name) ?? 'PLAIN') as Protocol;
    if (!PROTOCOLS.includes(protocol)) {
      throw new ConfigError(`LHS_LISTENERS_PROTOCOL_MAP: ${name} has protocol ${protocol}; use PLAIN, TLS or MTLS.`);
    }
    const authentication = (auths.get(name) ?? 'NONE') as Authentication;
    if (authentication === ('OAUTH' as Authentication)) {
      throw new ConfigError(`LHS_LISTENERS_AUTHENTICATION_MAP: OAUTH on ${name} is not supported by this Filly version yet.`);
    }
    if (!AUTHENTICATIONS.includes(authentication)) {
      throw new ConfigError(`LHS_LISTENERS_AUTHENTICATION_MAP: ${name} has ${authentication}; use NONE or MTLS.`);
    }
    if (authentication === 'MTLS' && protocol !== 'MTLS') {
      throw new ConfigError(`Listener ${name} authenticates with MTLS, which needs protocol MTLS.`);
    }
    const certPath = s[`LHS_LISTENER_${name}_CERT`] || undefined;
    const keyPath = s[`LHS_LISTENER_${name}_KEY`] || undefined;
    if (protocol !== 'PLAIN' && (!certPath || !keyPath)) {
      throw new ConfigError(`Listener ${name} uses ${protocol}: set LHS_LISTENER_${name}_CERT and LHS_LISTENER_${name}_KEY.`);
    }
    listeners.push({ name, port, protocol, authentication, certPath, keyPath });
  }
  if (listeners.length === 0) throw new ConfigError('LHS_LISTENERS names no listener.');
  return listeners;
}

export function parseAdvertisedListeners(raw: string): AdvertisedListener[] {
  const out: AdvertisedListener[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^([^:]+):\/\/(.+):(\d+)$/.exec(part);
    if (!m) throw new ConfigError(`LHS_ADVERTISED_LISTENERS: "${part}" is not NAME://host:port.`);
    out.push({ name: m[1]!, host: m[2]!, port: Number(m[3]) });
  }
  return out;
}
