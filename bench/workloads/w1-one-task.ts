// W1: RunWf → one task → COMPLETED. First the maximum throughput (closed loop: a fixed number
// of WfRuns in flight, a new one started as each completes), then fixed rates (open loop).
// Completion latency is measured by the worker: the task carries the RunWf's intended send
// time, and the ack of its ReportTask is the moment the WfRun is COMPLETED (the server applies
// the report and advances the WfRun to its EXIT in one command before it acknowledges).
// Every 100th completion is checked with a GetWfRun to keep that claim honest.
import { nowUs } from '../clock.ts';
import { pick } from '../cli-args.ts';
import type { PhaseOutcome } from '../fleet.ts';
import type { LoadMode } from '../messages.ts';
import type { ProcSample } from '../proc-sampler.ts';
import { phaseFigures, type PhaseFigures } from '../report.ts';
import { oneTaskSpec } from '../specs.ts';
import { renderSvg, type Panel } from '../svg-plot.ts';
import { commonSettings, deploy, measuredResult, phaseTiming, withFleet, type Workload } from './common.ts';

const WF_SPEC = 'bench-w1-one-task';
const DEFAULT_RATE_FRACTIONS = [0.5, 0.8];

export const w1: Workload = {
  title: 'W1: one-task workflow, max throughput and fixed rates',
  async run(ctx) {
    const a = ctx.args;
    const { warmupMs, durationMs } = phaseTiming(a, 1);
    const rateDurationMs = pick(a.rateDurationSec, a.smoke, 0.5, durationMs / 1000) * 1000;
    const concurrency = pick(a.concurrency, a.smoke, 8, 64);
    const settings = { ...commonSettings(a), warmupMs, durationMs, rateDurationMs, concurrency, rates: a.rates ?? `fractions ${DEFAULT_RATE_FRACTIONS.join(', ')} of the max`, verifyEvery: 100 };
    await deploy(ctx, oneTaskSpec(WF_SPEC));

    const phases: PhaseFigures[] = [];
    const timeline: Array<{ label: string; outcome: PhaseOutcome }> = [];
    const { value: refUs, samples } = await withFleet(ctx, WF_SPEC, {}, async ({ fleet }) => {
      const ref = nowUs();
      const run = async (label: string, mode: LoadMode, measureMs: number): Promise<PhaseFigures> => {
        const outcome = await fleet.runPhase({ mode, warmupMs, durationMs: measureMs, verifyEvery: 100, drainTimeoutMs: 30_000 });
        timeline.push({ label, outcome });
        const figures = phaseFigures(label, mode, outcome);
        phases.push(figures);
        console.log(`  ${label}: ${figures.wfRunsCompletedPerSec} WfRuns/s completed`);
        return figures;
      };
      const max = await run('max (closed loop)', { kind: 'closed', concurrency }, durationMs);
      const rates = a.rates ?? DEFAULT_RATE_FRACTIONS.map((f) => Math.max(1, Math.round(max.wfRunsCompletedPerSec * f)));
      for (const rate of rates) await run(`${rate}/s (open loop)`, { kind: 'open', ratePerSec: rate, offsetUs: 0 }, rateDurationMs);
      return ref;
    });

    const maxPhase = phases[0];
    const rss = samples.map((x) => x.serverRssMb).filter((x): x is number => x !== undefined);
    const maxSeries = timeline[0]?.outcome.worker.series ?? [];
    const maxLoadSec = timeline[0] === undefined ? 0 : (timeline[0].outcome.window.endUs - timeline[0].outcome.window.startUs) / 1e6;
    // Completions per whole second of the max phase: shows decay that an average hides.
    const completedPerSec = maxSeries.filter(([sec]) => sec + 1 <= maxLoadSec).map(([, h]) => h.count);
    if (completedPerSec.length >= 20) {
      console.log(`  max phase: first 10 s ${meanOf(completedPerSec.slice(0, 10))}/s, last 10 s ${meanOf(completedPerSec.slice(-10))}/s; ` +
        `server RSS ${Math.round(rss[0] ?? 0)} → ${Math.round(Math.max(0, ...rss))} MiB (max)`);
    }
    const figures = {
      maxWfRunsPerSec: maxPhase?.wfRunsCompletedPerSec ?? 0,
      maxPhaseCompletedPerSec: completedPerSec,
      maxPhaseFirst10sPerSec: meanOf(completedPerSec.slice(0, 10)),
      maxPhaseLast10sPerSec: meanOf(completedPerSec.slice(-10)),
      completionLatencyAtMax: maxPhase?.latency['runWfToCompleted'],
      fixedRates: phases.slice(1).map((p) => ({ phase: p.label, completionLatency: p.latency['runWfToCompleted'] })),
      serverRssMbMax: Math.max(0, ...samples.map((s) => s.serverRssMb ?? 0)),
    };
    const mode = ctx.target.mode === 'kafka' ? `kafka mode, ${ctx.target.addresses.length} instances` : ctx.target.mode;
    return { ...measuredResult(this.title, settings, phases, figures, samples), svg: plot(timeline, refUs, samples, mode) };
  },
};

