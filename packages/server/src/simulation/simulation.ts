// One simulated run: a seeded workload against the simulated engine, one step at a time, with
// crashes and disk faults, invariants checked as it goes, then a drain and the final checks.
// Everything that varies comes from the seed, so a seed replays exactly (see main.ts).
import { createHash } from 'node:crypto';
import { DEFAULT_LIMITS, type Limits } from '../config/limits.ts';
import type { ApplyFn } from '../engine/batch-applier.ts';
import type { EngineLogger } from '../engine/engine-logger.ts';
import { applyCommand } from '../processor/apply.ts';
import { CommandLedger } from './command-ledger.ts';
import { checkDispatch, checkProgress, compareStores, replayFromEmpty } from './final-checks.ts';
import { Prng } from './prng.ts';
import { checkAllRecords, checkSearchIndexAfterWrite, checkWrite } from './record-checks.ts';
import { SimClients, Stamper, TENANT, type Body, type ClientAction } from './sim-clients.ts';
import { SimEngine } from './sim-engine.ts';
import { SimLog } from './sim-log.ts';
import { SimStore } from './sim-store.ts';
import { InvariantViolation, type Delivery, type SimOptions, type SimResult } from './sim-types.ts';
import { DeliveryLedger, SimWorker } from './sim-workers.ts';
import { brokenApply } from './broken-apply.ts';
import { runDrain, runStep } from './steps.ts';
import { metadataBodies, TASK_DEFS } from './workload-specs.ts';

/** Start of simulated time (2024-01-01T00:00:00Z): any fixed instant works. */
const EPOCH_MS = 1_704_067_200_000;
const WORKERS_PER_TASK_DEF = 2;
const MAX_SETUP_ROUNDS = 200;

export class Simulation {
  readonly options: SimOptions;
  readonly rng: Prng;
  /** Separate streams so that a change in one part's draws does not reshuffle the others. */
  readonly faultRng: Prng;
  readonly limits: Limits;
  readonly apply: ApplyFn;
  readonly log = new SimLog();
  readonly store = new SimStore();
  readonly ledger = new CommandLedger();
  readonly deliveries = new DeliveryLedger();
  readonly clients = new SimClients();
  readonly stamper: Stamper;
  readonly workers: SimWorker[] = [];
  readonly handlerErrors: string[] = [];
  readonly logger: EngineLogger;
  readonly stats: Record<string, number> = {};
  engine: SimEngine;
  nowMs = EPOCH_MS;
  step = 0;
  draining = false;
  readonly #trace = createHash('sha256');

  constructor(options: SimOptions) {
    this.options = options;
    this.rng = new Prng(options.seed);
    this.faultRng = this.rng.fork();
    const workerRng = this.rng.fork();
    this.limits = {
      ...DEFAULT_LIMITS,
      maxCachedWfRuns: options.maxCachedWfRuns,
      maxPendingCommands: options.maxPendingCommands,
      maxCommandsPerBatch: options.maxCommandsPerBatch,
    };
    this.apply = options.bugs.nondeterministicApply ? brokenApply(applyCommand) : applyCommand;
    this.stamper = new Stamper(options.partitionCount);
    this.logger = {
      info: () => undefined,
      warn: () => undefined,
      error: (fields, message) => {
        if (message === 'command handler failed') this.handlerErrors.push(`${String(fields['body'])}: ${errorText(fields['err'])}`);
      },
    };
    this.store.observer = (batch, before, peek) => {
      batch.forEach((w, i) => checkWrite(w, before[i]));
      checkSearchIndexAfterWrite(batch, before, peek);
    };
    if (options.bugs.storeDropsWfRuns) this.store.dropKeysMatching = (key) => key.includes('/wfrun/');
    this.engine = this.#newEngine();
    const env = {
      engine: () => this.engine,
      submit: (body: Body, deliver: (d: Delivery) => void) => this.submit(body, deliver),
      nowMs: () => this.nowMs,
      ledger: this.deliveries,
      draining: () => this.draining,
      trace: (line: string) => this.trace(line),
      requeueFailedClaims: options.requeueFailedClaims,
      partitionCount: options.partitionCount,
    };
    for (const name of TASK_DEFS) {
      for (let i = 0; i < WORKERS_PER_TASK_DEF; i++) this.workers.push(new SimWorker(`${name}-w${i}`, name, workerRng.fork(), env));
    }
  }

  count(what: string, n = 1): void {
    this.stats[what] = (this.stats[what] ?? 0) + n;
  }

  trace(line: string): void {
    this.#trace.update(`${this.step} ${this.nowMs - EPOCH_MS} ${line}\n`);
    if (this.options.trace) process.stdout.write(`[${this.step}] t=${this.nowMs - EPOCH_MS} ${line}\n`);
  }

  /** A caller submits: stamped now, acknowledged outcomes go to the ledger before the caller. */
  submit(body: Body, deliver: (d: Delivery) => void): void {
    const command = this.stamper.stamp(body, this.nowMs);
    this.count(`cmd.${body.$case}`);
    this.engine.submit(command, (d) => {
      if (d.acked) {
        this.ledger.onAck(command.commandId, d.logged);
        this.count(d.outcome.ok ? 'acked.ok' : 'acked.error');
      } else this.count('unacked');
      deliver(d);
    });
  }

