// Reading a /metrics page (Prometheus text format 0.0.4) in tests and benchmarks: samples,
// histograms as cumulative buckets, the difference of two scrapes, and quantiles at bucket
// resolution (a quantile is known only to lie in a bucket; we answer with its upper bound).

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface HistogramBucket {
  /** Upper bound (`le`); Infinity for the last bucket. */
  le: number;
  /** Observations <= le (cumulative, as exposed). */
  count: number;
}

export interface ScrapedHistogram {
  buckets: HistogramBucket[];
  count: number;
  sum: number;
}

/** Bounds the work on a hostile or broken page. */
const MAX_LINES = 200_000;

export async function scrapeMetrics(healthPort: number, path = '/metrics', host = '127.0.0.1', timeoutMs = 10_000): Promise<Sample[]> {
  const res = await fetch(`http://${host}:${healthPort}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path} on port ${healthPort} answered ${res.status}: ${text.slice(0, 200)}`);
  return parseSamples(text);
}

export function parseSamples(text: string): Sample[] {
  const lines = text.split('\n');
  if (lines.length > MAX_LINES) throw new Error(`a metrics page of ${lines.length} lines is more than ${MAX_LINES}`);
  const samples: Sample[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    samples.push(parseLine(line));
  }
  return samples;
}

function parseLine(line: string): Sample {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  const labels: Record<string, string> = {};
  let rest: string;
  let name: string;
  if (brace >= 0 && (space < 0 || brace < space)) {
    name = line.slice(0, brace);
    let i = brace + 1;
    // Label values may hold any character, escaped: walk them instead of splitting.
    while (line[i] !== '}') {
      if (i >= line.length) throw new Error(`unterminated labels in: ${line}`);
      const eq = line.indexOf('=', i);
      if (eq < 0 || line[eq + 1] !== '"') throw new Error(`bad label in: ${line}`);
      const key = line.slice(i, eq).trim();
      let value = '';
      let j = eq + 2;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\') {
          j++;
          const c = line[j];
          value += c === 'n' ? '\n' : (c ?? '');
        } else {
          value += line[j];
        }
      }
      if (j >= line.length) throw new Error(`unterminated label value in: ${line}`);
      labels[key] = value;
      i = j + 1;
      if (line[i] === ',') i++;
    }
    rest = line.slice(i + 1).trim();
  } else {
    if (space < 0) throw new Error(`no value in: ${line}`);
    name = line.slice(0, space);
    rest = line.slice(space + 1).trim();
  }
  const valueText = rest.split(/\s+/)[0] ?? '';
  return { name, labels, value: parseValue(valueText, line) };
}

function parseValue(text: string, line: string): number {
  // Case varies between writers (prom-client prints "Nan").
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const n = Number(text);
  if (text === '' || Number.isNaN(n)) throw new Error(`bad value "${text}" in: ${line}`);
  return n;
}

function matches(sample: Sample, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(labels)) if (sample.labels[k] !== v) return false;
  return true;
}

/** Sum of the samples called `name` whose labels include `labels` (0 when there are none). */
export function sampleSum(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const s of samples) if (s.name === name && matches(s, labels)) sum += s.value;
  return sum;
}

/** Whether any sample is called `name` (a metric with no series yet has none). */
export function hasSample(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): boolean {
  return samples.some((s) => s.name === name && matches(s, labels));
}

/**
 * The histogram `name`, summed over every series whose labels include `labels` (so several
 * servers' scrapes, concatenated, give the cluster's histogram). Undefined when absent.
 */
export function histogramOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): ScrapedHistogram | undefined {
  const byLe = new Map<number, number>();
  let count = 0;
  let sum = 0;
  let seen = false;
  for (const s of samples) {
    if (!matches(s, labels)) continue;
    if (s.name === `${name}_bucket`) {
      const leText = s.labels['le'];
      if (leText === undefined) throw new Error(`${name}_bucket without le`);
      const le = parseValue(leText, `le="${leText}"`);
      byLe.set(le, (byLe.get(le) ?? 0) + s.value);
      seen = true;
    } else if (s.name === `${name}_count`) {
      count += s.value;
    } else if (s.name === `${name}_sum`) {
      sum += s.value;
    }
  }
  if (!seen) return undefined;
  const buckets = [...byLe].map(([le, c]) => ({ le, count: c })).sort((a, b) => a.le - b.le);
  return { buckets, count, sum };
}

/** What was observed between two scrapes of the same histogram (same buckets). */
export function histogramDelta(after: ScrapedHistogram, before: ScrapedHistogram | undefined): ScrapedHistogram {
  if (before === undefined) return after;
  const prior = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (prior.get(b.le) ?? 0) })),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/**
 * The q-quantile (0 < q <= 1) at bucket resolution: the upper bound of the first bucket holding
 * at least q of the observations. Infinity when it lies beyond the last finite bound; undefined
 * for an empty histogram.
 */
export function bucketQuantile(h: ScrapedHistogram, q: number): number | undefined {
  if (!(q > 0 && q <= 1)) throw new Error(`quantile must be in (0, 1], got ${q}`);
  const total = h.buckets.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  // The rank-th smallest observation (1-based); the epsilon keeps 0.99 * 100 from becoming 100.
  const rank = Math.max(1, Math.ceil(q * total - 1e-9));
  for (const b of h.buckets) if (b.count >= rank) return b.le;
  return Infinity;
}
