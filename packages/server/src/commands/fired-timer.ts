// A command a timer fired carries the stored timer's key (its due time and identity) as bytes.
import type { Command } from '@filly/proto/internal';

/** True for a command a timer fired; its time is then the timer's due time. */
export function isTimerFired(command: Command): boolean {
  return command.firedTimerKey !== undefined && command.firedTimerKey.length > 0;
}

/** The stored timer's key of a command a timer fired; undefined for any other command. */
export function firedTimerKeyOf(command: Command): string | undefined {
  const raw = command.firedTimerKey;
  if (raw === undefined || raw.length === 0) return undefined;
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
}