  client(action: ClientAction): void {
    const call = this.clients.next(this.rng, action);
    if (call) this.submit(call.body, call.onDelivery);
  }

  /** The process dies and restarts: memory is lost, the disks keep what they keep. */
  async crashAndRecover(): Promise<void> {
    this.count('crashes');
    this.trace(`crash phase=${this.engine.inflightPhase ?? '-'} storeBehind=${this.engine.storeWrites.behind} queued=${this.engine.queued}`);
    this.engine.crash();
    this.#countTimers();
    for (const w of this.workers) w.onServerCrash();
    // Injected disk faults are transient: they do not outlive the process that met them.
    this.log.failNextWrite = false;
    this.store.failNextWrites = 0;
    this.log.crash(this.faultRng);
    const { lostBatches } = await this.store.crash(this.faultRng);
    const { cut } = this.log.open();
    this.count('store.lostBatches', lostBatches);
    this.count('log.tornTails', cut);
    this.ledger.rebuild(this.log);
    this.ledger.check();
    this.engine = this.#newEngine();
    await this.engine.open();
    this.count('replayed', this.engine.replayedCommands);
    this.trace(`recovered log=${this.log.durableCount} replayed=${this.engine.replayedCommands} lostStoreBatches=${lostBatches}`);
    checkAllRecords(await this.store.dump());
  }

  async run(): Promise<SimResult> {
    try {
      await this.engine.open();
      await this.#setup();
      for (this.step = 1; this.step <= this.options.steps; this.step++) {
        await runStep(this);
        this.#checkHandlers();
        if (this.options.paranoid) checkAllRecords(await this.store.dump());
      }
      this.step = this.options.steps + 1;
      this.draining = true;
      await runDrain(this);
      this.#checkHandlers();
      await this.#finalChecks();
      return this.#result(undefined);
    } catch (err) {
      if (err instanceof InvariantViolation) return this.#result(err);
      throw new Error(`simulation seed ${this.options.seed} crashed at step ${this.step}: ${errorText(err)}`, { cause: err });
    }
  }

  async #setup(): Promise<void> {
    for (const body of metadataBodies()) {
      let done = false;
      for (let round = 0; !done && round < MAX_SETUP_ROUNDS; round++) {
        this.submit(body, (d) => {
          if (!d.acked) return;
          if (!d.outcome.ok) throw new Error(`setup ${body.$case} failed: ${d.outcome.message}`);
          done = true;
        });
        const e = this.engine;
        while (e.canApply() || e.canAdvance() || e.canWriteStore()) {
          if (e.canApply()) await e.applyNext(this.limits.maxCommandsPerBatch);
          else if (e.canAdvance()) await e.advance();
          else await e.writeStore();
        }
      }
      if (!done) throw new Error(`setup ${body.$case} never completed`);
    }
  }

  async #finalChecks(): Promise<void> {
    if (this.engine.queued > 0 || this.engine.busy) throw new InvariantViolation('drain', 'the engine is not idle after the drain');
    this.ledger.check();
    const live = await this.store.dump();
    checkAllRecords(live);
    await checkDispatch(this.engine, live, this.options.partitionCount, TENANT);
    checkProgress(live);
    const replayed = await replayFromEmpty(this.log, { apply: this.apply, limits: this.limits, partitionCount: this.options.partitionCount, logger: this.logger });
    compareStores(live, replayed);
    this.#checkHandlers();
    for (const row of live) this.#trace.update(`${row.key}=${Buffer.from(row.value).toString('base64')}\n`);
    this.#countTimers();
    this.count('storeKeys', live.length);
    this.count('logRecords', this.log.durableCount);
    this.count('delivered', this.deliveries.delivered);
  }

  #countTimers(): void {
    for (const [k, v] of Object.entries(this.engine.timers.fired)) this.count(k, v);
  }

  #checkHandlers(): void {
    const first = this.handlerErrors[0];
    if (first !== undefined) throw new InvariantViolation('handler-error', `a handler threw an unexpected error: ${first}`);
  }

  #newEngine(): SimEngine {
    return new SimEngine({
      log: this.log,
      store: this.store,
      limits: this.limits,
      partitionCount: this.options.partitionCount,
      apply: this.apply,
      logger: this.logger,
      nowMs: () => this.nowMs,
      bugs: this.options.bugs,
      onDurable: (commands, firstOffset) => this.ledger.onDurable(commands, firstOffset),
    });
  }

  #result(violation: InvariantViolation | undefined): SimResult {
    const stats = { ...this.stats, ...prefixed('client.', this.clients.counts) };
    const digest = this.#trace.copy().digest('hex');
    if (!violation) return { seed: this.options.seed, ok: true, steps: this.step - 1, digest, stats };
    return { seed: this.options.seed, ok: false, failedStep: this.step, invariant: violation.invariant, message: violation.message, steps: this.step, digest, stats };
  }
}

function prefixed(prefix: string, counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [prefix + k, v]));
}

export function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export async function runSimulation(options: SimOptions): Promise<SimResult> {
  return new Simulation(options).run();
}
