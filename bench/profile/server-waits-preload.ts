// Loaded into a server the bench starts with --server-cpu-prof (node --import): records where the
// server WAITS, which a CPU profile cannot show. @platformatic/kafka publishes every produce,
// transaction step and fetch on node:diagnostics_channel tracing channels; this listens to them
// and keeps a latency histogram per kind of call, plus event-loop delay and utilisation. At exit
// it writes <dir>/waits-<pid>.json. It also times the server's store calls (RocksKv get, scan and
// write, wrapped from outside: same module, same class), since each awaited RocksDB call is a hop
// through libuv's thread pool. The server's behaviour is unchanged; with no FILLY_BENCH_WAITS_DIR
// it does nothing.
import { tracingChannel } from 'node:diagnostics_channel';
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Histogram, type HistogramSnapshot } from '../histogram.ts';

const DIR = process.env['FILLY_BENCH_WAITS_DIR'];
/** Control batches (transaction markers) carry this attribute bit. */
const IS_CONTROL = 0x20;
const MAX_KINDS = 64;

export interface WaitsFile {
  pid: number;
  /** Seconds from the first Kafka call to exit. */
  spanSec: number;
  /** Microsecond histograms of call durations, by kind. */
  callsUs: Record<string, HistogramSnapshot>;
  /** Sizes (messages per transactional produce, records per fetch) as plain histograms. */
  sizes: Record<string, HistogramSnapshot>;
  errors: Record<string, number>;
  /** Event-loop delay, microseconds (a timer's lateness: how long the loop was busy). */
  eventLoopDelayUs: { p50: number; p99: number; max: number; mean: number };
  /** Share of wall time the event loop was running JavaScript, 0..1. */
  eventLoopUtilization: number;
}

type Ctx = Record<string | symbol, unknown>;

type AsyncMethod = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/** Wraps RocksKv's get/scan/write with timers: metadata (m/...) and partition (c/...) keys apart. */
function timeStore(calls: Map<string, Histogram>): void {
  // A computed specifier: the bench's typecheck must not pull in the server's store and its types.
  const storeModule: string = '../../packages/server/src/store/rocks-kv.ts';
  (import(storeModule) as Promise<{ RocksKv: { prototype: object } }>).then(({ RocksKv }) => {
    const proto = RocksKv.prototype as Record<string, AsyncMethod>;
    const wrap = (method: string, kindOf: (args: unknown[]) => string): void => {
      const original = proto[method];
      if (typeof original !== 'function') return;
      proto[method] = async function timed(this: unknown, ...args: unknown[]): Promise<unknown> {
        const t = process.hrtime.bigint();
        try {
          return await original.apply(this, args);
        } finally {
          const kind = kindOf(args);
          let h = calls.get(kind);
          if (h === undefined && calls.size < MAX_KINDS) calls.set(kind, (h = new Histogram()));
          h?.record(Number(process.hrtime.bigint() - t) / 1000);
        }
      };
    };
    const space = (key: unknown): string => (typeof key === 'string' && key.startsWith('m/') ? 'metadata' : 'partition');
    wrap('get', (a) => `store get (${space(a[0])} key)`);
    wrap('scan', (a) => `store scan (${space((a[0] as { prefix?: unknown } | undefined)?.prefix)} prefix)`);
    wrap('write', () => 'store write batch');
  }, () => undefined);
}

