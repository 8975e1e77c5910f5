// Runs fuzz calls against a server with bounded concurrency and judges every outcome: each call
// must end with a gRPC status before its deadline, never INTERNAL or UNKNOWN (a server bug),
// never UNAVAILABLE (a crash or a dropped connection), and within its case's expectations.
import type { Client } from '@grpc/grpc-js';
import type { FuzzCall } from './fuzz-calls.ts';
import { callStream, callUnary, type CallOutcome } from './raw-call.ts';
import { toHex } from './wire.ts';

const Status = { OK: 0, CANCELLED: 1, UNKNOWN: 2, DEADLINE_EXCEEDED: 4, INTERNAL: 13, UNAVAILABLE: 14 } as const;
const STATUS_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];
export const statusName = (code: number): string => STATUS_NAMES[code] ?? `code ${code}`;

/** Rpcs that wait by design; their deadline passing is not a hang. */
const LONG_POLLS = new Set(['awaitWorkflowEvent']);
const LONG_POLL_DEADLINE_MS = 1_500;
/** Far above any honest answer on a loaded machine: past it, the call is hung. */
export const HANG_DEADLINE_MS = 20_000;

export interface Finding {
  rpc: string;
  seed: number;
  iteration: number;
  kind: string;
  problem: string;
  code: number;
  details: string;
  hex: string;
}

export interface RunStats {
  calls: number;
  byCode: Map<string, number>;
  byRpc: Map<string, number>;
  slowestMs: number;
}

export function newStats(): RunStats {
  return { calls: 0, byCode: new Map(), byRpc: new Map(), slowestMs: 0 };
}

export function judge(call: FuzzCall, outcome: CallOutcome): string | undefined {
  const { code } = outcome;
  if (code === Status.DEADLINE_EXCEEDED && !LONG_POLLS.has(call.rpc.method)) return `no answer within ${HANG_DEADLINE_MS} ms (hang)`;
  if (code === Status.INTERNAL || code === Status.UNKNOWN) return 'server bug status';
  if (code === Status.UNAVAILABLE || code === Status.CANCELLED) return 'the server dropped the call (crash or closed connection)';
  if (call.mustFail && code === Status.OK) return 'an invalid request was accepted';
  if (call.expect && !call.expect.includes(code) && !(code === Status.DEADLINE_EXCEEDED && LONG_POLLS.has(call.rpc.method))) {
    return `expected ${call.expect.map(statusName).join(' or ')}`;
  }
  return undefined;
}

async function send(client: Client, call: FuzzCall): Promise<CallOutcome> {
  if (call.rpc.streaming) return callStream(client, call.rpc.path, call.messages, call.tenant, HANG_DEADLINE_MS);
  const deadline = LONG_POLLS.has(call.rpc.method) ? LONG_POLL_DEADLINE_MS : HANG_DEADLINE_MS;
  return callUnary(client, call.rpc.path, call.messages[0]!, call.tenant, deadline);
}

/** Sends every call of the iterator, `concurrency` at a time; returns the findings. */
export async function runCalls(client: Client, seed: number, calls: Iterator<FuzzCall>, concurrency: number, stats: RunStats): Promise<Finding[]> {
  if (!(concurrency >= 1 && concurrency <= 64)) throw new Error(`concurrency must be 1..64; got ${concurrency}`);
  const findings: Finding[] = [];
  const lane = async (): Promise<void> => {
    for (;;) {
      const next = calls.next();
      if (next.done) return;
      const call = next.value;
      const outcome = await send(client, call);
      stats.calls++;
      stats.slowestMs = Math.max(stats.slowestMs, outcome.elapsedMs);
      const codeName = statusName(outcome.code);
      stats.byCode.set(codeName, (stats.byCode.get(codeName) ?? 0) + 1);
      stats.byRpc.set(call.rpc.name, (stats.byRpc.get(call.rpc.name) ?? 0) + 1);
      const problem = judge(call, outcome);
      if (problem) {
        findings.push({
          rpc: call.rpc.name, seed, iteration: call.iteration, kind: call.kind, problem, code: outcome.code,
          details: outcome.details.slice(0, 300), hex: call.messages.map((m) => toHex(m, 256)).join(' | '),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return findings;
}

export function describeFinding(f: Finding): string {
  return `${f.rpc} (seed ${f.seed}, iteration ${f.iteration}, ${f.kind}): ${f.problem}; got ${statusName(f.code)} "${f.details}"\n    message: ${f.hex}`;
}

export function describeStats(stats: RunStats): string {
  const codes = [...stats.byCode.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(' ');
  return `${stats.calls} calls over ${stats.byRpc.size} rpcs; statuses: ${codes}; slowest ${stats.slowestMs} ms`;
}
