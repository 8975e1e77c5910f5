// W4: timers. Starts `runs` WfRuns as fast as the server takes them; each sleeps `sleep`
// seconds, then runs a task. Two figures:
// - task delivered late = when its task reached a worker - (WfRun start + sleep). The start is
//   the server's own start time (from the RunWf reply), the delivery the worker's wall clock;
//   both read the same machine clock. (The task's created_at cannot split that into "fired late"
//   and "delivered late": Filly stamps a timer's command with its due time, so created_at is the
//   due time exactly.)
// - timer fired late = when the timer's command was applied - its due time, from the server's
//   own histogram (timer-lateness.ts), at bucket resolution; only when the bench knows the
//   server's health port.
import { pick } from '../cli-args.ts';
import { Histogram } from '../histogram.ts';
import { latencyMs, phaseFigures, type LatencyMs } from '../report.ts';
import { sleepSpec } from '../specs.ts';
import { scrapeTimerLateness, TIMER_LATENESS_METRIC, timerFiredLate, type TimerFiredFigure } from '../timer-lateness.ts';
import { commonSettings, deploy, withFleet, type Workload } from './common.ts';

const WF_SPEC = 'bench-w4-sleep';

export const w4: Workload = {
  title: 'W4: many WfRuns sleeping at once, timer lateness',
  async run(ctx) {
    const a = ctx.args;
    const runs = pick(a.runs, a.smoke, 50, 10_000);
    const sleepSec = pick(a.sleepSec, a.smoke, 1, 1);
    const concurrency = pick(a.concurrency, a.smoke, 16, 256);
    const settings = { ...commonSettings(a), runs, sleepSec, runWfInFlight: concurrency };
    const spec = `${WF_SPEC}-${sleepSec}s`;
    await deploy(ctx, sleepSpec(spec, sleepSec));
    const mode = { kind: 'burst', total: runs, concurrency } as const;
    const healthPorts = ctx.target.healthPorts;
    const latenessBefore = await scrapeTimerLateness(healthPorts);
    const { value: outcome, samples } = await withFleet(ctx, spec, {}, ({ fleet }) =>
      fleet.runPhase({ mode, warmupMs: 0, durationMs: 0, recordStarts: true, recordRuns: true, verifyEvery: 0, drainTimeoutMs: 120_000 + sleepSec * 1000 }));
    // Every task reached a worker, so every timer has fired and been applied.
    const fired = timerFiredLate(latenessBefore, await scrapeTimerLateness(healthPorts));

    const startMs = new Map(outcome.client.starts);
    const deliveredLateUs = new Histogram();
    let unmatched = 0;
    for (const [id, deliveredMs] of outcome.worker.runs) {
      const start = startMs.get(id);
      if (start === undefined) { unmatched++; continue; }
      const dueMs = start + sleepSec * 1000;
      deliveredLateUs.record((deliveredMs - dueMs) * 1000);
    }
    const starts = [...startMs.values()];
    const submitSpanSec = starts.length > 1 ? (Math.max(...starts) - Math.min(...starts)) / 1000 : 0;
    const phase = phaseFigures('burst', mode, outcome);
    const delivered = latencyMs(deliveredLateUs);
    phase.latency['taskDeliveredLate'] = delivered;
    printLateness(fired, delivered);
    return {
      title: this.title,
      supported: true,
      settings,
      phases: [phase],
      figures: {
        wfRunsStarted: outcome.client.accepted,
        wfRunsWoken: outcome.worker.runs.length,
        unmatched,
        // Time between the first and the last WfRun start: how "at once" the sleepers were.
        startSpreadSec: Math.round(submitSpanSec * 100) / 100,
        runWfPerSec: submitSpanSec > 0 ? Math.round(starts.length / submitSpanSec) : 0,
        taskDeliveredLate: delivered,
        timerFiredLate: fired,
      },
      procSamples: samples,
    };
  },
};

/**
 * The two lateness figures side by side. Fired-late stays out of the phase table: its quantiles
 * are bucket bounds (possibly unbounded), not samples.
 */
function printLateness(fired: TimerFiredFigure, delivered: LatencyMs): void {
  console.log(`  task delivered late (worker clock): n=${delivered.count} mean ${delivered.meanMs} ms, p50 ${delivered.p50Ms}, p90 ${delivered.p90Ms}, p99 ${delivered.p99Ms}, max ${delivered.maxMs} ms`);
  if (!('latency' in fired)) {
    console.log(`  timer fired late: not measured (${fired.unavailable})`);
    return;
  }
  const l = fired.latency;
  const lastBound = Math.max(0, ...fired.buckets.map((b) => (b.le === '+Inf' ? 0 : b.le)));
  const bound = (ms: number): string => (Number.isFinite(ms) ? `<= ${ms}` : `> ${lastBound}`);
  console.log(`  timer fired late (server histogram ${TIMER_LATENESS_METRIC}, bucket resolution): n=${l.count} mean ${l.meanMs} ms, ` +
    `p50 ${bound(l.p50Ms)}, p90 ${bound(l.p90Ms)}, p99 ${bound(l.p99Ms)}, max ${bound(l.maxMs)} ms`);
}
