// The CPU and memory samples of a run boiled down to one line each: what the servers, the broker
// and the bench's own processes used on average, and how long the servers' event loops waited
// for a CPU, which says whether the figures measure Filly or a crowded machine.
import type { ProcSample } from './proc-sampler.ts';

export interface ProcSummary {
  seconds: number;
  /** Mean CPU per server instance, percent of one core. */
  serverCpuPct: Array<number | undefined>;
  /** Mean share of time each server's event-loop thread waited on a run queue. */
  serverRunQueuePct: Array<number | undefined>;
  serverRssMbMax: Array<number | undefined>;
  brokerCpuPct: number | undefined;
  clientsCpuPct: number | undefined;
  workersCpuPct: number | undefined;
}

function mean(xs: Array<number | undefined>): number | undefined {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length === 0 ? undefined : Math.round((v.reduce((a, b) => a + b, 0) / v.length) * 10) / 10;
}

function maxOf(xs: Array<number | undefined>): number | undefined {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length === 0 ? undefined : Math.max(...v);
}

export function summarizeSamples(samples: ProcSample[]): ProcSummary {
  const n = Math.max(0, ...samples.map((s) => s.serversCpuPct?.length ?? 0));
  const per = <T>(f: (s: ProcSample, i: number) => T): T[][] => Array.from({ length: n }, (_, i) => samples.map((s) => f(s, i)));
  return {
    seconds: samples.length,
    serverCpuPct: per((s, i) => s.serversCpuPct?.[i]).map(mean),
    serverRunQueuePct: per((s, i) => s.serversRunQueuePct?.[i]).map(mean),
    serverRssMbMax: per((s, i) => s.serversRssMb?.[i]).map(maxOf),
    brokerCpuPct: mean(samples.map((s) => s.brokerCpuPct)),
    clientsCpuPct: mean(samples.map((s) => s.clientsCpuPct)),
    workersCpuPct: mean(samples.map((s) => s.workersCpuPct)),
  };
}

export function printProcSummary(p: ProcSummary): void {
  if (p.seconds === 0) return;
  const list = (xs: Array<number | undefined>, unit: string): string => xs.map((x) => (x === undefined ? '?' : `${x}${unit}`)).join(', ');
  console.log(`  CPU over ${p.seconds} s (mean, % of one core): server${p.serverCpuPct.length === 1 ? '' : 's'} ${list(p.serverCpuPct, '%')}` +
    (p.brokerCpuPct === undefined ? '' : `; Kafka broker ${p.brokerCpuPct}%`) +
    `; load clients ${p.clientsCpuPct ?? '?'}%; workers ${p.workersCpuPct ?? '?'}%`);
  console.log(`  server event loop waiting for a CPU: ${list(p.serverRunQueuePct, '%')} of the time; RSS max ${list(p.serverRssMbMax, ' MiB')}`);
}
