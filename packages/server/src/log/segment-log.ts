// The embedded command log: an append-only sequence of records in segment files. A record's
// offset is its number in the sequence (0, 1, 2, ...). Each append is one synchronous write (the
// active segment is opened with O_DSYNC; where the platform lacks it, a write and an fdatasync),
// however many records it carries (group commit); a record whose append returned is durable. Opening the log repairs a torn tail left by a crash and refuses any other damage.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { encodeFrames } from './frame.ts';
import { LogCorruptError, LogUnavailableError, RecordTooLargeError } from './log-errors.ts';
import { listSegments, segmentName, syncDirectory, type SegmentFile } from './segment-files.ts';
import { SegmentScanner } from './segment-scanner.ts';
import { join } from 'node:path';

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

export interface SegmentLogOptions {
  /** Largest payload append() accepts. */
  maxRecordBytes: number;
  /** A segment is rolled once the next batch would take it past this size. */
  segmentBytes?: number;
  /** 'tail' checks the last segment at open (the default); 'all' checks every segment. */
  verify?: 'tail' | 'all';
  /**
   * Open for reading only (the verify tool): nothing is created or truncated, append() refuses,
   * and a torn tail is reported but left in place (reads stop before it).
   */
  readOnly?: boolean;
  /** Test-only fault injection: slow or failing writes and syncs. */
  faults?: LogFaults;
}

/**
 * Hooks called before the log touches the disk. A hook may delay (a slow disk) or throw (a full
 * or failing disk); a throw is handled exactly like the same error from the file system.
 */
export interface LogFaults {
  beforeWrite?: (bytes: number) => void | Promise<void>;
  beforeSync?: () => void | Promise<void>;
}

export interface LogOpenReport {
  segmentCount: number;
  firstOffset: number;
  nextOffset: number;
  /** Set when a torn final write was cut away; the caller should log it. */
  truncated?: { path: string; position: number; droppedBytes: number; reason: string };
}

export interface LogRecord {
  offset: number;
  payload: Uint8Array;
}

interface ActiveSegment {
  file: SegmentFile;
  fh: FileHandle;
  /** Bytes known to be valid and durable; appends go here. */
  bytes: number;
}

/**
 * O_DSYNC makes the write its own sync: one round trip to the I/O threads per append instead of
 * two (a write, then an fdatasync), each of which also waits for a busy event loop to see it end.
 */
const DSYNC = constants.O_DSYNC ?? 0;
const ACTIVE_FLAGS = constants.O_RDWR | DSYNC;
const NEW_ACTIVE_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | DSYNC;

export class SegmentLog {
  readonly dir: string;
  readonly maxRecordBytes: number;
  readonly segmentBytes: number;
  readonly #faults: LogFaults;
  #segments: SegmentFile[];
  #active: ActiveSegment;
  #nextOffset: number;
  #appending = false;
  readonly #readOnly: boolean;
  #failed: Error | undefined;
  #closed = false;

  private constructor(dir: string, options: SegmentLogOptions, segments: SegmentFile[], active: ActiveSegment, nextOffset: number) {
    this.dir = dir;
    this.maxRecordBytes = options.maxRecordBytes;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.#faults = options.faults ?? {};
    this.#readOnly = options.readOnly ?? false;
    this.#segments = segments;
    this.#active = active;
    this.#nextOffset = nextOffset;
  }

  static async open(dir: string, options: SegmentLogOptions): Promise<{ log: SegmentLog; report: LogOpenReport }> {
    if (!(options.maxRecordBytes > 0)) throw new Error('maxRecordBytes must be positive');
    let segments = await listSegments(dir);
    if (segments.length === 0 && options.readOnly) throw new Error(`${dir} holds no command log segments`);
    if (segments.length === 0) {
      const first = { baseOffset: 0, path: join(dir, segmentName(0)) };
      await (await open(first.path, 'w')).close();
      await syncDirectory(dir);
      segments = [first];
    }
    if (options.verify === 'all') {
      for (let i = 0; i + 1 < segments.length; i++) await verifySealedSegment(segments[i]!, segments[i + 1]!.baseOffset);
    }
    const last = segments[segments.length - 1]!;
    const tail = await scanTail(last);
    const fh = await open(last.path, options.readOnly ? 'r' : ACTIVE_FLAGS);
    const report: LogOpenReport = {
      segmentCount: segments.length,
      firstOffset: segments[0]!.baseOffset,
      nextOffset: last.baseOffset + tail.records,
    };
    try {
      if (tail.damage && options.readOnly) {
        report.truncated = { path: last.path, position: tail.validBytes, droppedBytes: tail.fileBytes - tail.validBytes, reason: tail.damage };
      } else if (tail.damage) {
        await fh.truncate(tail.validBytes);
        await fh.datasync();
        report.truncated = {
          path: last.path,
          position: tail.validBytes,
          droppedBytes: tail.fileBytes - tail.validBytes,
          reason: tail.damage,
        };
      }
    } catch (err) {
      await fh.close();
      throw err;
    }
    const log = new SegmentLog(dir, options, segments, { file: last, fh, bytes: tail.validBytes }, report.nextOffset);
    return { log, report };
  }

  /** Offset the next appended record will get. */
  get nextOffset(): number {
    return this.#nextOffset;
  }

  /** Offset of the oldest record still held. */
  get firstOffset(): number {
    return this.#segments[0]!.baseOffset;
  }

  /** True after a failed append, until probe() succeeds. */
  get failed(): boolean {
    return this.#failed !== undefined;
  }

