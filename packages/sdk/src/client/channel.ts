import { readFileSync } from 'node:fs';
import { credentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import type { LHConfig } from './config.ts';

/** The upstream servers accept messages up to about 1 MB per record; leave room above that. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export function channelCredentials(config: LHConfig): ChannelCredentials {
  if (config.protocol === 'PLAINTEXT') return credentials.createInsecure();
  const ca = config.caCert !== undefined ? readFileSync(config.caCert) : null;
  const key = config.clientKey !== undefined ? readFileSync(config.clientKey) : null;
  const cert = config.clientCert !== undefined ? readFileSync(config.clientCert) : null;
  return credentials.createSsl(ca, key, cert);
}

/** Keepalive pings as the upstream SDKs send them: also without active calls. */
export function channelOptions(config: LHConfig): ChannelOptions {
  return {
    'grpc.keepalive_time_ms': config.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': config.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  };
}
