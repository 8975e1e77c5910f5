// One protobuf writer reused by every record encode. A fresh writer per encode starts from an
// empty buffer and regrows it (128, 256, 512 ... bytes) for every record; encodes are synchronous
// and never interleave, so one writer can serve them all and keep its grown buffer. finish()
// copies the bytes out, so nothing handed out ever aliases the shared buffer.
import { BinaryWriter } from '@bufbuild/protobuf/wire';

/** A buffer grown past this by one huge record is dropped rather than kept for good. */
const MAX_KEPT_BUFFER_BYTES = 1024 * 1024;

export interface WriterEncoder<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
}

let shared = new BinaryWriter();
let encoding = false;

export function encodeShared<T>(fns: WriterEncoder<T>, message: T): Uint8Array {
  // An encode that re-entered (a getter that encodes) would corrupt the shared buffer.
  if (encoding) return fns.encode(message).finish();
  encoding = true;
  try {
    const bytes = fns.encode(message, shared).finish();
    if (bytes.length > MAX_KEPT_BUFFER_BYTES) shared = new BinaryWriter();
    return bytes;
  } catch (err) {
    shared = new BinaryWriter(); // its fork stack may be left half-way
    throw err;
  } finally {
    encoding = false;
  }
}
