// Test helper: what a prom-client Registry would show on /metrics, as plain samples, without
// parsing the text format (the integration tests and the bench do that against real servers).
import type { Registry } from 'prom-client';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export async function scrape(registry: Registry): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const v of metric.values) {
      const named = v as typeof v & { metricName?: string };
      const labels: Record<string, string> = {};
      for (const [k, l] of Object.entries(v.labels)) labels[k] = String(l);
      samples.push({ name: named.metricName ?? metric.name, labels, value: v.value });
    }
  }
  return samples;
}

function matches(s: Sample, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => s.labels[k] === v);
}

export function sampleSum(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && matches(s, labels)).reduce((sum, s) => sum + s.value, 0);
}

export function hasSample(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): boolean {
  return samples.some((s) => s.name === name && matches(s, labels));
}

/** Cumulative buckets (le as a number, +Inf as Infinity), count and sum of one histogram. */
export function histogramOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): { buckets: Array<{ le: number; count: number }>; count: number; sum: number } | undefined {
  const buckets = samples
    .filter((s) => s.name === `${name}_bucket` && matches(s, labels))
    .map((s) => ({ le: s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']), count: s.value }))
    .sort((a, b) => a.le - b.le);
  if (buckets.length === 0) return undefined;
  return { buckets, count: sampleSum(samples, `${name}_count`, labels), sum: sampleSum(samples, `${name}_sum`, labels) };
}
