import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allRpcNames, buildService, implementedRpcNames } from './service.ts';
import type { IngressDeps } from './deps.ts';

test('every rpc of the contract has a handler', () => {
  const service = buildService({} as IngressDeps);
  assert.equal(allRpcNames().length, 106);
  assert.equal(Object.keys(service).length, 106);
  for (const h of Object.values(service)) assert.equal(typeof h, 'function');
});

test('an rpc not served yet answers UNIMPLEMENTED with a message naming it', async () => {
  const service = buildService({} as IngressDeps) as unknown as Record<string, (call: unknown, cb: (e: { code: number; details: string } | null) => void) => void>;
  const error = await new Promise<{ code: number; details: string } | null>((resolve) => service['searchQuota']!({ request: {} }, resolve));
  assert.equal(error?.code, 12);
  assert.match(error?.details ?? '', /SearchQuota is not implemented/);
});

test('the served rpcs include the foundation set', () => {
  const served = new Set(implementedRpcNames());
  for (const name of ['PutTaskDef', 'PutWfSpec', 'RunWf', 'GetWfRun', 'PollTask', 'ReportTask', 'RegisterTaskWorker', 'Whoami', 'GetServerVersion']) {
    assert.ok(served.has(name), name);
  }
});
