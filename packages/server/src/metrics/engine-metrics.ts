// The engine's own work as Prometheus metrics: it is the EngineObserver an engine is opened with.
// Every call comes from the engine's loop once per batch (or per fired timer), so the cost of a
// prom-client observation is paid per batch, not per request.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { EngineObserver } from '../engine/engine-observer.ts';
import { APPLY_BUCKETS_MS, BATCH_SIZE_BUCKETS, DURABLE_BUCKETS_MS, LATENESS_BUCKETS_MS } from './metric-buckets.ts';

export const ENGINE_METRIC_NAMES = {
  batchCommands: 'filly_batch_commands',
  batchApplyMs: 'filly_batch_apply_ms',
  batchDurableMs: 'filly_batch_durable_ms',
  timerLatenessMs: 'filly_timer_lateness_ms',
  commandsApplied: 'filly_commands_applied_total',
  commandsDurable: 'filly_commands_durable_total',
} as const;

export class EngineMetrics implements EngineObserver {
  readonly #batchCommands: Histogram;
  readonly #applyMs: Histogram;
  readonly #durableMs: Histogram;
  readonly #timerLatenessMs: Histogram;
  readonly #applied: Counter;
  readonly #durable: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    const n = ENGINE_METRIC_NAMES;
    this.#batchCommands = new Histogram({
      name: n.batchCommands,
      help: 'Commands taken together into one applied batch.',
      buckets: [...BATCH_SIZE_BUCKETS],
      registers,
    });
    this.#applyMs = new Histogram({
      name: n.batchApplyMs,
      help: 'Milliseconds the engine spent applying one batch in memory, before making it durable.',
      buckets: [...APPLY_BUCKETS_MS],
      registers,
    });
    this.#durableMs = new Histogram({
      name: n.batchDurableMs,
      help: 'Milliseconds taken to make one batch durable: the command-log append with its fsync (embedded) or the Kafka transaction.',
      buckets: [...DURABLE_BUCKETS_MS],
      registers,
    });
    this.#timerLatenessMs = new Histogram({
      name: n.timerLatenessMs,
      help: 'Milliseconds between a timer\'s due time and the moment the command it fired was applied.',
      buckets: [...LATENESS_BUCKETS_MS],
      registers,
    });
    this.#applied = new Counter({
      name: n.commandsApplied,
      help: 'Commands applied by this server\'s engine (start-up replay excluded).',
      registers,
    });
    this.#durable = new Counter({
      name: n.commandsDurable,
      help: 'Commands this server made durable (written to the command log or committed to Kafka).',
      registers,
    });
  }

  // The observer contract forbids throwing (a throw would fail the batch): prom-client throws
  // on non-finite values, so anything odd is dropped here instead.

  batchApplied(commands: number, applyMs: number): void {
    if (!isCount(commands) || !Number.isFinite(applyMs)) return;
    this.#batchCommands.observe(commands);
    this.#applyMs.observe(Math.max(0, applyMs));
    this.#applied.inc(commands);
  }

  batchDurable(commands: number, durableMs: number): void {
    if (!isCount(commands) || !Number.isFinite(durableMs)) return;
    this.#durableMs.observe(Math.max(0, durableMs));
    this.#durable.inc(commands);
  }

  timerFired(latenessMs: number): void {
    if (!Number.isFinite(latenessMs)) return;
    this.#timerLatenessMs.observe(Math.max(0, latenessMs));
  }
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}