function meanOf(xs: number[]): number {
  return xs.length === 0 ? 0 : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
}

/** Completion latency per second over the whole run, server RSS, and CPU use. */
const SERVER_COLORS = ['#bcbd22', '#ff7f0e', '#1f77b4', '#98df8a', '#c5b0d5'];

function plot(timeline: Array<{ label: string; outcome: PhaseOutcome }>, refUs: number, samples: ProcSample[], mode: string): string {
  const p50: Array<[number, number]> = [];
  const p99: Array<[number, number]> = [];
  const max: Array<[number, number]> = [];
  const rate: Array<[number, number]> = [];
  const marks: Array<{ x: number; label: string }> = [];
  for (const { label, outcome } of timeline) {
    const offsetSec = (outcome.window.startUs - refUs) / 1e6;
    const loadSec = (outcome.window.endUs - outcome.window.startUs) / 1e6;
    marks.push({ x: offsetSec, label });
    for (const [sec, h] of outcome.worker.series) {
      const x = offsetSec + sec + 0.5;
      p50.push([x, h.percentile(50) / 1000]);
      p99.push([x, h.percentile(99) / 1000]);
      max.push([x, h.max / 1000]);
      // A second cut by the end of the load would read as a drop in throughput.
      if (sec + 1 <= loadSec) rate.push([x, h.count]);
    }
  }
  // The sampler started with the fleet, just before refUs: its clock is close enough for a plot.
  const instances = Math.max(0, ...samples.map((s) => s.serversCpuPct.length));
  const hasBroker = samples.some((s) => s.brokerCpuPct !== undefined);
  const points = (f: (s: ProcSample) => number | undefined): Array<[number, number]> =>
    samples.flatMap((s) => { const v = f(s); return v === undefined ? [] : [[s.tSec, v] as [number, number]]; });
  const panels: Panel[] = [
    { title: 'RunWf → COMPLETED latency, per second', xLabel: 'seconds', yLabel: 'ms (log)', logY: true, marks,
      series: [{ name: 'p50', color: '#1f77b4', points: p50 }, { name: 'p99', color: '#ff7f0e', points: p99 }, { name: 'max', color: '#d62728', points: max }] },
    { title: 'WfRuns completed per second', xLabel: 'seconds', yLabel: 'WfRuns/s', marks, series: [{ name: 'completed', color: '#2ca02c', points: rate }] },
    { title: 'Server memory (RSS)', xLabel: 'seconds', yLabel: 'MiB', marks, series: [
      { name: instances > 1 ? 'servers RSS (sum)' : 'server RSS', color: '#9467bd', points: points((s) => s.serverRssMb) },
      ...(hasBroker ? [{ name: 'Kafka broker RSS', color: '#17becf', points: points((s) => s.brokerRssMb) }] : []),
    ] },
    { title: 'CPU (100% = one core)', xLabel: 'seconds', yLabel: '%', marks, series: [
      { name: instances > 1 ? 'servers (sum)' : 'server', color: '#8c564b', points: points((s) => s.serverCpuPct) },
      ...(instances > 1 ? Array.from({ length: instances }, (_, i) => ({ name: `server ${i + 1}`, color: SERVER_COLORS[i % SERVER_COLORS.length]!, points: points((s) => s.serversCpuPct[i]) })) : []),
      ...(hasBroker ? [{ name: 'Kafka broker', color: '#17becf', points: points((s) => s.brokerCpuPct) }] : []),
      { name: 'load clients', color: '#e377c2', points: points((s) => s.clientsCpuPct) },
      { name: 'workers', color: '#7f7f7f', points: points((s) => s.workersCpuPct) },
    ] },
  ];
  return renderSvg(`Filly W1: one-task workflow (${mode})`, panels);
}
