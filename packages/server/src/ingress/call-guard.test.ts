import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LittleHorseService, WfRunId } from '@filly/proto';
import { DEFAULT_LIMITS } from '../config/limits.ts';
import { ApiError, Code } from '../processor/api-error.ts';
import { CallGuard } from './call-guard.ts';
import { isMalformed, malformedReason, tolerantService } from './malformed-request.ts';
import { isTransientExhaustion, RETRY_PUSHBACK_KEY, RetryLaterError, trailersFor } from './retry-later.ts';

const silentLog = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, child: () => silentLog } as never;

test('undecodable requests become a marker instead of an exception', () => {
  const tolerant = tolerantService(LittleHorseService);
  const good = tolerant.getWfRun.requestDeserialize(Buffer.from(WfRunId.encode({ id: 'a', parentWfRunId: undefined }).finish()));
  assert.equal(isMalformed(good), false);
  const bad = tolerant.getWfRun.requestDeserialize(Buffer.from([0x0e]));
  assert.ok(isMalformed(bad));
  assert.match(malformedReason(bad), /GetWfRun is not a valid protobuf message/);
  assert.throws(() => LittleHorseService.getWfRun.requestDeserialize(Buffer.from([0x0e])), 'the plain definition still throws');
});

test('only transient refusals carry a retry pushback', () => {
  assert.equal(trailersFor(new RetryLaterError('busy; retry later.', 500)).get(RETRY_PUSHBACK_KEY)[0], '500');
  assert.equal(trailersFor(new ApiError(Code.RESOURCE_EXHAUSTED, 'The server has too many writes in progress; retry later.')).get(RETRY_PUSHBACK_KEY).length, 1);
  assert.equal(trailersFor(new ApiError(Code.RESOURCE_EXHAUSTED, 'The request is 2000000 bytes; the limit is 1047000 bytes.')).get(RETRY_PUSHBACK_KEY).length, 0);
  assert.equal(isTransientExhaustion(Code.INVALID_ARGUMENT, 'retry later'), false);
});

test('unary calls beyond maxInFlightRequests are refused until one finishes; malformed ones never run', () => {
  const guard = new CallGuard({ limits: { ...DEFAULT_LIMITS, maxInFlightRequests: 2 }, log: silentLog, isOverflowPeer: () => false });
  const pending: Array<() => void> = [];
  const ran: string[] = [];
  const handlers = Object.fromEntries(Object.keys(LittleHorseService).map((m) => [m, (call: { request: unknown }, cb: (e: unknown, v?: unknown) => void) => {
    ran.push(m);
    pending.push(() => cb(null, {}));
  }]));
  const wrapped = guard.wrap(LittleHorseService, handlers as never) as unknown as Record<string, (call: unknown, cb: (e: { code: number; details: string } | null) => void) => void>;
  const call = (request: unknown) => ({ request, getPeer: () => '127.0.0.1:1' });
  const results: number[] = [];
  for (let i = 0; i < 3; i++) wrapped['getWfRun']!(call({ id: 'a' }), (e) => results.push(e ? e.code : 0));
  assert.deepEqual(results, [Code.RESOURCE_EXHAUSTED as number], 'the third call is refused at once');
  assert.equal(guard.inFlightRequests, 2);
  pending.shift()!();
  assert.equal(guard.inFlightRequests, 1);
  wrapped['getWfRun']!(call({ id: 'b' }), (e) => results.push(e ? e.code : 0));
  assert.equal(guard.inFlightRequests, 2, 'a freed slot is reused');
  const tolerant = tolerantService(LittleHorseService);
  wrapped['getWfRun']!(call(tolerant.getWfRun.requestDeserialize(Buffer.from([0x0e]))), (e) => results.push(e ? e.code : 0));
  assert.equal(results.at(-1), Code.INVALID_ARGUMENT);
  assert.equal(ran.length, 3, 'the malformed and the refused calls never reached a handler');
});
