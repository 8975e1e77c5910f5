// W5: API latency under a steady load: `rate` requests per second in an open loop, alternating
// RunWf (of the one-task workflow, completed by the workers) and GetWfRun of a WfRun started a
// moment before. Latency counts from the intended send time.
import { pick } from '../cli-args.ts';
import { oneTaskSpec } from '../specs.ts';
import { commonSettings, deploy, phaseTiming, singlePhaseResult, type Workload } from './common.ts';

const WF_SPEC = 'bench-w1-one-task';

export const w5: Workload = {
  title: 'W5: RunWf and GetWfRun latency at a steady rate',
  async run(ctx) {
    const a = ctx.args;
    const rate = pick(a.rate, a.smoke, 50, 500);
    const { warmupMs, durationMs } = phaseTiming(a);
    const settings = { ...commonSettings(a), requestsPerSec: rate, mix: 'half RunWf, half GetWfRun', warmupMs, durationMs };
    await deploy(ctx, oneTaskSpec(WF_SPEC));
    const mode = { kind: 'open', ratePerSec: rate, offsetUs: 0 } as const;
    return singlePhaseResult(ctx, this.title, settings, WF_SPEC, {}, `${rate} req/s`,
      { mode, mix: 'run-get', warmupMs, durationMs, verifyEvery: 0, drainTimeoutMs: 30_000 },
      (phase) => ({ runWf: phase.latency['runWf'], getWfRun: phase.latency['getWfRun'], runWfToCompleted: phase.latency['runWfToCompleted'] }));
  },
};
