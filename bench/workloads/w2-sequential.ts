// W2: ten tasks in a row per WfRun, closed loop. Measures tasks/s and the hop latency from one
// task's report to the next task's delivery to a waiting worker: each task returns the time its
// report was sent, the next task receives it as input, and the worker that gets it subtracts.
// Both timestamps come from the machine-wide monotonic clock, so the two tasks may run in
// different worker processes.
import { pick } from '../cli-args.ts';
import { sequentialSpec } from '../specs.ts';
import { commonSettings, deploy, phaseTiming, singlePhaseResult, type Workload } from './common.ts';

const WF_SPEC = 'bench-w2-sequential';

export const w2: Workload = {
  title: 'W2: sequential tasks, tasks/s and report → next task latency',
  async run(ctx) {
    const a = ctx.args;
    const steps = pick(a.steps, a.smoke, 10, 10);
    const { warmupMs, durationMs } = phaseTiming(a);
    const concurrency = pick(a.concurrency, a.smoke, 4, 32);
    const settings = { ...commonSettings(a), steps, warmupMs, durationMs, concurrency };
    const spec = `${WF_SPEC}-${steps}`;
    await deploy(ctx, sequentialSpec(spec, steps));
    const mode = { kind: 'closed', concurrency } as const;
    return singlePhaseResult(ctx, this.title, settings, spec, {}, 'closed loop',
      { mode, warmupMs, durationMs, verifyEvery: 100, drainTimeoutMs: 60_000 },
      (phase) => ({
        tasksPerSec: phase.tasksPerSec,
        wfRunsPerSec: phase.wfRunsCompletedPerSec,
        reportToNextTask: phase.latency['reportToNextTask'],
        runWfToCompleted: phase.latency['runWfToCompleted'],
      }));
  },
};
