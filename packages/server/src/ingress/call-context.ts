// Who is calling and for which tenant: the `tenantid` header (default "default") and the
// authenticated principal (anonymous until a listener authenticates callers).
import type { Metadata } from '@grpc/grpc-js';

export const DEFAULT_TENANT = 'default';
export const ANONYMOUS_PRINCIPAL = 'anonymous';

export interface CallContext {
  tenant: string;
  principal: string;
}

export function callContextOf(metadata: Metadata): CallContext {
  const values = metadata.get('tenantid');
  const first = values[0];
  const tenant = typeof first === 'string' && first.trim() !== '' ? first.trim() : DEFAULT_TENANT;
  return { tenant, principal: ANONYMOUS_PRINCIPAL };
}
