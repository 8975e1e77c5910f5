// The simulated command log: what the disk holds of log/segment-log.ts. An append is two steps,
// as on disk: write() puts the records after the durable end (they may or may not survive a
// crash), sync() makes them durable (the fdatasync; only then does SegmentLog.append resolve).
// A crash keeps the durable records and a random prefix of the unsynced ones, possibly with the
// last kept record torn; open() cuts a torn tail away as SegmentLog.open does.
import type { LogRecord } from '../log/segment-log.ts';
import type { Prng } from './prng.ts';

interface StoredRecord {
  payload: Uint8Array;
  /** Only part of the record reached the disk. */
  torn: boolean;
}

export class SimLog {
  #records: StoredRecord[] = [];
  /** Records [0, durable) are synced. */
  #durable = 0;
  #failed = false;
  /** Set by a fault: the next write() fails. */
  failNextWrite = false;

  /** Offset the next appended record gets (SegmentLog.nextOffset: moves only when an append completes). */
  get nextOffset(): number {
    return this.#durable;
  }

  get durableCount(): number {
    return this.#durable;
  }

  get firstOffset(): number {
    return 0;
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** The first half of SegmentLog.append: the bytes are written but not synced. */
  write(payloads: readonly Uint8Array[]): void {
    if (this.#failed) throw new Error('the command log failed an earlier write');
    if (this.#records.length !== this.#durable) throw new Error('write() while another append is unsynced');
    if (payloads.length === 0) throw new Error('append of an empty batch');
    if (this.failNextWrite) {
      this.failNextWrite = false;
      this.#failed = true;
      // A failed write may still have put some bytes on the disk, like a short write.
      this.#records.push({ payload: payloads[0]!.slice(0, Math.floor(payloads[0]!.length / 2)), torn: true });
      throw new Error('simulated log write failure (disk full)');
    }
    for (const p of payloads) this.#records.push({ payload: p.slice(), torn: false });
  }

  /** The second half: the fdatasync. Returns the last offset, as SegmentLog.append resolves. */
  sync(): number {
    if (this.#failed) throw new Error('sync() on a failed log');
    if (this.#records.length === this.#durable) throw new Error('sync() with nothing written');
    this.#durable = this.#records.length;
    return this.#durable - 1;
  }

  /** SegmentLog.probe: cut back to the last durable record and accept appends again. */
  probe(): void {
    this.#records.length = this.#durable;
    this.#failed = false;
  }

  /** The process dies: unsynced records survive only as a random prefix, the last maybe torn. */
  crash(rng: Prng): void {
    const unsynced = this.#records.length - this.#durable;
    const kept = unsynced === 0 ? 0 : rng.int(unsynced + 1);
    this.#records.length = this.#durable + kept;
    const last = this.#records[this.#records.length - 1];
    if (kept > 0 && last !== undefined && !last.torn && rng.chance(0.3)) {
      this.#records[this.#records.length - 1] = { payload: last.payload.slice(0, rng.int(last.payload.length)), torn: true };
    }
    this.#failed = false;
  }

  /**
   * Opening after a crash: a torn final record is cut away (SegmentLog.open's tail repair); what
   * remains is on disk and counts as durable from now on. Returns how many records were cut.
   */
  open(): { cut: number } {
    let cut = 0;
    for (let i = 0; i < this.#records.length; i++) {
      if (!this.#records[i]!.torn) continue;
      if (i !== this.#records.length - 1) throw new Error(`log damaged before its tail at offset ${i}`);
      this.#records.length = i;
      cut = 1;
    }
    this.#durable = this.#records.length;
    this.#failed = false;
    return { cut };
  }

  /**
   * Records from `fromOffset` to nextOffset (the shape SegmentLog.read yields): never the bytes of
   * an append that has not completed, such as what a failed write left before probe() cuts it.
   */
  async *read(fromOffset: number): AsyncGenerator<LogRecord> {
    const end = this.#durable;
    if (fromOffset < 0 || fromOffset > end) throw new Error(`offset ${fromOffset} outside the log [0, ${end}]`);
    for (let offset = fromOffset; offset < end; offset++) {
      const r = this.#records[offset]!;
      if (r.torn) throw new Error(`log record ${offset} is torn`);
      yield { offset, payload: r.payload.slice() };
    }
  }

  /** Every durable payload in order (for invariants and the replay-from-empty check). */
  durablePayloads(): Uint8Array[] {
    return this.#records.slice(0, this.#durable).map((r) => r.payload);
  }

  /** Test hook for the broken-engine checks: silently loses one durable record. */
  loseDurableRecord(offset: number): void {
    if (offset < 0 || offset >= this.#durable) throw new Error(`no durable record ${offset}`);
    this.#records.splice(offset, 1);
    this.#durable--;
  }
}
