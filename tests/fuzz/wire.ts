// A protobuf wire-format writer that, unlike generated encoders, also writes what a correct
// encoder never would: wrong wire types, over-long varints, lengths past the end.
export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

export class WireWriter {
  #chunks: Uint8Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  raw(bytes: Uint8Array): this {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
    return this;
  }

  /** Unsigned varint of a bigint taken modulo 2^64 (negative numbers become 10 bytes). */
  varint(value: bigint): this {
    let v = BigInt.asUintN(64, value);
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    return this.raw(Uint8Array.from(out));
  }

  /** A varint of more than 10 bytes: invalid everywhere. */
  overlongVarint(): this {
    return this.raw(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
  }

  tag(field: number, wireType: number): this {
    return this.varint((BigInt(field) << 3n) | BigInt(wireType & 7));
  }

  lenDelimited(field: number, payload: Uint8Array): this {
    return this.tag(field, WireType.LEN).varint(BigInt(payload.length)).raw(payload);
  }

  fixed32(value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    return this.raw(b);
  }

  fixed64(value: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    return this.raw(b);
  }

  double(value: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    return this.raw(b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function toHex(bytes: Uint8Array, maxBytes = 512): string {
  const shown = Buffer.from(bytes.subarray(0, maxBytes)).toString('hex');
  return bytes.length > maxBytes ? `${shown}… (${bytes.length} bytes in all)` : shown;
}
