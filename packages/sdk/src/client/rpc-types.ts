import { LittleHorseService } from '@filly/proto';

/**
 * Types of the LittleHorse RPCs, derived from the generated grpc-js service definition
 * so that the client stays exact without a hand-written wrapper per method.
 */
export type Service = typeof LittleHorseService;

type IsUnary<D> = D extends { requestStream: false; responseStream: false } ? true : false;

export type UnaryMethodName = {
  [K in keyof Service]: IsUnary<Service[K]> extends true ? K : never;
}[keyof Service];

export type RequestOf<K extends keyof Service> = Parameters<Service[K]['requestSerialize']>[0];
export type ResponseOf<K extends keyof Service> = ReturnType<Service[K]['responseDeserialize']>;

export interface CallOptions {
  /** Deadline for this call, from now. Unset: no deadline. */
  readonly timeoutMs?: number;
  /** Aborts the call (the promise rejects with CANCELLED). */
  readonly signal?: AbortSignal;
}

export type UnaryRpcs = {
  readonly [K in UnaryMethodName]: (request: RequestOf<K>, options?: CallOptions) => Promise<ResponseOf<K>>;
};

export const UNARY_METHOD_NAMES: readonly UnaryMethodName[] = (Object.keys(LittleHorseService) as (keyof Service)[])
  .filter((k): k is UnaryMethodName => {
    const def = LittleHorseService[k];
    return !def.requestStream && !def.responseStream;
  })
  .sort();
