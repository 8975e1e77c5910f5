import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scrapeTimerLateness, timerFiredLate, type LatenessScrape } from './timer-lateness.ts';

const scrape = (counts: number[], sum: number): LatenessScrape => {
  const les = [1, 10, 100, Infinity];
  return { ok: true, histogram: { buckets: les.map((le, i) => ({ le, count: counts[i]! })), count: counts.at(-1)!, sum } };
};

test('the run\'s share of the histogram, at bucket resolution, with an exact mean', () => {
  // Before: 5 timers already fired (<= 1 ms). During the run: 2 <= 1 ms, 95 in (1, 10], 3 in (10, 100].
  const figure = timerFiredLate(scrape([5, 5, 5, 5], 2), scrape([7, 102, 105, 105], 2 + 600));
  assert.ok('latency' in figure);
  assert.equal(figure.latency.count, 100);
  assert.equal(figure.latency.meanMs, 6);
  assert.equal(figure.latency.p50Ms, 10);
  assert.equal(figure.latency.p90Ms, 10);
  assert.equal(figure.latency.p99Ms, 100, 'the 99th of 100 is in (10, 100]');
  assert.equal(figure.latency.maxMs, 100);
  assert.deepEqual(figure.buckets, [{ le: 1, count: 2 }, { le: 10, count: 95 }, { le: 100, count: 3 }, { le: '+Inf', count: 0 }]);
});

test('timers beyond the last bound give an unbounded quantile (null in the JSON)', () => {
  const figure = timerFiredLate(scrape([0, 0, 0, 0], 0), scrape([0, 0, 0, 4], 4e5));
  assert.ok('latency' in figure);
  assert.equal(figure.latency.p50Ms, Infinity);
  assert.equal(JSON.parse(JSON.stringify(figure)).latency.p50Ms, null);
});

test('no port, no scrape, or nothing fired: the figure says why it is missing', async () => {
  const none = await scrapeTimerLateness(undefined);
  assert.equal(none.ok, false);
  assert.match(JSON.stringify(timerFiredLate(none, none)), /health port is not known/);
  assert.match(JSON.stringify(timerFiredLate(scrape([1, 1, 1, 1], 1), scrape([1, 1, 1, 1], 1))), /no fired timers/);
  assert.match(JSON.stringify(timerFiredLate(scrape([0, 0, 0, 0], 0), { ok: false, reason: 'down' })), /down/);
});
