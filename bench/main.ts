// `npm run bench -- [w1 .. w5 | all] [options]`: runs workloads against a Filly server and prints
// their figures; each also lands in bench/results/<workload>-<timestamp>.json. Figures, not
// pass/fail: nothing here asserts a speed.
import { parseArgs, USAGE, type BenchArgs, type WorkloadName } from './cli-args.ts';
import { machineInfo } from './machine.ts';
import { printPhases, timestampForFile, writeResultFile } from './report.ts';
import { openTarget } from './target.ts';
import { runPeerComparison } from './peer.ts';
import { WORKLOADS } from './workloads/index.ts';

/** Bumped when the result file's shape changes. */
const RESULT_FORMAT = 1;

async function runOne(name: WorkloadName, args: BenchArgs): Promise<void> {
  const workload = WORKLOADS[name];
  console.log(`\n== ${workload.title}`);
  const startedAt = new Date();
  // Taken before the load: the load average then says how busy the machine already was.
  const machine = machineInfo();
  const target = await openTarget(args.target);
  try {
    console.log(`  server: ${target.embedded ? `embedded, started at ${target.address} (pid ${target.pid() ?? '?'})` : target.address}`);
    const result = await workload.run({ args, target });
    const finishedAt = new Date();
    if (!result.supported) console.log(`  ${result.message ?? 'not supported by this server yet'}`);
    else printPhases(result.title, result.phases);
    const { svg, ...rest } = result;
    const base = `${name}-${timestampForFile(startedAt)}`;
    const doc = {
      format: RESULT_FORMAT,
      workload: name,
      ...rest,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      machine,
      server: { embedded: target.embedded, address: target.address },
    };
    const file = writeResultFile(args.outDir, `${base}.json`, `${JSON.stringify(doc, null, 2)}\n`);
    console.log(`  results: ${file}`);
    if (svg !== undefined) console.log(`  plot:    ${writeResultFile(args.outDir, `${base}.svg`, svg)}`);
  } finally {
    await target.stop();
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const args = parseArgs(argv);
  const m = machineInfo();
  console.log(`Filly bench: ${[...args.workloads, ...(args.peer ? [`peer ${args.peer}`] : [])].join(', ')} on ${m.cpuModel} x${m.cores}, ${m.ramMb} MiB, Node ${m.node}`);
  let failed = 0;
  for (const name of args.workloads) {
    try {
      await runOne(name, args);
    } catch (err) {
      failed++;
      console.error(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
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
