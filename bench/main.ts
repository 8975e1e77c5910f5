// `npm run bench -- [w1 .. w5 | all] [options]`: runs workloads against a Filly server and prints
// their figures; each also lands in bench/results/<workload>-<timestamp>.json. Figures, not
// pass/fail: nothing here asserts a speed.
import path from 'node:path';
import { parseArgs, USAGE, type BenchArgs, type WorkloadName } from './cli-args.ts';
import { machineInfo } from './machine.ts';
import { printPhases, timestampForFile, writeResultFile } from './report.ts';
import { Targets, type Target } from './target.ts';
import { runPeerComparison } from './peer.ts';
import { printServerProfile, summarizeServerProfile, type ProfileWindow } from './profile/summarize.ts';
import { nowUs } from './clock.ts';
import { printProcSummary, summarizeSamples } from './proc-summary.ts';
import { WORKLOADS } from './workloads/index.ts';
import type { WorkloadResult } from './workloads/common.ts';

/** Bumped when the result file's shape changes (2: `mode`, `server.addresses`, per-server samples). */
const RESULT_FORMAT = 2;

function modeLabel(t: Target): string {
  if (t.mode === 'kafka') return `kafka mode, ${t.addresses.length} instance${t.addresses.length === 1 ? '' : 's'}`;
  return t.mode === 'embedded' ? 'embedded mode' : 'mode not given';
}

async function runOne(name: WorkloadName, args: BenchArgs, targets: Targets): Promise<void> {
  const workload = WORKLOADS[name];
  console.log(`\n== ${workload.title}`);
  const startedAt = new Date();
  const base = `${name}-${timestampForFile(startedAt)}`;
  // Taken before the load: the load average then says how busy the machine already was.
  const machine = machineInfo();
  const profileDir = args.serverCpuProfDir === undefined ? undefined : path.join(args.serverCpuProfDir, base);
  const target = await targets.open(profileDir);
  let result: WorkloadResult;
  let window: ProfileWindow | undefined;
  try {
    console.log(`  server: ${target.describe()}`);
    const fromUs = nowUs();
    result = await workload.run({ args, target });
    window = { fromUs, toUs: nowUs() };
  } finally {
    // Stopped before the figures are written: a started server writes its profile as it exits.
    await target.stop();
  }
  const finishedAt = new Date();
  const mode = modeLabel(target);
  if (!result.supported) console.log(`  ${result.message ?? 'not supported by this server yet'}`);
  else printPhases(`${result.title} [${mode}]`, result.phases);
  const cpu = summarizeSamples(result.procSamples);
  printProcSummary(cpu);
  const profile = profileDir === undefined ? undefined : summarizeServerProfile(profileDir, window);
  if (profile !== undefined) printServerProfile(profile);
  const { svg, ...rest } = result;
  const doc = {
    format: RESULT_FORMAT,
    workload: name,
    mode: target.mode,
    ...rest,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    machine,
    server: target.info(),
    cpu,
    ...(profile === undefined ? {} : { serverProfile: profile }),
  };
  const file = writeResultFile(args.outDir, `${base}.json`, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`  results: ${file}`);
  // Server output (warnings and errors only, at FILLY_LOG_LEVEL=warn) goes beside the figures.
  const logs = target.logs();
  const logFiles = logs.map((text, i) => (text.trim() === '' ? undefined : writeResultFile(args.outDir, `${base}-server-${i + 1}.log`, text))).filter((f) => f !== undefined);
  if (logFiles.length > 0) console.log(`  server output: ${logFiles.join(', ')}`);
  if (svg !== undefined) console.log(`  plot:    ${writeResultFile(args.outDir, `${base}.svg`, svg)}`);
}

async function main(): Promise<number> {
  // Exit (rather than die) on a signal, so that exit hooks stop the servers and broker we started.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const args = parseArgs(argv);
  const m = machineInfo();
  console.log(`Filly bench: ${[...args.workloads, ...(args.peer ? [`peer ${args.peer}`] : [])].join(', ')} on ${m.cpuModel} x${m.cores}, ${m.ramMb} MiB, Node ${m.node}`);
  let failed = 0;
  const targets = new Targets(args);
  try {
    for (const name of args.workloads) {
      try {
        await runOne(name, args, targets);
      } catch (err) {
        failed++;
        console.error(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
  } finally {
    await targets.close();
  }
  if (args.peer !== undefined) {
    try {
      await runPeerComparison(args);
    } catch (err) {
      failed++;
      console.error(`peer comparison failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
