import type { HrTime } from '@opentelemetry/api';

/**
 * A protobuf writer for the OTLP span encoder (otlpProtobuf.ts): fields appended to one growing Buffer, a nested
 * message's length written in front of it once it is known (moved only when it does not fit the bytes kept).
 */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

/** Two bytes are kept for a nested message's length: most spans are 128 bytes to 16 KiB long. */
const RESERVED = 2;

/** Value of a hex digit by its character code (0 for anything else: the SDK makes only valid ids). */
const HEX = new Uint8Array(128);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[97 + c] = HEX[65 + c] = 10 + c;

export class Writer {
  buf: Buffer;
  pos = 0;

  /** `buffer`: one to write into (a pooled one) instead of a new one of `size` bytes. */
  constructor(size: number, buffer?: Buffer) {
    this.buf = buffer ?? Buffer.allocUnsafe(size);
  }

  ensure(more: number): void {
    if (this.pos + more <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + more));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  varint(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    // Up to 2^53: the high part by division, as bit operators stop at 32 bits.
    while (n > 0x7f) {
      buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[this.pos++] = n;
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** Opens a length-delimited field; `close` writes its length once its content is written. */
  open(field: number): number {
    this.tag(field, WIRE_BYTES);
    this.ensure(RESERVED);
    this.pos += RESERVED;
    return this.pos;
  }

  close(contentStart: number): void {
    const length = this.pos - contentStart;
    const size = length < 0x80 ? 1 : length < 0x4000 ? 2 : length < 0x200000 ? 3 : length < 0x10000000 ? 4 : 5;
    if (size !== RESERVED) {
      this.ensure(size - RESERVED);
      this.buf.copyWithin(contentStart - RESERVED + size, contentStart, this.pos);
      this.pos += size - RESERVED;
    }
    let at = contentStart - RESERVED;
    let n = length;
    while (n > 0x7f) {
      this.buf[at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[at] = n;
  }

  string(field: number, s: string): void {
    this.tag(field, WIRE_BYTES);
    const n = s.length;
    this.ensure(5 + n * 3);
    const buf = this.buf;
    // Short ASCII (every name, route, id and address the facade writes): one byte of length, bytes copied here;
    // a call into Buffer's encoder costs more than the copy.
    if (n < 0x80) {
      let at = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        buf[at++] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = at;
        return;
      }
    }
    this.pos += RESERVED;
    const start = this.pos;
    this.pos += buf.write(s, this.pos, 'utf8');
    this.close(start);
  }

  /** An id in hex (16 or 32 digits) as its bytes. */
  hexBytes(field: number, hex: string): void {
    this.tag(field, WIRE_BYTES);
    const n = hex.length >> 1;
    this.ensure(1 + n);
    const buf = this.buf;
    buf[this.pos++] = n;
    for (let i = 0; i < n; i++) buf[this.pos++] = (HEX[hex.charCodeAt(2 * i)]! << 4) | HEX[hex.charCodeAt(2 * i + 1)]!;
  }

  /**
   * A KeyValue of a short ASCII key and a short ASCII string or small non-negative integer value (every attribute
   * the facade sets): its lengths are known before it is written, so nothing is moved (`close` would move each
   * of its two lengths). False, with nothing written, for anything else.
   */
  shortPair(field: number, key: string, value: string | number): boolean {
    const k = key.length;
    let valueLength: number;
    if (typeof value === 'string') {
      if (value.length > 125) return false;
      valueLength = 2 + value.length;
    } else {
      if (!Number.isInteger(value) || value < 0 || value >= 0x10000000) return false;
      valueLength = 1 + (value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : 4);
    }
    const pairLength = 4 + k + valueLength;
    if (pairLength > 0x7f || field > 15) return false;
    this.ensure(2 + pairLength);
    const buf = this.buf;
    let at = this.pos;
    buf[at++] = field * 8 + WIRE_BYTES;
    buf[at++] = pairLength;
    buf[at++] = 0x0a; // key = 1
    buf[at++] = k;
    for (let i = 0; i < k; i++) {
      const c = key.charCodeAt(i);
      if (c > 0x7f) return false;
      buf[at++] = c;
    }
    buf[at++] = 0x12; // value = 2
    buf[at++] = valueLength;
    if (typeof value === 'string') {
      buf[at++] = 0x0a; // string_value = 1
      buf[at++] = value.length;
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if (c > 0x7f) return false;
        buf[at++] = c;
      }
    } else {
      buf[at++] = 0x18; // int_value = 3
      let n = value;
      while (n > 0x7f) {
        buf[at++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      buf[at++] = n;
    }
    this.pos = at;
    return true;
  }

  /** Bytes already encoded (whole fields). */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  bytes(field: number, bytes: Uint8Array): void {
    this.tag(field, WIRE_BYTES);
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  fixed32(field: number, n: number): void {
    this.tag(field, WIRE_FIXED32);
    this.ensure(4);
    this.pos = this.buf.writeUInt32LE(n >>> 0, this.pos);
  }

  /** Nanoseconds since the epoch of an [seconds, nanoseconds] time, exactly, as a little-endian uint64. */
  time(field: number, t: HrTime): void {
    this.tag(field, WIRE_FIXED64);
    this.ensure(8);
    // seconds * 1e9 overflows 2^53: split seconds at 16 bits so every product stays exact.
    const upper = Math.floor(t[0] / 0x10000) * 1e9; // times 2^16 below
    const lower = (t[0] % 0x10000) * 1e9 + t[1];
    const low = (upper % 0x10000) * 0x10000 + lower; // < 2^48, exact
    const high = Math.floor(upper / 0x10000) + Math.floor(low / 0x100000000);
    this.pos = this.buf.writeUInt32LE(low % 0x100000000, this.pos);
    this.pos = this.buf.writeUInt32LE(high >>> 0, this.pos);
  }

  int64(field: number, n: number): void {
    this.tag(field, WIRE_VARINT);
    if (n >= 0 && n <= Number.MAX_SAFE_INTEGER) return this.varint(n);
    // Negative or past 2^53: two's complement over 64 bits, ten bytes at most.
    let v = BigInt.asUintN(64, BigInt(n));
    this.ensure(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  double(field: number, n: number): void {
    this.tag(field, WIRE_FIXED64);
    this.ensure(8);
    this.pos = this.buf.writeDoubleLE(n, this.pos);
  }

  finish(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.pos);
  }
}
