// W5: API latency under a steady load: `rate` requests per second in an open loop, alternating
// RunWf (of the one-task workflow, completed by the workers) and GetWfRun of a WfRun started a
// moment before. Latency counts from the intended send time.
import { pick } from '../cli-args.ts';
import { phaseFigures } from '../report.ts';
import { oneTaskSpec } from '../specs.ts';
import { commonSettings, deploy, withFleet, type Workload } from './common.ts';

const WF_SPEC = 'bench-w1-one-task';

export const w5: Workload = {
  title: 'W5: RunWf and GetWfRun latency at a steady rate',
  async run(ctx) {
    const a = ctx.args;
    const rate = pick(a.rate, a.smoke, 50, 500);
    const warmupMs = pick(a.warmupSec, a.smoke, 0.3, 3) * 1000;
    const durationMs = pick(a.durationSec, a.smoke, 1.5, 20) * 1000;
    const settings = { ...commonSettings(a), requestsPerSec: rate, mix: 'half RunWf, half GetWfRun', warmupMs, durationMs };
    await deploy(ctx, oneTaskSpec(WF_SPEC));
    const mode = { kind: 'open', ratePerSec: rate, offsetUs: 0 } as const;
    const { value: outcome, samples } = await withFleet(ctx, WF_SPEC, {}, ({ fleet }) =>
      fleet.runPhase({ mode, mix: 'run-get', warmupMs, durationMs, verifyEvery: 0, drainTimeoutMs: 30_000 }));
    const phase = phaseFigures(`${rate} req/s`, mode, outcome);
    return {
      title: this.title,
      supported: true,
      settings,
      phases: [phase],
      figures: { runWf: phase.latency['runWf'], getWfRun: phase.latency['getWfRun'], runWfToCompleted: phase.latency['runWfToCompleted'] },
      procSamples: samples,
    };
  },
};
