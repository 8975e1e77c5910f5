// Command line of the deterministic simulation.
//   node_modules/.bin/node packages/server/src/simulation/main.ts --seed 42          one seed
//   ... --seed 42 --trace                                                             with every step
//   ... --seeds 200 [--from 1000]                                                     seeds 1000..1199
//   ... --long                                                                        many seeds, bigger runs
//   ... --steps 800 --crash 0.05 --log-faults 0.01 --queue 10                         tuning
//   ... --no-requeue                                drop poll-task.ts's requeue of failed claims (to see the hole it closes)
// Exits 1 on the first failing seed, after printing the command that replays it.
import { parseArgs } from 'node:util';
import { runSimulation } from './simulation.ts';
import { DEFAULT_FAULTS, defaultOptions, type SimOptions, type SimResult } from './sim-types.ts';

const LONG_SEEDS = 5_000;
const LONG_STEPS = 1_500;

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seeds: { type: 'string' },
    from: { type: 'string' },
    long: { type: 'boolean', default: false },
    steps: { type: 'string' },
    crash: { type: 'string' },
    'log-faults': { type: 'string' },
    paranoid: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    twice: { type: 'boolean', default: false },
    'no-requeue': { type: 'boolean', default: false },
    queue: { type: 'string' },
  },
});

function num(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${what} needs a non-negative number, got ${text}`);
  return n;
}

function optionsFor(seed: number): SimOptions {
  const steps = num(values.steps, 'steps') ?? (values.long ? LONG_STEPS : undefined);
  const crash = num(values.crash, 'crash');
  const logFaults = num(values['log-faults'], 'log-faults');
  const queue = num(values.queue, 'queue');
  return defaultOptions(seed, {
    ...(steps === undefined ? {} : { steps }),
    faults: { ...DEFAULT_FAULTS, ...(crash === undefined ? {} : { crash }), ...(logFaults === undefined ? {} : { logWriteFailure: logFaults }) },
    ...(queue === undefined ? {} : { maxPendingCommands: queue }),
    paranoid: values.paranoid,
    trace: values.trace,
    requeueFailedClaims: !values['no-requeue'],
  });
}

function replayCommand(r: SimResult): string {
  const extra = process.argv.slice(2).filter((a, i, all) => !['--seed', '--seeds', '--from', '--long', '--twice'].includes(a) && !['--seed', '--seeds', '--from'].includes(all[i - 1] ?? ''));
  if (values.long && values.steps === undefined) extra.push('--steps', String(LONG_STEPS));
  return `node_modules/.bin/node packages/server/src/simulation/main.ts --seed ${r.seed}${extra.length > 0 ? ' ' + extra.join(' ') : ''}`;
}

async function main(): Promise<number> {
  const single = num(values.seed, 'seed');
  const first = single ?? num(values.from, 'from') ?? 1;
  const count = single !== undefined ? 1 : (num(values.seeds, 'seeds') ?? (values.long ? LONG_SEEDS : 20));
  const started = performance.now();
  const totals: Record<string, number> = {};
  for (let seed = first; seed < first + count; seed++) {
    const result = await runSimulation(optionsFor(seed));
    if (values.twice || single !== undefined) {
      const again = await runSimulation(optionsFor(seed));
      if (again.digest !== result.digest) {
        process.stdout.write(`seed ${seed}: NOT DETERMINISTIC: digests ${result.digest} and ${again.digest}\n`);
        return 1;
      }
    }
    for (const [k, v] of Object.entries(result.stats)) totals[k] = (totals[k] ?? 0) + v;
    if (!result.ok) {
      process.stdout.write(`seed ${seed} FAILED at step ${result.failedStep}: ${result.message}\n`);
      process.stdout.write(`replay: ${replayCommand(result)} --trace\n`);
      return 1;
    }
    if (single !== undefined) {
      process.stdout.write(`seed ${seed} ok: ${result.steps} steps, digest ${result.digest}\n${JSON.stringify(result.stats)}\n`);
    } else if ((seed - first + 1) % 50 === 0) {
      process.stdout.write(`${seed - first + 1}/${count} seeds ok (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    }
  }
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`${count} seeds ok in ${secs} s; totals ${JSON.stringify(totals)}\n`);
  return 0;
}

process.exitCode = await main();
