// Exactly-once bookkeeping: which commands callers saw acknowledged, and which commands the
// durable log holds. An acknowledged command that changed state must be in the log exactly once;
// one that changed nothing must not be there; no command id may be logged twice.
import { Command } from '@filly/proto/internal';
import type { SimLog } from './sim-log.ts';
import { InvariantViolation } from './sim-types.ts';

export class CommandLedger {
  readonly #ackedLogged = new Set<string>();
  readonly #ackedUnlogged = new Set<string>();
  #inLog = new Map<string, number>();

  get ackedCount(): number {
    return this.#ackedLogged.size + this.#ackedUnlogged.size;
  }

  onAck(commandId: string, logged: boolean): void {
    (logged ? this.#ackedLogged : this.#ackedUnlogged).add(commandId);
  }

  /** A batch's records became durable at offsets firstOffset, firstOffset + 1, ... */
  onDurable(commands: readonly Command[], firstOffset: number): void {
    commands.forEach((c, i) => this.#add(c.commandId, firstOffset + i));
  }

  /** After a crash: the log is what survived; index it afresh. */
  rebuild(log: SimLog): void {
    this.#inLog = new Map();
    log.durablePayloads().forEach((p, offset) => this.#add(Command.decode(p).commandId, offset));
  }

  check(): void {
    for (const id of this.#ackedLogged) {
      if (!this.#inLog.has(id)) throw new InvariantViolation('exactly-once', `acknowledged command ${id} is missing from the durable log`);
    }
    for (const id of this.#ackedUnlogged) {
      if (this.#inLog.has(id)) throw new InvariantViolation('exactly-once', `command ${id} was answered as changing nothing, yet it is in the log`);
    }
  }

  #add(id: string, offset: number): void {
    const earlier = this.#inLog.get(id);
    if (earlier !== undefined) throw new InvariantViolation('exactly-once', `command ${id} is in the log twice (offsets ${earlier} and ${offset})`);
    this.#inLog.set(id, offset);
  }
}
