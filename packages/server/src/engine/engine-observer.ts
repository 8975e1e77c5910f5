// What an engine reports about its own work, for metrics. Called on the engine's loop, so an
// observer must be cheap and must never throw (a throwing observer would fail the batch).
import type { Command } from '@filly/proto/internal';
import { isTimerFired } from '../commands/fired-timer.ts';

export interface EngineObserver {
  /** A batch was applied: how many commands, and how long the synchronous apply took. */
  batchApplied(commands: number, applyMs: number): void;
  /** A batch was made durable (log append or Kafka commit): commands logged, and how long it took. */
  batchDurable(commands: number, durableMs: number): void;
  /** A command fired by a timer was applied `latenessMs` after its due time. */
  timerFired(latenessMs: number): void;
}

export const NO_OBSERVER: EngineObserver = {
  batchApplied: () => undefined,
  batchDurable: () => undefined,
  timerFired: () => undefined,
};

/** Tells the observer how late each timer-fired command among `commands` is applied at `nowMs`. */
export function observeFiredTimers(observer: EngineObserver, commands: readonly Command[], nowMs: number): void {
  for (const command of commands) {
    // A fired timer's command carries its due time as its time.
    if (isTimerFired(command)) observer.timerFired(Math.max(0, nowMs - Number(command.timeMs)));
  }
}
