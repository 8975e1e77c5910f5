// W2: ten tasks in a row per WfRun, closed loop. Measures tasks/s and the hop latency from one
// task's report to the next task's delivery to a waiting worker: each task returns the time its
// report was sent, the next task receives it as input, and the worker that gets it subtracts.
// Both timestamps come from the machine-wide monotonic clock, so the two tasks may run in
// different worker processes.
//
// Two phases on one fleet. Throughput: 32 WfRuns in flight keep the server busy, and a hop then
// mostly waits in line (with n WfRuns in flight a hop cannot take less than n / tasks-per-second).
// Latency: one WfRun in flight, so a hop is the path itself: report, apply, log append, delivery.
import { pick } from '../cli-args.ts';
import type { LoadMode } from '../messages.ts';
import { phaseFigures, type PhaseFigures } from '../report.ts';
import { sequentialSpec } from '../specs.ts';
import { commonSettings, deploy, measuredResult, phaseTiming, withFleet, type Workload } from './common.ts';

const WF_SPEC = 'bench-w2-sequential';
const LATENCY_CONCURRENCY = 1;

export const w2: Workload = {
  title: 'W2: sequential tasks, tasks/s and report → next task latency',
  async run(ctx) {
    const a = ctx.args;
    const steps = pick(a.steps, a.smoke, 10, 10);
    const { warmupMs, durationMs } = phaseTiming(a);
    const concurrency = pick(a.concurrency, a.smoke, 4, 32);
    const settings = { ...commonSettings(a), steps, warmupMs, durationMs, concurrency, latencyConcurrency: LATENCY_CONCURRENCY };
    const spec = `${WF_SPEC}-${steps}`;
    await deploy(ctx, sequentialSpec(spec, steps));
    const phases: PhaseFigures[] = [];
    const { samples } = await withFleet(ctx, spec, {}, async ({ fleet }) => {
      const run = async (label: string, mode: LoadMode): Promise<void> => {
        const outcome = await fleet.runPhase({ mode, warmupMs, durationMs, verifyEvery: 100, drainTimeoutMs: 60_000 });
        const figures = phaseFigures(label, mode, outcome);
        phases.push(figures);
        const hop = figures.latency['reportToNextTask'];
        console.log(`  ${label}: ${figures.tasksPerSec} tasks/s; report → next task p50 ${hop?.p50Ms ?? '-'} ms, p99 ${hop?.p99Ms ?? '-'} ms`);
      };
      await run(`throughput (closed loop ${concurrency})`, { kind: 'closed', concurrency });
      await run(`latency (closed loop ${LATENCY_CONCURRENCY})`, { kind: 'closed', concurrency: LATENCY_CONCURRENCY });
    });
    const [throughput, latency] = phases;
    return measuredResult(this.title, settings, phases, {
      tasksPerSec: throughput?.tasksPerSec,
      wfRunsPerSec: throughput?.wfRunsCompletedPerSec,
      reportToNextTask: throughput?.latency['reportToNextTask'],
      runWfToCompleted: throughput?.latency['runWfToCompleted'],
      latencyPhase: { reportToNextTask: latency?.latency['reportToNextTask'], runWfToCompleted: latency?.latency['runWfToCompleted'] },
    }, samples);
  },
};
