// `npm run bench -- peer` (or `--peer temporal`): Filly and Temporal side by side in one run.
// Filly runs W1 (max phase only) and W2 on a fresh embedded server; Temporal runs the same two
// shapes on its development server (bench/peers/temporal/); then the ratios are printed and
// written to bench/results/peer-<timestamp>.json. If Temporal cannot be set up, the peer half
// is skipped with the reason: no figure is ever invented.
import { pick, type BenchArgs } from './cli-args.ts';
import { machineInfo } from './machine.ts';
import { timestampForFile, writeResultFile, type PhaseFigures } from './report.ts';
import type { LatencyMs } from './report.ts';
import { Targets } from './target.ts';
import { WORKLOADS } from './workloads/index.ts';
import { phaseTiming } from './workloads/common.ts';
import { runTemporalPeer, type PeerOutcome } from './peers/temporal/run-peer.ts';

interface Side {
  w1PerSec: number;
  w1Latency: LatencyMs | undefined;
  w2TasksPerSec: number;
  w2Hop: LatencyMs | undefined;
  w2Latency: LatencyMs | undefined;
}

async function fillySide(args: BenchArgs): Promise<Side> {
  const phase = async (name: 'w1' | 'w2', a: BenchArgs): Promise<PhaseFigures | undefined> => {
    const targets = new Targets(a);
    try {
      const target = await targets.open(undefined);
      try {
        console.log(`  Filly ${name} (${target.describe()}) ...`);
        return (await WORKLOADS[name].run({ args: a, target })).phases[0];
      } finally {
        await target.stop();
      }
    } finally {
      await targets.close();
    }
  };
  const w1 = await phase('w1', { ...args, rates: [] });
  const w2 = await phase('w2', args);
  return {
    w1PerSec: w1?.wfRunsCompletedPerSec ?? 0,
    w1Latency: w1?.latency['runWfToCompleted'],
    w2TasksPerSec: w2?.tasksPerSec ?? 0,
    w2Hop: w2?.latency['reportToNextTask'],
    w2Latency: w2?.latency['runWfToCompleted'],
  };
}

function temporalSide(o: Extract<PeerOutcome, { ran: true }>): Side {
  return {
    w1PerSec: o.w1.wfRunsPerSec,
    w1Latency: o.w1.startToResult,
    w2TasksPerSec: o.w2.activitiesPerSec,
    w2Hop: o.w2.reportToNext,
    w2Latency: o.w2.startToResult,
  };
}

const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}x`;
const fmt = (v: number | undefined): string => (v === undefined ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toFixed(2));

function printComparison(f: Side, t: Side): Array<{ figure: string; filly: number | undefined; temporal: number | undefined; ratio: string }> {
  const rows = [
    { figure: 'W1 WfRuns/s (higher is better)', filly: f.w1PerSec, temporal: t.w1PerSec, better: 'high' },
    { figure: 'W1 start → completed p50 ms', filly: f.w1Latency?.p50Ms, temporal: t.w1Latency?.p50Ms, better: 'low' },
    { figure: 'W1 start → completed p99 ms', filly: f.w1Latency?.p99Ms, temporal: t.w1Latency?.p99Ms, better: 'low' },
    { figure: 'W2 tasks/s (higher is better)', filly: f.w2TasksPerSec, temporal: t.w2TasksPerSec, better: 'high' },
    { figure: 'W2 report → next task p50 ms', filly: f.w2Hop?.p50Ms, temporal: t.w2Hop?.p50Ms, better: 'low' },
    { figure: 'W2 report → next task p99 ms', filly: f.w2Hop?.p99Ms, temporal: t.w2Hop?.p99Ms, better: 'low' },
    { figure: 'W2 start → completed p50 ms', filly: f.w2Latency?.p50Ms, temporal: t.w2Latency?.p50Ms, better: 'low' },
  ];
  console.log('\nFilly vs Temporal (ratio = Filly / Temporal; for latency lower is better)');
  console.log(`${'figure'.padEnd(34)} ${'Filly'.padStart(9)} ${'Temporal'.padStart(9)} ${'ratio'.padStart(7)}`);
  const out = rows.map((r) => ({ figure: r.figure, filly: r.filly, temporal: r.temporal, ratio: ratio(r.filly, r.temporal) }));
  for (const r of out) console.log(`${r.figure.padEnd(34)} ${fmt(r.filly).padStart(9)} ${fmt(r.temporal).padStart(9)} ${r.ratio.padStart(7)}`);
  return out;
}

export async function runPeerComparison(args: BenchArgs): Promise<number> {
  const startedAt = new Date();
  const machine = machineInfo();
  console.log('\n== Peer comparison: Filly and Temporal, W1 and W2');
  const { warmupMs, durationMs } = phaseTiming(args);
  const filly = await fillySide(args);
  const peer = await runTemporalPeer({
    warmupMs,
    durationMs,
    w1Concurrency: pick(args.concurrency, args.smoke, 8, 64),
    w2Concurrency: pick(args.concurrency, args.smoke, 4, 32),
    steps: pick(args.steps, args.smoke, 10, 10),
    log: (line) => console.log(line),
  });
  let comparison;
  if (!peer.ran) console.log(`  Temporal peer skipped: ${peer.reason}`);
  else comparison = printComparison(filly, temporalSide(peer));
  const doc = { format: 1, workload: 'peer', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine, settings: { warmupMs, durationMs }, filly, temporal: peer, comparison };
  console.log(`  results: ${writeResultFile(args.outDir, `peer-${timestampForFile(startedAt)}.json`, `${JSON.stringify(doc, null, 2)}\n`)}`);
  return 0;
}
