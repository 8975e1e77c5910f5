// Reads the frames of one segment file in order, in bounded chunks, and classifies where it
// stops: a clean end, a torn tail (the last write did not fully reach the disk) or corruption
// (damage with an intact record somewhere after it, which truncating would silently lose).
//
// Whatever the damage looks like (a zero or absurd length, a length running past the end of the
// file, a checksum mismatch), it is a torn tail only if no intact frame starts anywhere after it:
// a crash can only leave garbage after the last durable write, never a good record. A flipped bit
// in a length field in the middle of the log therefore refuses the open instead of cutting away
// every record behind it.
import { open, type FileHandle } from 'node:fs/promises';
import { FRAME_HEADER_BYTES, MAX_READABLE_PAYLOAD_BYTES, payloadChecksum } from './frame.ts';

const CHUNK_BYTES = 1024 * 1024;
/**
 * Work bound of the search for an intact frame after damage (bytes checksummed). Past it the
 * damage is reported as corruption: refusing to start is recoverable, cutting records is not.
 */
const MAX_RESYNC_CHECKSUM_BYTES = 256 * 1024 * 1024;

export type ScanStep =
  | { kind: 'record'; payload: Uint8Array; position: number }
  | { kind: 'end'; position: number }
  /** `torn`: only the tail is damaged and may be truncated away; otherwise the file is corrupt. */
  | { kind: 'damaged'; position: number; torn: boolean; reason: string };

export class SegmentScanner {
  readonly path: string;
  readonly fileBytes: number;
  #fh: FileHandle;
  #buf: Buffer = Buffer.alloc(0);
  /** File position of #buf[0]. */
  #bufStart = 0;
  #pos = 0;
  #done = false;

  private constructor(path: string, fh: FileHandle, fileBytes: number) {
    this.path = path;
    this.#fh = fh;
    this.fileBytes = fileBytes;
  }

  static async open(path: string): Promise<SegmentScanner> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      return new SegmentScanner(path, fh, size);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async next(): Promise<ScanStep> {
    if (this.#done) throw new Error('SegmentScanner.next() after the scan ended');
    const pos = this.#pos;
    const remaining = this.fileBytes - pos;
    if (remaining === 0) return this.#finish({ kind: 'end', position: pos });
    if (remaining < FRAME_HEADER_BYTES) {
      return this.#finish({ kind: 'damaged', position: pos, torn: true, reason: `partial frame header (${remaining} bytes)` });
    }
    await this.#ensure(pos, FRAME_HEADER_BYTES);
    const length = this.#buf.readUInt32LE(pos - this.#bufStart);
    const checksum = this.#buf.readUInt32LE(pos - this.#bufStart + 4);
    const end = pos + FRAME_HEADER_BYTES + length;
    let problem: string | undefined;
    if (length === 0) problem = 'zero-length frame';
    else if (length > MAX_READABLE_PAYLOAD_BYTES) problem = `frame length ${length} exceeds the readable bound`;
    else if (end > this.fileBytes) problem = `frame of ${length} bytes runs past the end of the file`;
    if (problem === undefined) {
      await this.#ensure(pos, FRAME_HEADER_BYTES + length);
      const start = pos + FRAME_HEADER_BYTES - this.#bufStart;
      const payload = Uint8Array.prototype.slice.call(this.#buf, start, start + length);
      if (payloadChecksum(payload) === checksum) {
        this.#pos = end;
        return { kind: 'record', payload, position: pos };
      }
      problem = 'checksum mismatch';
    }
    const intactAt = await this.#intactFrameAfter(pos);
    if (intactAt === undefined) return this.#finish({ kind: 'damaged', position: pos, torn: true, reason: `${problem} in the final write` });
    return this.#finish({
      kind: 'damaged',
      position: pos,
      torn: false,
      reason: intactAt < 0 ? `${problem}, and the bytes after it are too many to check` : `${problem}, with an intact record after it at byte ${intactAt}`,
    });
  }

  async close(): Promise<void> {
    this.#done = true;
    await this.#fh.close();
  }

  #finish(step: ScanStep): ScanStep {
    this.#done = true;
    return step;
  }

  /** Makes file bytes [pos, pos+n) available in #buf; the caller checked they exist. */
  async #ensure(pos: number, n: number): Promise<void> {
    const bufEnd = this.#bufStart + this.#buf.length;
    if (pos >= this.#bufStart && pos + n <= bufEnd) return;
    const want = Math.min(Math.max(n, CHUNK_BYTES), this.fileBytes - pos);
    const buf = Buffer.allocUnsafe(want);
    let filled = 0;
    // Bounded: each read makes progress or we stop on an unexpected end of file.
    while (filled < want) {
      const { bytesRead } = await this.#fh.read(buf, filled, want - filled, pos + filled);
      if (bytesRead === 0) throw new Error(`${this.path} shrank while being read (at ${pos + filled})`);
      filled += bytesRead;
    }
    this.#buf = buf;
    this.#bufStart = pos;
  }

  /**
   * The position of the first intact frame starting after `damagedAt`; undefined when there is
   * none; -1 when the search exceeded its work bound (treated as "there may be one").
   */
  async #intactFrameAfter(damagedAt: number): Promise<number | undefined> {
    let budget = MAX_RESYNC_CHECKSUM_BYTES;
    // Bounded by the file size; every candidate's checksum work is charged to the budget.
    for (let q = damagedAt + 1; q + FRAME_HEADER_BYTES < this.fileBytes; q++) {
      await this.#ensure(q, FRAME_HEADER_BYTES);
      const off = q - this.#bufStart;
      const length = this.#buf.readUInt32LE(off);
      if (length === 0 || length > MAX_READABLE_PAYLOAD_BYTES || q + FRAME_HEADER_BYTES + length > this.fileBytes) continue;
      budget -= length;
      if (budget < 0) return -1;
      const checksum = this.#buf.readUInt32LE(off + 4);
      await this.#ensure(q, FRAME_HEADER_BYTES + length);
      const start = q + FRAME_HEADER_BYTES - this.#bufStart;
      if (payloadChecksum(this.#buf.subarray(start, start + length)) === checksum) return q;
    }
    return undefined;
  }
}
