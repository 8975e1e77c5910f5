import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { LittleHorseService } from '@filly/proto';
import { DEFAULT_LIMITS } from '../config/limits.ts';
import { ApiError, Code } from '../processor/api-error.ts';
import { CallGuard } from '../ingress/call-guard.ts';
import { tolerantService } from '../ingress/malformed-request.ts';
import { toServiceError } from '../ingress/status.ts';
import { RpcMetrics, RPC_METRIC_NAMES } from './rpc-metrics.ts';
import { histogramOf, sampleSum, scrape } from './testing/registry-samples.ts';

const silentLog = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, child: () => silentLog } as never;

type Callback = (e: { code?: number } | null, v?: unknown) => void;
type Wrapped = Record<string, (call: unknown, cb: Callback) => void>;

function guarded(maxInFlightRequests: number, registry: Registry, behave: (method: string, cb: Callback) => void): Wrapped {
  const guard = new CallGuard({ limits: { ...DEFAULT_LIMITS, maxInFlightRequests }, log: silentLog, isOverflowPeer: () => false, rpcs: new RpcMetrics(registry) });
  const handlers = Object.fromEntries(Object.keys(LittleHorseService).map((m) => [m, (_call: unknown, cb: Callback) => behave(m, cb)]));
  return guard.wrap(LittleHorseService, handlers as never) as unknown as Wrapped;
}

const call = (request: unknown) => ({ request, getPeer: () => '127.0.0.1:1' });
const calls = (s: Awaited<ReturnType<typeof scrape>>, method: string, code: string): number =>
  sampleSum(s, RPC_METRIC_NAMES.calls, { method, code });

test('every unary answer is counted by method and status, refusals included, with its latency', async () => {
  const registry = new Registry();
  const held: Callback[] = [];
  const wrapped = guarded(1, registry, (method, cb) => {
    if (method === 'getWfRun') cb(toServiceError(new ApiError(Code.NOT_FOUND, 'no such WfRun'), silentLog, 'GetWfRun'));
    else if (method === 'getTaskDef') cb({});
    else if (method === 'runWf') held.push(cb);
    else cb(null, {});
  });
  const noop: Callback = () => undefined;
  wrapped['runWf']!(call({}), noop);
  wrapped['runWf']!(call({}), noop); // beyond maxInFlightRequests=1: refused by the guard
  held.shift()!(null, {});
  wrapped['getWfRun']!(call({ id: 'a' }), noop);
  wrapped['getTaskDef']!(call({}), noop);
  wrapped['whoami']!(call(tolerantService(LittleHorseService).whoami.requestDeserialize(Buffer.from([0x0e]))), noop);
  const s = await scrape(registry);
  assert.equal(calls(s, 'RunWf', 'OK'), 1);
  assert.equal(calls(s, 'RunWf', 'RESOURCE_EXHAUSTED'), 1);
  assert.equal(calls(s, 'GetWfRun', 'NOT_FOUND'), 1);
  assert.equal(calls(s, 'GetTaskDef', 'UNKNOWN'), 1, 'an error without a code is UNKNOWN');
  assert.equal(calls(s, 'Whoami', 'INVALID_ARGUMENT'), 1, 'a malformed request never reaches the handler but is counted');
  assert.equal(sampleSum(s, RPC_METRIC_NAMES.calls), 5);
  assert.equal(histogramOf(s, RPC_METRIC_NAMES.latencyMs, { method: 'RunWf' })?.count, 2);
  assert.equal(histogramOf(s, RPC_METRIC_NAMES.latencyMs)?.count, 5);
});

test('a handler answering twice is counted once', async () => {
  const registry = new Registry();
  const wrapped = guarded(10, registry, (_m, cb) => {
    cb(null, {});
    cb(null, {});
  });
  wrapped['getWfRun']!(call({ id: 'a' }), () => undefined);
  assert.equal(calls(await scrape(registry), 'GetWfRun', 'OK'), 1);
});

test('a PollTask stream counts once when accepted, and its refusal by its code', async () => {
  const registry = new Registry();
  const guard = new CallGuard({ limits: { ...DEFAULT_LIMITS, maxPollTaskStreams: 1 }, log: silentLog, isOverflowPeer: () => false, rpcs: new RpcMetrics(registry) });
  const handlers = Object.fromEntries(Object.keys(LittleHorseService).map((m) => [m, () => undefined]));
  const wrapped = guard.wrap(LittleHorseService, handlers as never) as unknown as Record<string, (s: unknown) => void>;
  const stream = (): EventEmitter & { getPeer(): string; destroyed: boolean; writableEnded: boolean; destroy(): void } =>
    Object.assign(new EventEmitter(), { getPeer: () => '127.0.0.1:2', destroyed: false, writableEnded: false, destroy: () => undefined });
  const first = stream();
  wrapped['pollTask']!(first);
  const second = stream();
  second.on('error', () => undefined);
  wrapped['pollTask']!(second);
  const s = await scrape(registry);
  assert.equal(calls(s, 'PollTask', 'OK'), 1);
  assert.equal(calls(s, 'PollTask', 'RESOURCE_EXHAUSTED'), 1);
  assert.equal(histogramOf(s, RPC_METRIC_NAMES.latencyMs, { method: 'PollTask' }), undefined, 'streams have no latency series');
});

test('recorders are made once per method and reused', () => {
  const metrics = new RpcMetrics(new Registry());
  assert.equal(metrics.forMethod('RunWf'), metrics.forMethod('RunWf'));
  assert.notEqual(metrics.forMethod('RunWf'), metrics.forMethod('GetWfRun'));
});
