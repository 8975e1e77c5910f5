import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, TaskStatus } from '@filly/proto';
import { runSimulation } from './simulation.ts';
import { DEFAULT_FAULTS, defaultOptions, type SimBugs, type SimResult } from './sim-types.ts';
import { illegalTransition } from './status-transitions.ts';
import { Prng } from './prng.ts';

/** Seeds the suite runs, and their length: about 25-35 s of CPU on a shared 2-core machine. */
const SUITE_SEEDS = 300;
const SUITE_STEPS = 600;
const BUG_SEARCH_SEEDS = 12;

const replay = (r: SimResult, extra = ''): string =>
  `seed ${r.seed} failed at step ${r.failedStep}: ${r.message}\n  replay: node_modules/.bin/node packages/server/src/simulation/main.ts --seed ${r.seed}${extra} --trace`;

test(`${SUITE_SEEDS} seeds with crashes and store faults keep every invariant`, async () => {
  const failures: string[] = [];
  let crashes = 0;
  let delivered = 0;
  for (let seed = 1; seed <= SUITE_SEEDS && failures.length < 3; seed++) {
    const r = await runSimulation(defaultOptions(seed, { steps: SUITE_STEPS }));
    if (!r.ok) failures.push(replay(r, ` --steps ${SUITE_STEPS}`));
    crashes += r.stats['crashes'] ?? 0;
    delivered += r.stats['delivered'] ?? 0;
  }
  assert.deepEqual(failures, []);
  // The runs must actually have exercised recovery and the worker protocol.
  assert.ok(crashes > SUITE_SEEDS, `only ${crashes} crashes in ${SUITE_SEEDS} seeds`);
  assert.ok(delivered > SUITE_SEEDS * 5, `only ${delivered} tasks delivered`);
});

test('a seed replays byte-identically, and different seeds differ', async () => {
  const digests = new Set<string>();
  for (const seed of [3, 17, 101]) {
    const a = await runSimulation(defaultOptions(seed, { paranoid: true }));
    const b = await runSimulation(defaultOptions(seed, { paranoid: true }));
    assert.equal(a.ok, true, a.message);
    assert.equal(a.digest, b.digest, `seed ${seed} is not deterministic`);
    assert.deepEqual(a.stats, b.stats);
    digests.add(a.digest);
  }
  assert.equal(digests.size, 3);
});

const BROKEN: Array<{ bug: keyof SimBugs; caughtBy: string[] }> = [
  { bug: 'ackBeforeSync', caughtBy: ['exactly-once'] },
  { bug: 'doubleFireTimers', caughtBy: ['exactly-once'] },
  { bug: 'nondeterministicApply', caughtBy: ['replay-equals-live'] },
  { bug: 'skipCheckpoint', caughtBy: ['progress', 'replay-equals-live', 'status-transition', 'exactly-once', 'dispatch', 'handler-error', 'search-index'] },
  { bug: 'storeDropsWfRuns', caughtBy: ['dispatch', 'search-index', 'replay-equals-live', 'progress', 'handler-error'] },
];

for (const { bug, caughtBy } of BROKEN) {
  test(`the simulation catches a broken engine: ${bug}`, async () => {
    let caught: SimResult | undefined;
    for (let seed = 1; seed <= BUG_SEARCH_SEEDS && caught === undefined; seed++) {
      const r = await runSimulation(defaultOptions(seed, { bugs: { [bug]: true } }));
      if (!r.ok) caught = r;
    }
    assert.ok(caught, `${bug} went unnoticed for ${BUG_SEARCH_SEEDS} seeds`);
    assert.ok(caughtBy.includes(caught.invariant ?? ''), `${bug} was caught by ${caught.invariant}: ${caught.message}`);
  });
}

// poll-task.ts puts a task back in its queue when its claim fails for a reason other than
// "already claimed" (queue full, log failure). Without that, the task stays stored but is never
// dispatched again until a restart: the simulation must notice the difference.
test('a task whose claim was refused is dispatched again; without the requeue the WfRun hangs', async () => {
  // Seed 19 (was 7 before the store writes trailed the replies: the interleavings changed).
  const withoutRequeue = await runSimulation(defaultOptions(19, { maxPendingCommands: 6, faults: { ...DEFAULT_FAULTS, logWriteFailure: 0 }, requeueFailedClaims: false }));
  assert.equal(withoutRequeue.invariant, 'dispatch', withoutRequeue.message ?? 'seed 19 passed without the requeue');
  const asBuilt = await runSimulation(defaultOptions(19, { maxPendingCommands: 6, faults: { ...DEFAULT_FAULTS, logWriteFailure: 0 } }));
  assert.equal(asBuilt.ok, true, asBuilt.message);
});

test('with log write failures (in-process recovery) and the claim fix, seeds keep every invariant', async () => {
  const failures: string[] = [];
  for (let seed = 1; seed <= 30 && failures.length < 3; seed++) {
    const r = await runSimulation(defaultOptions(seed, { faults: { ...DEFAULT_FAULTS, logWriteFailure: 0.01 }, requeueFailedClaims: true }));
    if (!r.ok) failures.push(replay(r, ' --log-faults 0.01'));
  }
  assert.deepEqual(failures, []);
});

test('status tables: terminal statuses stay, attempts only move forward', () => {
  assert.equal(illegalTransition('WfRun', LHStatus.RUNNING, LHStatus.COMPLETED), undefined);
  assert.equal(illegalTransition('WfRun', LHStatus.HALTED, LHStatus.RUNNING), undefined);
  assert.match(illegalTransition('WfRun', LHStatus.COMPLETED, LHStatus.RUNNING) ?? '', /COMPLETED -> RUNNING/);
  assert.ok(illegalTransition('ThreadRun', LHStatus.RUNNING, LHStatus.STARTING));
  assert.ok(illegalTransition('NodeRun', LHStatus.ERROR, LHStatus.RUNNING));
  assert.equal(illegalTransition('TaskAttempt', TaskStatus.TASK_PENDING, TaskStatus.TASK_SUCCESS), undefined);
  assert.ok(illegalTransition('TaskAttempt', TaskStatus.TASK_RUNNING, TaskStatus.TASK_SCHEDULED));
  assert.ok(illegalTransition('TaskAttempt', TaskStatus.TASK_SUCCESS, TaskStatus.TASK_FAILED));
});

test('the generator is a pure function of its seed', () => {
  const draw = (seed: number): number[] => {
    const r = new Prng(seed);
    return Array.from({ length: 8 }, () => r.next());
  };
  assert.deepEqual(draw(5), draw(5));
  assert.notDeepEqual(draw(5), draw(6));
  const r = new Prng(9);
  for (let i = 0; i < 1000; i++) {
    const n = r.int(7);
    assert.ok(n >= 0 && n < 7 && Number.isInteger(n));
  }
});
