// Requests whose bytes do not decode as the rpc's message. grpc-js answers those with INTERNAL,
// which reads as a server bug; decoding here never throws, and the call guard answers the
// marker it returns with INVALID_ARGUMENT instead.
import type { ServiceDefinition } from '@grpc/grpc-js';

const MALFORMED = Symbol('filly.malformedRequest');

export interface MalformedRequest {
  readonly [MALFORMED]: string;
}

export function isMalformed(value: unknown): value is MalformedRequest {
  return typeof value === 'object' && value !== null && MALFORMED in value;
}

export function malformedReason(value: MalformedRequest): string {
  return value[MALFORMED];
}

/** A copy of the definition whose request decoders return a marker instead of throwing. */
export function tolerantService<T extends ServiceDefinition>(definition: T): T {
  const out: Record<string, unknown> = {};
  for (const [method, def] of Object.entries(definition)) {
    const decode = def.requestDeserialize;
    const typeName = def.path.split('/').pop() ?? method;
    out[method] = {
      ...def,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return decode(bytes);
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          const marker: MalformedRequest = { [MALFORMED]: `The request of ${typeName} is not a valid protobuf message (${why.slice(0, 200)}).` };
          return marker;
        }
      },
    };
  }
  return out as T;
}
