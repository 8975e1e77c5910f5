// Failures of the command log, by what the caller should do about them.

/** The log holds damaged records before its tail: refuse to start rather than lose them. */
export class LogCorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogCorruptError';
  }
}

/** A write or sync failed; the log refuses appends until probe() succeeds. */
export class LogUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogUnavailableError';
  }
}

/** A record is larger than the configured bound; nothing was written. */
export class RecordTooLargeError extends Error {
  readonly recordBytes: number;
  readonly maxRecordBytes: number;
  constructor(recordBytes: number, maxRecordBytes: number) {
    super(`record of ${recordBytes} bytes exceeds the limit of ${maxRecordBytes} bytes`);
    this.name = 'RecordTooLargeError';
    this.recordBytes = recordBytes;
    this.maxRecordBytes = maxRecordBytes;
  }
}
