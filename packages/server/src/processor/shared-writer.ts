// One protobuf writer reused by every record encode, and the bytes it hands out carved from
// shared slabs.
//
// A fresh writer per encode starts from an empty buffer and regrows it (128, 256, 512 ... bytes)
// for every record; encodes are synchronous and never interleave, so one writer can serve them
// all and keep its grown buffer. Its finish() copies the bytes into a new ArrayBuffer of their
// own; over 64 bytes V8 keeps that memory outside the heap and must track and sweep each one,
// which at tens of thousands of records a second showed up as a large share of every young-
// generation collection. Records are instead copied into a slab: one ArrayBuffer holds many of
// them. A slab is filled once and never written again, so a record handed out never changes;
// it stays alive as long as any record carved from it (SLAB_BYTES bounds that overhead).
import { BinaryWriter } from '@bufbuild/protobuf/wire';

/** A buffer grown past this by one huge record is dropped rather than kept for good. */
const MAX_KEPT_BUFFER_BYTES = 1024 * 1024;
const SLAB_BYTES = 32 * 1024;
/** Larger records get an ArrayBuffer of their own, as finish() gives them. */
const MAX_SLAB_RECORD_BYTES = 2 * 1024;
/** Keeps every record's start 8-byte aligned within its slab. */
const ALIGN_BYTES = 8;

export interface WriterEncoder<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
}

/**
 * The writer's own state, which its typings keep private. Reading it spares the copy finish()
 * makes; writerState() checks the shape once and, if a new version of the library changed it,
 * encodes fall back to finish().
 */
interface WriterState {
  buffer: Uint8Array;
  pos: number;
  stackPos: number[];
}

let shared = new BinaryWriter();
let encoding = false;
let slab = new Uint8Array(SLAB_BYTES);
let slabUsedBytes = 0;
let stateReadable: boolean | undefined;

export function encodeShared<T>(fns: WriterEncoder<T>, message: T): Uint8Array {
  // An encode that re-entered (a getter that encodes) would corrupt the shared buffer.
  if (encoding) return fns.encode(message).finish();
  encoding = true;
  try {
    const bytes = takeBytes(fns.encode(message, shared));
    if (bytes.length > MAX_KEPT_BUFFER_BYTES) shared = new BinaryWriter();
    return bytes;
  } catch (err) {
    shared = new BinaryWriter(); // its fork stack may be left half-way
    throw err;
  } finally {
    encoding = false;
  }
}

/** The bytes written so far, carved from a slab when small, and the writer reset. */
function takeBytes(writer: BinaryWriter): Uint8Array {
  const state = writerState(writer);
  if (state === undefined || state.pos > MAX_SLAB_RECORD_BYTES || state.stackPos.length !== 0) return writer.finish();
  const length = state.pos;
  if (slabUsedBytes + length > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsedBytes = 0;
  }
  const bytes = slab.subarray(slabUsedBytes, slabUsedBytes + length);
  bytes.set(state.buffer.subarray(0, length));
  slabUsedBytes += Math.ceil(length / ALIGN_BYTES) * ALIGN_BYTES;
  state.pos = 0;
  return bytes;
}

function writerState(writer: BinaryWriter): WriterState | undefined {
  stateReadable ??= probeWriterState();
  return stateReadable ? (writer as unknown as WriterState) : undefined;
}

/** True when a writer's private state has the expected shape and finish() agrees with it. */
function probeWriterState(): boolean {
  const probe = new BinaryWriter().uint32(300).string('probe');
  const state = probe as unknown as Partial<WriterState>;
  if (!(state.buffer instanceof Uint8Array) || typeof state.pos !== 'number' || !Array.isArray(state.stackPos)) return false;
  const seen = state.buffer.slice(0, state.pos);
  const finished = probe.finish();
  return finished.length === seen.length && finished.every((b, i) => b === seen[i]) && state.pos === 0;
}
