// Figures as people read them (a table on stdout) and as tools read them (a JSON file).
import fs from 'node:fs';
import path from 'node:path';
import type { Histogram } from './histogram.ts';
import type { PhaseOutcome } from './fleet.ts';
import type { LoadMode } from './messages.ts';

export interface LatencyMs {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** Samples below zero (recorded as 0): should always be 0. */
  negatives: number;
}

const ms = (us: number): number => Math.round(us) / 1000;

/** A microsecond histogram's summary, in milliseconds. */
export function latencyMs(h: Histogram): LatencyMs {
  const s = h.summary();
  return {
    count: s.count, meanMs: ms(s.mean), p50Ms: ms(s.p50), p90Ms: ms(s.p90), p99Ms: ms(s.p99), p999Ms: ms(s.p999), maxMs: ms(s.max),
    negatives: h.snapshot().negatives,
  };
}

export function describeMode(mode: LoadMode): string {
  switch (mode.kind) {
    case 'closed': return `closed loop, ${mode.concurrency} WfRuns in flight`;
    case 'open': return `open loop, ${Math.round(mode.ratePerSec)} req/s`;
    case 'burst': return `burst of ${mode.total}, ${mode.concurrency} RunWf in flight`;
  }
}

export interface PhaseFigures {
  label: string;
  load: string;
  measuredSec: number;
  runWfCalls: number;
  runWfAccepted: number;
  getWfRunCalls: number;
  skippedSends: number;
  errors: Record<string, number>;
  reportErrors: Record<string, number>;
  wfRunsCompletedPerSec: number;
  tasksPerSec: number;
  notCompleted: number;
  verifiedStatuses: Record<string, number>;
  latency: Record<string, LatencyMs>;
}

/** Everything one phase measured; latencies with no samples are left out. */
export function phaseFigures(label: string, mode: LoadMode, o: PhaseOutcome): PhaseFigures {
  const per = (n: number): number => (o.measuredSec > 0 ? Math.round((n / o.measuredSec) * 10) / 10 : 0);
  const latency: Record<string, LatencyMs> = {};
  const add = (name: string, h: Histogram): void => { if (h.count > 0) latency[name] = latencyMs(h); };
  add('runWf', o.client.runWfUs);
  add('getWfRun', o.client.getWfRunUs);
  add('runWfToFirstTask', o.worker.deliverUs);
  add('reportToNextTask', o.worker.hopUs);
  add('runWfToCompleted', o.worker.completeUs);
  return {
    label,
    load: describeMode(mode),
    measuredSec: Math.round(o.measuredSec * 100) / 100,
    runWfCalls: o.client.runs,
    runWfAccepted: o.client.accepted,
    getWfRunCalls: o.client.gets,
    skippedSends: o.client.skipped,
    errors: o.client.errors,
    reportErrors: o.worker.reportErrors,
    wfRunsCompletedPerSec: per(o.worker.completedInWindow),
    tasksPerSec: per(o.worker.tasksInWindow),
    notCompleted: o.notCompleted,
    verifiedStatuses: o.worker.verifiedStatuses,
    latency,
  };
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

export function printTable(title: string, headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  console.log(`\n${title}`);
  console.log(pad(headers, widths));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(pad(r, widths));
}

const num = (n: number): string => (n >= 100 ? String(Math.round(n)) : String(Math.round(n * 100) / 100));

/** One row per phase and latency kind. */
export function printPhases(title: string, phases: PhaseFigures[]): void {
  const rows: string[][] = [];
  for (const p of phases) {
    const kinds = Object.entries(p.latency);
    if (kinds.length === 0) rows.push([p.label, '-', num(p.wfRunsCompletedPerSec), num(p.tasksPerSec), '', '', '', '', '', '']);
    kinds.forEach(([kind, l], i) => {
      rows.push([
        i === 0 ? p.label : '', kind, i === 0 ? num(p.wfRunsCompletedPerSec) : '', i === 0 ? num(p.tasksPerSec) : '',
        String(l.count), num(l.p50Ms), num(l.p90Ms), num(l.p99Ms), num(l.p999Ms), num(l.maxMs),
      ]);
    });
  }
  printTable(title, ['phase', 'latency (ms)', 'WfRuns/s', 'tasks/s', 'n', 'p50', 'p90', 'p99', 'p99.9', 'max'], rows);
  for (const p of phases) {
    const problems: string[] = [];
    if (Object.keys(p.errors).length > 0) problems.push(`RunWf/GetWfRun errors ${JSON.stringify(p.errors)}`);
    if (Object.keys(p.reportErrors).length > 0) problems.push(`ReportTask errors ${JSON.stringify(p.reportErrors)}`);
    if (p.skippedSends > 0) problems.push(`${p.skippedSends} sends skipped (too many in flight)`);
    if (p.notCompleted > 0) problems.push(`${p.notCompleted} WfRuns not seen completing`);
    const notCompleted = Object.entries(p.verifiedStatuses).filter(([k]) => k !== 'COMPLETED');
    if (notCompleted.length > 0) problems.push(`GetWfRun after the final report saw ${JSON.stringify(p.verifiedStatuses)}`);
    if (problems.length > 0) console.log(`  ${p.label}: ${problems.join('; ')}`);
  }
}

export function timestampForFile(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** Writes `<dir>/<name>` (creating dir) and returns the path. */
export function writeResultFile(dir: string, name: string, content: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}
