import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IngressBatcher, type IngressMessage } from './command-producer.ts';

const msg = (n: number): IngressMessage => ({ topic: 't', partition: n % 3, key: Buffer.from(`k${n}`), value: Buffer.from(`v${n}`) });

test('messages sent while a request is in flight go together as the next request, in order', async () => {
  const requests: string[][] = [];
  let release: (() => void) | undefined;
  const batcher = new IngressBatcher((messages) => {
    requests.push(messages.map((m) => String(m.key)));
    return new Promise<void>((resolve) => {
      release = resolve;
    });
  }, 100);
  const first = batcher.send(msg(0));
  const rest = [1, 2, 3].map((n) => batcher.send(msg(n)));
  assert.deepEqual(requests, [['k0']]);
  release!();
  await first;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(requests, [['k0'], ['k1', 'k2', 'k3']]);
  release!();
  await Promise.all(rest);
});

test('a failed request fails every message in it, and later messages are still sent', async () => {
  let calls = 0;
  const batcher = new IngressBatcher(async () => {
    calls++;
    if (calls === 1) throw new Error('broker said no');
  }, 100);
  await assert.rejects(batcher.send(msg(0)), /broker said no/);
  await batcher.send(msg(1));
  assert.equal(calls, 2);
});

test('the queue is bounded', () => {
  const batcher = new IngressBatcher(() => new Promise(() => undefined), 2);
  void batcher.send(msg(0)); // in flight
  void batcher.send(msg(1));
  assert.equal(batcher.hasRoom(), true);
  void batcher.send(msg(2));
  assert.equal(batcher.hasRoom(), false);
});
