// What one fuzz call sends, built from (seed, iteration) alone so any call can be rebuilt.
import { Prng } from './prng.ts';
import type { RpcInfo } from './schema.ts';
import { mutateBytes, randomMessage, undecodable } from './generate.ts';
import type { HostileCase } from './hostile-cases.ts';

export interface FuzzCall {
  rpc: RpcInfo;
  /** One message for unary rpcs; one or more for streams. */
  messages: Uint8Array[];
  tenant: string | undefined;
  kind: string;
  iteration: number;
  /** Acceptable codes beyond the general rules; undefined: any but a bug status. */
  expect?: readonly number[];
  /** The request is invalid: success is a finding. */
  mustFail?: boolean;
}

export const UNKNOWN_TENANT = 'fuzz-no-such-tenant';
/** Beyond grpc.max_receive_message_length (2 × maxRecordBytes by default). */
const OVER_TRANSPORT_LIMIT_BYTES = 2_200_000;

function messagesFor(rpc: RpcInfo, rng: Prng, build: () => Uint8Array): Uint8Array[] {
  if (!rpc.streaming) return [build()];
  const n = 1 + rng.int(3);
  return Array.from({ length: n }, build);
}

/** A random, mutated or garbage request for rpcs[iteration % rpcs.length]. */
export function randomCall(rpcs: readonly RpcInfo[], seed: number, iteration: number): FuzzCall {
  const rng = Prng.forIteration(seed, iteration);
  const rpc = rpcs[iteration % rpcs.length]!;
  const allowHuge = rng.chance(0.08);
  const r = rng.int(100);
  let kind: string;
  let build: () => Uint8Array;
  let tenant: string | undefined;
  if (r < 10) {
    kind = 'random-bytes';
    build = () => rng.bytes(rng.chance(0.01) ? OVER_TRANSPORT_LIMIT_BYTES : rng.int(300));
  } else if (r < 50) {
    kind = 'schema';
    build = () => randomMessage(rng, rpc.requestType, { fieldMutationChance: 0, allowHuge, maxDepth: 7 });
  } else if (r < 75) {
    kind = 'schema-wrong-fields';
    build = () => randomMessage(rng, rpc.requestType, { fieldMutationChance: 0.1, allowHuge, maxDepth: 7 });
  } else if (r < 95) {
    kind = 'schema-damaged-bytes';
    build = () => mutateBytes(rng, randomMessage(rng, rpc.requestType, { fieldMutationChance: 0, allowHuge: false, maxDepth: 5 }));
  } else {
    kind = 'schema-odd-tenant';
    tenant = rng.pick([UNKNOWN_TENANT, ' ', 'x'.repeat(2_000), 'DEFAULT', 'default ']);
    build = () => randomMessage(rng, rpc.requestType, { fieldMutationChance: 0, allowHuge: false, maxDepth: 5 });
  }
  return { rpc, messages: messagesFor(rpc, rng, build), tenant, kind, iteration };
}

/** A request that must be refused: it does not decode, names no tenant that exists, or is too big. */
export function invalidCall(rpcs: readonly RpcInfo[], seed: number, iteration: number): FuzzCall {
  const rng = Prng.forIteration((seed ^ 0x5eed1) >>> 0, iteration);
  const rpc = rpcs[iteration % rpcs.length]!;
  const valid = (): Uint8Array => randomMessage(rng, rpc.requestType, { fieldMutationChance: 0, allowHuge: false, maxDepth: 4 });
  const r = rng.int(100);
  if (r < 75) return { rpc, messages: messagesFor(rpc, rng, () => undecodable(rng, valid())), tenant: undefined, kind: 'undecodable', iteration, mustFail: true };
  if (r < 97 && rpc.method !== 'getServerVersion') {
    return { rpc, messages: messagesFor(rpc, rng, valid), tenant: UNKNOWN_TENANT, kind: 'unknown-tenant', iteration, mustFail: true };
  }
  return { rpc, messages: [rng.bytes(OVER_TRANSPORT_LIMIT_BYTES)], tenant: undefined, kind: 'over-transport-limit', iteration, mustFail: true, expect: [8] };
}

export function hostileCall(rpcs: readonly RpcInfo[], c: HostileCase, iteration: number): FuzzCall {
  const rpc = rpcs.find((r) => r.method === c.method);
  if (!rpc) throw new Error(`no rpc ${c.method}`);
  return { rpc, messages: [c.bytes], tenant: undefined, kind: `hostile: ${c.label}`, iteration, expect: c.expect };
}
