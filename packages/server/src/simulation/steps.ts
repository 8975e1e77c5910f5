// What can happen in one simulated step, and the final drain. A step is one of: a fault (crash
// and recovery, a store flush, an injected disk failure), one move of the engine's loop (apply a
// batch, one phase of logging a batch, one trailing store write, recovery after a log or store
// failure), the timer wheel
// firing, the clock moving, a client call, or one worker action. Choices are weighted draws from
// the seeded generator among the moves that are possible now.
import type { Simulation } from './simulation.ts';
import { InvariantViolation } from './sim-types.ts';

type Move = 'apply' | 'advance' | 'store' | 'recover' | 'timers' | 'tick' | 'runWf' | 'putEvent' | 'stop' | 'resume' | 'delete' | 'worker';

/** Rounds of the drain before it is called stuck; far more than a settled run needs. */
const MAX_DRAIN_ROUNDS = 200_000;
/** Longest quiet stretch of simulated time the drain skips over in one jump. */
const MAX_CLOCK_JUMP_MS = 3_600_000;

export async function runStep(sim: Simulation): Promise<void> {
  const f = sim.options.faults;
  const fr = sim.faultRng;
  if (fr.chance(f.crash)) return sim.crashAndRecover();
  if (fr.chance(f.storeFlush)) {
    await sim.store.flush();
    sim.trace('store flush');
  }
  if (fr.chance(f.logWriteFailure)) {
    sim.log.failNextWrite = true;
    sim.trace('fault: the next log write fails');
  }
  if (fr.chance(f.storeWriteFailure)) {
    // 3 failures exhaust a write's attempts; a 4th also fails the first recovery pass.
    sim.store.failNextWrites = fr.between(1, 4);
    sim.trace(`fault: the next ${sim.store.failNextWrites} store writes fail`);
  }
  const e = sim.engine;
  const due = e.timers.nextDueMs();
  const actors = sim.workers.filter((w) => w.canAct(sim.nowMs));
  const weights: Record<Move, number> = {
    apply: e.canApply() ? 5 : 0,
    advance: e.canAdvance() ? 7 : 0,
    store: e.canWriteStore() ? 6 : 0,
    recover: e.canRecover() ? 4 : 0,
    timers: due !== undefined && due <= sim.nowMs ? 3 : 0,
    tick: 3,
    runWf: e.ready ? 1.5 : 0,
    putEvent: e.ready ? 1 : 0,
    stop: e.ready ? 0.3 : 0,
    resume: e.ready ? 0.4 : 0,
    delete: e.ready ? 0.06 : 0,
    worker: actors.length > 0 ? 4 : 0,
  };
  const move = sim.rng.weighted(weights);
  switch (move) {
    case 'apply': {
      const max = sim.rng.between(1, sim.limits.maxCommandsPerBatch);
      sim.trace(`apply up to ${max} of ${e.queued}`);
      return e.applyNext(max);
    }
    case 'advance':
      if (e.inflightPhase === 'gated') sim.count('storeGateWaits');
      sim.trace(`advance ${e.inflightPhase}`);
      return e.advance();
    case 'store':
      sim.trace(`store write, ${e.storeWrites.behind} behind`);
      return e.writeStore();
    case 'recover':
      sim.trace(`recover from ${e.failure} failure`);
      sim.count(`recover.${e.failure}`);
      return e.recover();
    case 'timers': {
      const n = await e.timers.fireDue(sim.nowMs);
      sim.trace(`fire ${n} timers`);
      return;
    }
    case 'tick':
      sim.nowMs += sim.rng.between(1, 700);
      sim.trace('tick');
      return;
    case 'worker': {
      const w = sim.rng.pick(actors);
      sim.trace(`worker ${w.id} ${w.state}`);
      w.act(sim.nowMs);
      return;
    }
    default:
      sim.trace(`client ${move}`);
      sim.client(move);
  }
}

/**
 * Faults off, workers succeed promptly, the clock jumps to whatever is due next, until nothing
 * is left to do: then every WfRun should have settled.
 */
export async function runDrain(sim: Simulation): Promise<void> {
  for (let round = 0; round < MAX_DRAIN_ROUNDS; round++) {
    const e = sim.engine;
    if (e.canAdvance()) {
      await e.advance();
      continue;
    }
    if (e.canApply()) {
      await e.applyNext(sim.limits.maxCommandsPerBatch);
      continue;
    }
    if (e.canWriteStore()) {
      await e.writeStore();
      continue;
    }
    if (e.canRecover()) {
      await e.recover();
      continue;
    }
    let acted = false;
    for (const w of sim.workers) {
      if (w.canAct(sim.nowMs)) {
        w.act(sim.nowMs);
        acted = true;
      }
    }
    if (acted) continue;
    if ((await e.timers.fireDue(sim.nowMs)) > 0) continue;
    let next: number | undefined = e.timers.nextDueMs();
    for (const w of sim.workers) {
      const at = w.nextReportMs;
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    if (next === undefined) {
      sim.trace(`drained after ${round} rounds`);
      return;
    }
    if (next - sim.nowMs > MAX_CLOCK_JUMP_MS) throw new InvariantViolation('drain', `the next event is ${next - sim.nowMs} ms away`);
    sim.nowMs = Math.max(sim.nowMs + 1, next);
  }
  throw new InvariantViolation('drain', `the run did not settle within ${MAX_DRAIN_ROUNDS} drain rounds`);
}
