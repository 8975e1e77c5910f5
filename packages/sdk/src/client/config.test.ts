import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.ts';
import { parseProperties } from './properties-file.ts';

function propsFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'filly-sdk-config-'));
  const path = join(dir, 'littlehorse.config');
  writeFileSync(path, text);
  return path;
}

test('defaults apply when nothing is set', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.apiHost, 'localhost');
  assert.equal(c.apiPort, 2023);
  assert.equal(c.protocol, 'PLAINTEXT');
  assert.equal(c.tenantId, undefined);
  assert.equal(c.keepaliveTimeMs, 45_000);
  assert.equal(c.keepaliveTimeoutMs, 5_000);
  assert.equal(c.resourceExhaustedRetry, true);
  assert.match(c.taskWorkerId, /^worker-[0-9a-f]{32}$/);
  assert.notEqual(loadConfig({ env: {} }).taskWorkerId, c.taskWorkerId, 'random per load');
  assert.equal(c.taskWorkerVersion, '');
  assert.equal(c.oauth, undefined);
});

test('explicit options beat env, env beats the file, the file beats defaults', () => {
  const file = propsFile(
    ['# a comment', 'LHC_API_HOST=file-host', 'LHC_API_PORT = 3000', 'LHC_TENANT_ID=file-tenant', 'LHW_TASK_WORKER_ID=file-w', 'OTHER=x', ''].join('\n'),
  );
  const env = { LHC_API_HOST: 'env-host', LHC_TENANT_ID: 'env-tenant' };
  const c = loadConfig({ configFile: file, env, tenantId: 'opt-tenant' });
  assert.equal(c.tenantId, 'opt-tenant', 'option wins');
  assert.equal(c.apiHost, 'env-host', 'env beats file');
  assert.equal(c.apiPort, 3000, 'file beats default');
  assert.equal(c.taskWorkerId, 'file-w');
  assert.equal(loadConfig({ configFile: file, env: {} }).apiHost, 'file-host');
});

test('all LHC_/LHW_ keys are read', () => {
  const c = loadConfig({
    env: {
      LHC_API_PROTOCOL: 'tls',
      LHC_CA_CERT: '/ca.pem',
      LHC_CLIENT_CERT: '/c.pem',
      LHC_CLIENT_KEY: '/k.pem',
      LHC_OAUTH_CLIENT_ID: 'id',
      LHC_OAUTH_CLIENT_SECRET: 'secret',
      LHC_OAUTH_ACCESS_TOKEN_URL: 'http://idp/token',
      LHC_GRPC_KEEPALIVE_TIME_MS: '1000',
      LHC_GRPC_KEEPALIVE_TIMEOUT_MS: '200',
      LHC_GRPC_RESOURCE_EXHAUSTED_RETRY: 'false',
      LHW_TASK_WORKER_VERSION: 'v9',
      LHW_NUM_WORKER_THREADS: '4',
    },
  });
  assert.equal(c.protocol, 'TLS');
  assert.deepEqual([c.caCert, c.clientCert, c.clientKey], ['/ca.pem', '/c.pem', '/k.pem']);
  assert.deepEqual(c.oauth, { clientId: 'id', clientSecret: 'secret', accessTokenUrl: 'http://idp/token' });
  assert.deepEqual([c.keepaliveTimeMs, c.keepaliveTimeoutMs], [1000, 200]);
  assert.equal(c.resourceExhaustedRetry, false);
  assert.equal(c.taskWorkerVersion, 'v9');
  assert.equal(c.numWorkerThreads, 4);
});

test('bad settings are refused with the key in the message', () => {
  assert.throws(() => loadConfig({ env: { LHC_API_PORT: 'abc' } }), /LHC_API_PORT/);
  assert.throws(() => loadConfig({ env: { LHC_API_PROTOCOL: 'HTTP' } }), ConfigError);
  assert.throws(() => loadConfig({ env: { LHC_GRPC_RESOURCE_EXHAUSTED_RETRY: 'yes' } }), /RESOURCE_EXHAUSTED/);
  assert.throws(() => loadConfig({ env: { LHC_OAUTH_CLIENT_ID: 'only-id' } }), /OAuth needs/);
  assert.throws(() => loadConfig({ env: { LHC_CLIENT_CERT: '/c.pem' } }), /together/);
});

test('properties parsing: comments, separators, whitespace, last key wins', () => {
  const p = parseProperties('# c\n! also\n\n A = 1 \nB:2\nA=3\nnoseparator\n');
  assert.deepEqual([...p], [['A', '3'], ['B', '2']]);
});