function install(dir: string): void {
  const calls = new Map<string, Histogram>();
  const sizes = new Map<string, Histogram>();
  const errors: Record<string, number> = {};
  const started = new WeakMap<object, { t: bigint; kind: string }>();
  let firstCallNs: bigint | undefined;

  const hist = (m: Map<string, Histogram>, kind: string): Histogram | undefined => {
    let h = m.get(kind);
    if (h === undefined && m.size < MAX_KINDS) m.set(kind, (h = new Histogram()));
    return h;
  };

  /** `refine` may name the kind anew once the call has answered (a fetch that found records or not). */
  const listen = (channel: string, kindOf: (ctx: Ctx) => string, refine?: (ctx: Ctx, kind: string) => string): void => {
    tracingChannel(channel).subscribe({
      start(raw) {
        const ctx = raw as Ctx;
        const t = process.hrtime.bigint();
        firstCallNs ??= t;
        started.set(ctx, { t, kind: kindOf(ctx) });
      },
      end() {},
      asyncStart() {},
      asyncEnd(raw) {
        const ctx = raw as Ctx;
        const s = started.get(ctx);
        if (s === undefined) return;
        started.delete(ctx);
        const kind = ctx['error'] === undefined && refine !== undefined ? refine(ctx, s.kind) : s.kind;
        hist(calls, kind)?.record(Number(process.hrtime.bigint() - s.t) / 1000);
      },
      error(raw) {
        const s = started.get(raw as Ctx);
        const kind = s?.kind ?? 'unknown';
        errors[kind] = (errors[kind] ?? 0) + 1;
      },
    });
  };

  const topicsOf = (ctx: Ctx): string[] => {
    const options = ctx['options'] as { messages?: Array<{ topic?: string }> } | undefined;
    return [...new Set((options?.messages ?? []).map((m) => m.topic ?? ''))];
  };
  // Commands go to *-cmd topics (ingress, idempotent); a partition's batch goes to the changelog
  // and repartition topics inside its transaction.
  listen('plt:kafka:producer:sends', (ctx) => (topicsOf(ctx).every((t) => t.endsWith('-cmd')) ? 'produce command (ingress, acks=all)' : 'produce batch (in transaction)'),
    (ctx, kind) => {
      const n = (ctx['options'] as { messages?: unknown[] } | undefined)?.messages?.length ?? 0;
      hist(sizes, `messages per ${kind}`)?.record(n);
      return kind;
    });
  listen('plt:kafka:producer:transactions', (ctx) => `transaction ${String(ctx['operation'])}`);
  listen('plt:kafka:consumer:fetches', () => 'fetch', (ctx) => {
    let records = 0;
    const result = ctx['result'] as { responses?: Array<{ partitions?: Array<{ records?: Array<{ attributes: number; records?: unknown[] }> }> }> } | undefined;
    for (const topic of result?.responses ?? []) {
      for (const part of topic.partitions ?? []) {
        for (const batch of part.records ?? []) if ((batch.attributes & IS_CONTROL) === 0) records += batch.records?.length ?? 0;
      }
    }
    hist(sizes, 'records per fetch')?.record(records);
    // A fetch that found nothing waited out the broker's maxWait; one that returned data did not.
    return records > 0 ? 'fetch (returned records)' : 'fetch (returned nothing)';
  });
  listen('plt:kafka:base:metadata', () => 'metadata');
  timeStore(calls);

  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const elu0 = performance.eventLoopUtilization();

  process.on('exit', () => {
    delay.disable();
    const elu = performance.eventLoopUtilization(elu0);
    const snap = (m: Map<string, Histogram>): Record<string, HistogramSnapshot> => Object.fromEntries([...m].map(([k, h]) => [k, h.snapshot()]));
    const out: WaitsFile = {
      pid: process.pid,
      spanSec: firstCallNs === undefined ? 0 : Number(process.hrtime.bigint() - firstCallNs) / 1e9,
      callsUs: snap(calls),
      sizes: snap(sizes),
      errors,
      eventLoopDelayUs: { p50: delay.percentile(50) / 1000, p99: delay.percentile(99) / 1000, max: delay.max / 1000, mean: delay.mean / 1000 },
      eventLoopUtilization: elu.utilization,
    };
    try {
      fs.writeFileSync(path.join(dir, `waits-${process.pid}.json`), JSON.stringify(out));
    } catch {
      // A profile is a courtesy; never fail the server's exit over it.
    }
  });
}

if (DIR !== undefined && DIR !== '') install(DIR);
