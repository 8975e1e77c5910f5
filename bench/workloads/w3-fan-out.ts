// W3: fan-out. Each WfRun spawns `fanout` child threads (START_MULTIPLE_THREADS over a JSON
// array), each running one task, joins them (WAIT_FOR_THREADS), then runs a final task whose
// report completes the WfRun. A server that cannot run those nodes yet refuses the WfSpec; the
// workload then says so and measures nothing.
import { pick } from '../cli-args.ts';
import { fanOutSpec } from '../specs.ts';
import { commonSettings, deploy, NotSupportedYet, notSupported, phaseTiming, singlePhaseResult, type Workload } from './common.ts';

const WF_SPEC = 'bench-w3-fan-out';

export const w3: Workload = {
  title: 'W3: fan-out to child threads and join',
  async run(ctx) {
    const a = ctx.args;
    const fanout = pick(a.fanout, a.smoke, 5, 100);
    const { warmupMs, durationMs } = phaseTiming(a);
    const concurrency = pick(a.concurrency, a.smoke, 2, 4);
    const settings = { ...commonSettings(a), fanout, warmupMs, durationMs, concurrency };
    try {
      await deploy(ctx, fanOutSpec(WF_SPEC));
    } catch (err) {
      if (!(err instanceof NotSupportedYet)) throw err;
      return notSupported(this.title, settings, `W3 not supported by this server yet: PutWfSpec refused the fan-out WfSpec (${err.message})`);
    }
    const items = { jsonArr: JSON.stringify(Array.from({ length: fanout }, (_, i) => i)) };
    const mode = { kind: 'closed', concurrency } as const;
    return singlePhaseResult(ctx, this.title, settings, WF_SPEC, { items }, 'closed loop',
      { mode, warmupMs, durationMs, verifyEvery: 10, drainTimeoutMs: 120_000 },
      (phase) => ({
        wfRunsPerSec: phase.wfRunsCompletedPerSec,
        // Child tasks plus the final one, per second.
        tasksPerSec: phase.tasksPerSec,
        runWfToJoinedAndFinalTask: phase.latency['runWfToFirstTask'],
        runWfToCompleted: phase.latency['runWfToCompleted'],
      }));
  },
};
