// A promise-based view of the generated LittleHorse client for tests: `call.runWf(req)` instead
// of callbacks, with the tenant header and a deadline on every call.
import { LittleHorseClient } from '@filly/proto';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';

type Unary<Req, Res> = (req: Req, md: Metadata, opts: { deadline: Date }, cb: (e: ServiceError | null, r: Res) => void) => unknown;

/** Every unary method of the client, as a function returning a promise. */
export type Calls = {
  [K in keyof LittleHorseClient as LittleHorseClient[K] extends Unary<infer _Req, infer _Res> ? K : never]:
    LittleHorseClient[K] extends Unary<infer Req, infer Res> ? (req: Req) => Promise<Res> : never;
};

export interface TestClient {
  raw: LittleHorseClient;
  call: Calls;
  metadata(): Metadata;
  close(): void;
}

export function connect(address: string, opts: { tenant?: string; deadlineMs?: number } = {}): TestClient {
  const raw = new LittleHorseClient(address, credentials.createInsecure());
  const metadata = (): Metadata => {
    const md = new Metadata();
    if (opts.tenant) md.set('tenantid', opts.tenant);
    return md;
  };
  const call = new Proxy({} as Calls, {
    get(_t, name: string) {
      const fn = (raw as unknown as Record<string, Unary<unknown, unknown>>)[name];
      if (typeof fn !== 'function') throw new Error(`no rpc ${name}`);
      return (req: unknown) =>
        new Promise((resolve, reject) => {
          fn.call(raw, req, metadata(), { deadline: new Date(Date.now() + (opts.deadlineMs ?? 20_000)) }, (e, r) => (e ? reject(e) : resolve(r)));
        });
    },
  });
  return { raw, call, metadata, close: () => raw.close() };
}

/** The gRPC status code of a rejected call (or undefined if it was not a gRPC error). */
export async function codeOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return 0;
  } catch (e) {
    return (e as ServiceError).code;
  }
}
