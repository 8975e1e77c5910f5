// Reads the frames of one segment file in order, in bounded chunks, and classifies where it
// stops: a clean end, a torn tail (the last write did not fully reach the disk) or corruption
// (damage with valid-looking data after it, which truncating would silently lose).
import { open, type FileHandle } from 'node:fs/promises';
import { FRAME_HEADER_BYTES, MAX_READABLE_PAYLOAD_BYTES, payloadChecksum } from './frame.ts';

const CHUNK_BYTES = 1024 * 1024;

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
    if (length === 0) {
      const zeros = await this.#restIsZero(pos);
      return this.#finish({
        kind: 'damaged',
        position: pos,
        torn: zeros,
        reason: zeros ? 'zero-filled tail' : 'zero-length frame followed by data',
      });
    }
    if (length > MAX_READABLE_PAYLOAD_BYTES) {
      return this.#finish({ kind: 'damaged', position: pos, torn: false, reason: `frame length ${length} exceeds the readable bound` });
    }
    const end = pos + FRAME_HEADER_BYTES + length;
    if (end > this.fileBytes) {
      return this.#finish({ kind: 'damaged', position: pos, torn: true, reason: `frame of ${length} bytes cut off by the end of the file` });
    }
    await this.#ensure(pos, FRAME_HEADER_BYTES + length);
    const start = pos + FRAME_HEADER_BYTES - this.#bufStart;
    const payload = Uint8Array.prototype.slice.call(this.#buf, start, start + length);
    if (payloadChecksum(payload) !== checksum) {
      // Damage in the last frame (nothing but zero fill after it) is a write cut short.
      const torn = end === this.fileBytes || (await this.#restIsZero(end));
      return this.#finish({
        kind: 'damaged',
        position: pos,
        torn,
        reason: torn ? 'checksum mismatch in the final frame' : 'checksum mismatch before the end of the segment',
      });
    }
    this.#pos = end;
    return { kind: 'record', payload, position: pos };
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

  async #restIsZero(pos: number): Promise<boolean> {
    let at = pos;
    while (at < this.fileBytes) {
      const n = Math.min(CHUNK_BYTES, this.fileBytes - at);
      await this.#ensure(at, n);
      const off = at - this.#bufStart;
      for (let i = 0; i < n; i++) if (this.#buf[off + i] !== 0) return false;
      at += n;
    }
    return true;
  }
}
