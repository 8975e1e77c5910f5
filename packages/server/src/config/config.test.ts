import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from './config.ts';
import { parseProperties } from './properties.ts';

test('defaults match upstream where they apply', () => {
  const c = parseConfig({});
  assert.deepEqual(c.listeners.map((l) => [l.name, l.port, l.protocol]), [['PLAIN', 2023, 'PLAIN']]);
  assert.deepEqual(c.advertisedListeners, [{ name: 'PLAIN', host: 'localhost', port: 2023 }]);
  assert.equal(c.partitionCount, 12);
  assert.equal(c.healthPort, 1822);
  assert.equal(c.limits.maxRecordBytes, 1_047_000);
});

test('listeners, protocols and advertised addresses are parsed together', () => {
  const c = parseConfig({
    LHS_LISTENERS: 'PLAIN:2023,SECURE:2024',
    LHS_LISTENERS_PROTOCOL_MAP: 'SECURE:TLS',
    LHS_LISTENER_SECURE_CERT: '/c.pem',
    LHS_LISTENER_SECURE_KEY: '/k.pem',
    LHS_ADVERTISED_LISTENERS: 'PLAIN://a.example:2023,SECURE://b.example:443',
  });
  assert.deepEqual(c.listeners.map((l) => l.protocol), ['PLAIN', 'TLS']);
  assert.equal(c.advertisedListeners[1]?.host, 'b.example');
});

test('bad values name their key', () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ LHS_CLUSTER_PARTITIONS: 'twelve' }, /LHS_CLUSTER_PARTITIONS/],
    [{ LHS_LISTENERS: 'PLAIN' }, /LHS_LISTENERS/],
    [{ LHS_LISTENERS: 'A:1,B:1' }, /share port/],
    [{ LHS_LISTENERS: 'S:2024', LHS_LISTENERS_PROTOCOL_MAP: 'S:TLS' }, /LHS_LISTENER_S_CERT/],
    [{ LHS_LISTENERS: 'P:2023', LHS_ADVERTISED_LISTENERS: 'Q://h:1' }, /no address for listener P/],
    [{ LHS_LISTENERS_AUTHENTICATION_MAP: 'PLAIN:OAUTH' }, /OAUTH/],
  ];
  for (const [settings, message] of bad) assert.throws(() => parseConfig(settings), (e: unknown) => e instanceof ConfigError && message.test(e.message));
});

test('properties files: comments, separators, continuations', () => {
  assert.deepEqual(parseProperties('# c\n! c\nA=1\nB: two\nC = a\\\n  b\n\nD'), { A: '1', B: 'two', C: 'ab', D: '' });
});
