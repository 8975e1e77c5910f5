// How late the server FIRED its timers during a run, read from its own histogram
// (filly_timer_lateness_ms on /metrics) scraped before and after. The server observes each fired
// timer when its command is applied, so this excludes delivery to the worker. Bucket resolution:
// a quantile is the upper bound of the bucket it falls in; only the mean is exact.
import { bucketQuantile, histogramDelta, histogramOf, scrapeMetrics, type ScrapedHistogram } from '../tests/harness/prometheus-text.ts';
import type { LatencyMs } from './report.ts';

export const TIMER_LATENESS_METRIC = 'filly_timer_lateness_ms';

export type LatenessScrape = { ok: true; histogram: ScrapedHistogram } | { ok: false; reason: string };

/** The histogram summed over every instance (timers fire where their partition lives). */
export async function scrapeTimerLateness(healthPorts: readonly number[] | undefined): Promise<LatenessScrape> {
  if (healthPorts === undefined || healthPorts.length === 0) {
    return { ok: false, reason: 'the server\'s health port is not known (only when the bench starts the server itself)' };
  }
  try {
    const pages = await Promise.all(healthPorts.map((port) => scrapeMetrics(port)));
    const histogram = histogramOf(pages.flat(), TIMER_LATENESS_METRIC);
    if (histogram === undefined) return { ok: false, reason: `the server does not export ${TIMER_LATENESS_METRIC}` };
    return { ok: true, histogram };
  } catch (err) {
    return { ok: false, reason: `scraping /metrics failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export interface TimerFiredLate {
  source: string;
  resolution: string;
  /** Quantiles and max as bucket upper bounds (null: beyond the last finite bound); exact mean. */
  latency: LatencyMs;
  /** Observations per bucket during the run (not cumulative), by upper bound in ms ('+Inf' last). */
  buckets: Array<{ le: number | '+Inf'; count: number }>;
}

export type TimerFiredFigure = TimerFiredLate | { unavailable: string };

/** What was observed between the two scrapes. */
export function timerFiredLate(before: LatenessScrape, after: LatenessScrape): TimerFiredFigure {
  if (!after.ok) return { unavailable: after.reason };
  if (!before.ok) return { unavailable: before.reason };
  const delta = histogramDelta(after.histogram, before.histogram);
  if (delta.count <= 0) return { unavailable: 'the server counted no fired timers during the run' };
  const q = (p: number): number => bucketQuantile(delta, p) ?? 0;
  const buckets: TimerFiredLate['buckets'] = [];
  let previous = 0;
  let maxBound = 0;
  for (const b of delta.buckets) {
    const inBucket = b.count - previous;
    previous = b.count;
    buckets.push({ le: b.le === Infinity ? '+Inf' : b.le, count: inBucket });
    if (inBucket > 0) maxBound = b.le;
  }
  return {
    source: `${TIMER_LATENESS_METRIC} on the server's /metrics, scraped before and after the run`,
    resolution: 'bucket: p50/p90/p99/p99.9/max are the upper bounds of their buckets; the mean is exact',
    latency: {
      count: delta.count,
      meanMs: Math.round((delta.sum / delta.count) * 1000) / 1000,
      p50Ms: q(0.5),
      p90Ms: q(0.9),
      p99Ms: q(0.99),
      p999Ms: q(0.999),
      maxMs: maxBound,
      negatives: 0,
    },
    buckets,
  };
}
