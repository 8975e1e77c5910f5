// Responses the processor already encoded. A command's handler answers with the bytes of what it
// wrote (the WfRun of a RunWf, the ScheduledTask of a claim); decoding them into a message only
// for gRPC to encode it again was measurable work on the busiest rpcs. Such a response travels to
// gRPC as a marker holding the bytes, and the service's serializers send them as they are.
import type { ServiceDefinition } from '@grpc/grpc-js';

const ENCODED = Symbol('filly.encodedResponse');

interface EncodedResponse {
  readonly [ENCODED]: Uint8Array;
}

/** A response of type T given as its encoded bytes; only passEncodedResponses' serializers read it. */
export function encodedResponse<T>(bytes: Uint8Array): T {
  const marker: EncodedResponse = { [ENCODED]: bytes };
  return marker as unknown as T;
}

/** The encoding of a message whose only field, number `field`, holds the message `inner`. */
export function encodedAsField(field: number, inner: Uint8Array): Uint8Array {
  if (!(Number.isInteger(field) && field > 0 && field < 16)) throw new Error(`field ${field} needs a one-byte tag`);
  const lengthBytes: number[] = [];
  let n = inner.length;
  do {
    lengthBytes.push(n > 0x7f ? (n & 0x7f) | 0x80 : n);
    n >>>= 7;
  } while (n > 0);
  const out = new Uint8Array(1 + lengthBytes.length + inner.length);
  out[0] = (field << 3) | 2; // wire type 2: length-delimited
  out.set(lengthBytes, 1);
  out.set(inner, 1 + lengthBytes.length);
  return out;
}

/** A copy of the definition whose response serializers send encoded responses as they are. */
export function passEncodedResponses<T extends ServiceDefinition>(definition: T): T {
  const out: Record<string, unknown> = {};
  for (const [method, def] of Object.entries(definition)) {
    const serialize = def.responseSerialize;
    out[method] = {
      ...def,
      responseSerialize: (value: unknown): Buffer => {
        if (typeof value === 'object' && value !== null && ENCODED in value) {
          const bytes = (value as EncodedResponse)[ENCODED];
          return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        }
        return serialize(value);
      },
    };
  }
  return out as T;
}
