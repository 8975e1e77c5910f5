// How one record sits in a segment file:
//
//   [payload length: u32 LE][crc32 of payload: u32 LE][payload bytes]
//
// A payload is never empty, so a zero length can only be unwritten (zero-filled) space.
import { crc32 } from 'node:zlib';

export const FRAME_HEADER_BYTES = 8;

/** Upper bound on a payload accepted while reading, whatever the configured write limit is. */
export const MAX_READABLE_PAYLOAD_BYTES = 64 * 1024 * 1024;

export function payloadChecksum(payload: Uint8Array): number {
  return crc32(payload) >>> 0;
}

export function framedSize(payloads: readonly Uint8Array[]): number {
  let total = 0;
  for (const p of payloads) total += FRAME_HEADER_BYTES + p.length;
  return total;
}

/** Frames every payload into one contiguous buffer, so a batch is written with a single write. */
export function encodeFrames(payloads: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafe(framedSize(payloads));
  let pos = 0;
  for (const p of payloads) {
    out.writeUInt32LE(p.length, pos);
    out.writeUInt32LE(payloadChecksum(p), pos + 4);
    out.set(p, pos + FRAME_HEADER_BYTES);
    pos += FRAME_HEADER_BYTES + p.length;
  }
  if (pos !== out.length) throw new Error(`frame encoding wrote ${pos} of ${out.length} bytes`);
  return out;
}
