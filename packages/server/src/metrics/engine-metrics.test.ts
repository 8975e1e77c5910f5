import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { TaskQueues } from '../effects/task-queues/task-queues.ts';
import { EngineMetrics, ENGINE_METRIC_NAMES } from './engine-metrics.ts';
import { ENGINE_GAUGE_NAMES, MAX_TASK_QUEUE_SERIES, registerEngineGauges } from './engine-gauges.ts';
import { taskGaugeSource } from './engine-gauge-sources.ts';
import { histogramOf, hasSample, sampleSum, scrape } from './testing/registry-samples.ts';

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined } as never;

test('batches, durable writes and timer lateness land in their histograms and counters', async () => {
  const registry = new Registry();
  const m = new EngineMetrics(registry);
  m.batchApplied(3, 0.2);
  m.batchApplied(40, 4);
  m.batchDurable(43, 6);
  for (const lateMs of [0.3, 1.5, 1.7, 12, 12, 140, 9_000, 60_000]) m.timerFired(lateMs);
  const s = await scrape(registry);
  const n = ENGINE_METRIC_NAMES;
  const sizes = histogramOf(s, n.batchCommands)!;
  assert.equal(sizes.count, 2);
  assert.equal(sizes.sum, 43);
  assert.equal(sizes.buckets.find((b) => b.le === 4)?.count, 1, 'the 3-command batch is <= 4');
  assert.equal(sizes.buckets.find((b) => b.le === 64)?.count, 2);
  assert.equal(sampleSum(s, n.commandsApplied), 43);
  assert.equal(sampleSum(s, n.commandsDurable), 43);
  assert.equal(histogramOf(s, n.batchApplyMs)?.count, 2);
  assert.equal(histogramOf(s, n.batchDurableMs)?.sum, 6);
  const late = histogramOf(s, n.timerLatenessMs)!;
  assert.equal(late.count, 8);
  assert.equal(late.buckets.find((b) => b.le === 0.5)?.count, 1);
  assert.equal(late.buckets.find((b) => b.le === 2)?.count, 3, '1.5 and 1.7 ms fall in (1, 2]');
  assert.equal(late.buckets.find((b) => b.le === 10_000)?.count, 7, 'the 60 s timer is only in +Inf');
  assert.equal(late.buckets.find((b) => b.le === Infinity)?.count, 8);
});

test('odd values are dropped instead of thrown (an observer must never fail a batch)', async () => {
  const registry = new Registry();
  const m = new EngineMetrics(registry);
  assert.doesNotThrow(() => {
    m.batchApplied(Number.NaN, 1);
    m.batchApplied(2, Number.POSITIVE_INFINITY);
    m.batchDurable(-1, 1);
    m.timerFired(Number.NaN);
    m.timerFired(-5);
  });
  const s = await scrape(registry);
  assert.equal(histogramOf(s, ENGINE_METRIC_NAMES.batchCommands)?.count, 0);
  assert.equal(histogramOf(s, ENGINE_METRIC_NAMES.batchDurableMs)?.count, 0);
  const late = histogramOf(s, ENGINE_METRIC_NAMES.timerLatenessMs)!;
  assert.equal(late.count, 1, 'a negative lateness counts as on time');
  assert.equal(late.buckets[0]?.count, 1);
});

test('each server registers its metrics on its own registry', () => {
  const a = new Registry();
  const b = new Registry();
  new EngineMetrics(a);
  assert.doesNotThrow(() => new EngineMetrics(b));
  assert.throws(() => new EngineMetrics(a), /already been registered/);
});

test('gauges are read at scrape time, and only those the engine can tell are registered', async () => {
  const registry = new Registry();
  let loaded = 3;
  const names = registerEngineGauges(registry, { timersLoaded: () => loaded, pendingCommands: () => 7 });
  assert.deepEqual(names.sort(), [ENGINE_GAUGE_NAMES.pendingCommands, ENGINE_GAUGE_NAMES.timersLoaded].sort());
  let s = await scrape(registry);
  assert.equal(sampleSum(s, ENGINE_GAUGE_NAMES.timersLoaded), 3);
  assert.equal(sampleSum(s, ENGINE_GAUGE_NAMES.pendingCommands), 7);
  assert.equal(hasSample(s, ENGINE_GAUGE_NAMES.cachedWfRuns), false, 'no source, no gauge (not a made-up 0)');
  loaded = 11;
  s = await scrape(registry);
  assert.equal(sampleSum(s, ENGINE_GAUGE_NAMES.timersLoaded), 11);
});

test('task queue sizes per tenant and TaskDef, names with separators included; emptied queues vanish', async () => {
  const registry = new Registry();
  const tasks = new TaskQueues({ maxQueuedTasks: 100, maxWaiters: 10 }, silent);
  registerEngineGauges(registry, taskGaugeSource(tasks));
  const task = { taskDefId: undefined } as never;
  tasks.onScheduled('acme', 'send-mail', 'k1', task);
  tasks.onScheduled('acme', 'send-mail', 'k2', task);
  tasks.onScheduled('a/b:1', 'x/y', 'k3', task);
  let s = await scrape(registry);
  const name = ENGINE_GAUGE_NAMES.queuedTasks;
  assert.equal(sampleSum(s, name, { tenant: 'acme', task_def: 'send-mail' }), 2);
  assert.equal(sampleSum(s, name, { tenant: 'a/b:1', task_def: 'x/y' }), 1);
  tasks.onUnscheduled('a/b:1', 'x/y', 'k3');
  s = await scrape(registry);
  assert.equal(hasSample(s, name, { tenant: 'a/b:1' }), false);
  assert.equal(sampleSum(s, name), 2);
});

test('beyond the series cap the smallest queues are summed into one series', async () => {
  const registry = new Registry();
  const queues = Array.from({ length: MAX_TASK_QUEUE_SERIES + 3 }, (_, i) => ({ tenant: 't', taskDefName: `d${i}`, tasks: i + 1 }));
  registerEngineGauges(registry, { queuedTasks: () => queues });
  const s = await scrape(registry);
  const series = s.filter((x) => x.name === ENGINE_GAUGE_NAMES.queuedTasks);
  assert.equal(series.length, MAX_TASK_QUEUE_SERIES + 1);
  assert.equal(sampleSum(s, ENGINE_GAUGE_NAMES.queuedTasks, { tenant: '', task_def: '' }), 1 + 2 + 3);
  assert.equal(sampleSum(s, ENGINE_GAUGE_NAMES.queuedTasks), queues.reduce((sum, q) => sum + q.tasks, 0));
});