  /** Appends the records with one write and one fdatasync; resolves with the last offset. */
  async append(records: readonly Uint8Array[]): Promise<number> {
    if (this.#closed) throw new LogUnavailableError('the command log is closed');
    if (this.#readOnly) throw new Error('append() on a log opened read-only');
    if (this.#failed) throw new LogUnavailableError('the command log failed an earlier write', { cause: this.#failed });
    if (this.#appending) throw new Error('SegmentLog.append() called while another append is in flight');
    if (records.length === 0) throw new Error('append() of an empty batch');
    for (const r of records) {
      if (r.length === 0) throw new Error('a log record may not be empty');
      if (r.length > this.maxRecordBytes) throw new RecordTooLargeError(r.length, this.maxRecordBytes);
    }
    const frames = encodeFrames(records);
    this.#appending = true;
    try {
      if (this.#active.bytes > 0 && this.#active.bytes + frames.length > this.segmentBytes) await this.#roll();
      const { fh, bytes } = this.#active;
      await this.#faults.beforeWrite?.(frames.length);
      let written = 0;
      // Bounded: every iteration writes at least one byte or throws.
      while (written < frames.length) {
        const { bytesWritten } = await fh.write(frames, written, frames.length - written, bytes + written);
        if (bytesWritten <= 0) throw new Error('write made no progress');
        written += bytesWritten;
      }
      await this.#faults.beforeSync?.();
      if (DSYNC === 0) await fh.datasync();
      this.#active.bytes += frames.length;
      this.#nextOffset += records.length;
      return this.#nextOffset - 1;
    } catch (err) {
      this.#failed = err instanceof Error ? err : new Error(String(err));
      throw new LogUnavailableError(`command log append failed: ${this.#failed.message}`, { cause: err });
    } finally {
      this.#appending = false;
    }
  }

  /**
   * After a failed append: cuts the active segment back to its last durable byte and syncs it.
   * Resolves when the log accepts appends again; throws if the disk still refuses.
   */
  async probe(): Promise<void> {
    if (!this.#failed) return;
    if (this.#appending) throw new Error('probe() during an append');
    const active = this.#active;
    await active.fh.close().catch(() => undefined);
    const fh = await open(active.file.path, ACTIVE_FLAGS);
    try {
      await fh.truncate(active.bytes);
      await this.#faults.beforeSync?.();
      await fh.datasync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    this.#active = { ...active, fh };
    this.#failed = undefined;
  }

  /**
   * Records from `fromOffset` up to the end of the log as it was when the read started.
   * Damage anywhere in that range throws LogCorruptError.
   */
  async *read(fromOffset: number): AsyncGenerator<LogRecord> {
    const endOffset = this.#nextOffset;
    if (fromOffset < this.firstOffset) throw new Error(`offset ${fromOffset} is before the log's first offset ${this.firstOffset}`);
    if (fromOffset > endOffset) throw new Error(`offset ${fromOffset} is beyond the log's end ${endOffset}`);
    if (fromOffset === endOffset) return;
    const segments = this.#segments.slice();
    let index = 0;
    for (let i = 0; i < segments.length; i++) if (segments[i]!.baseOffset <= fromOffset) index = i;
    for (; index < segments.length; index++) {
      const seg = segments[index]!;
      const nextBase = segments[index + 1]?.baseOffset;
      const scanner = await SegmentScanner.open(seg.path);
      try {
        let offset = seg.baseOffset;
        for (;;) {
          const step = await scanner.next();
          if (step.kind === 'record') {
            if (offset >= fromOffset) yield { offset, payload: step.payload };
            offset++;
            if (offset === endOffset) return;
            continue;
          }
          if (step.kind === 'damaged') throw new LogCorruptError(`${seg.path} is damaged at byte ${step.position}: ${step.reason}`);
          if (nextBase !== undefined && offset !== nextBase) {
            throw new LogCorruptError(`${seg.path} ends at offset ${offset} but the next segment starts at ${nextBase}`);
          }
          break;
        }
      } finally {
        await scanner.close();
      }
    }
    throw new LogCorruptError(`the log ended before offset ${endOffset}`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#active.fh.close();
  }

  async #roll(): Promise<void> {
    const file = { baseOffset: this.#nextOffset, path: join(this.dir, segmentName(this.#nextOffset)) };
    // A file by this name can only hold a batch that never became durable: start it afresh.
    const fh = await open(file.path, NEW_ACTIVE_FLAGS);
    try {
      await fh.datasync();
      await syncDirectory(this.dir);
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    const old = this.#active.fh;
    this.#active = { file, fh, bytes: 0 };
    this.#segments.push(file);
    await old.close();
  }
}

interface TailScan {
  records: number;
  validBytes: number;
  fileBytes: number;
  damage: string | undefined;
}

async function scanTail(seg: SegmentFile): Promise<TailScan> {
  const scanner = await SegmentScanner.open(seg.path);
  try {
    let records = 0;
    for (;;) {
      const step = await scanner.next();
      if (step.kind === 'record') {
        records++;
        continue;
      }
      if (step.kind === 'end') return { records, validBytes: step.position, fileBytes: scanner.fileBytes, damage: undefined };
      if (!step.torn) {
        throw new LogCorruptError(
          `${seg.path} is corrupt at byte ${step.position} (record ${seg.baseOffset + records}): ${step.reason}; ` +
            'refusing to start on a damaged log',
        );
      }
      return { records, validBytes: step.position, fileBytes: scanner.fileBytes, damage: step.reason };
    }
  } finally {
    await scanner.close();
  }
}

async function verifySealedSegment(seg: SegmentFile, nextBase: number): Promise<void> {
  const tail = await scanTail(seg);
  if (tail.damage) throw new LogCorruptError(`sealed segment ${seg.path} is damaged at byte ${tail.validBytes}: ${tail.damage}`);
  if (seg.baseOffset + tail.records !== nextBase) {
    throw new LogCorruptError(`${seg.path} holds ${tail.records} records but the next segment starts at ${nextBase}`);
  }
}
