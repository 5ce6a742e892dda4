import type { Attributes, AttributeValue, HrTime, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/**
 * OTLP/protobuf encoding of a batch of finished spans (an ExportTraceServiceRequest, opentelemetry-proto
 * trace/v1), the bytes the official serializer writes, field for field. Written for the facade's span rate
 * (six spans per GraphQL request): ids go in through Buffer's native hex decoder and strings through its native
 * UTF-8 encoder, in one pass (a nested message's length is written in front of it once it is known, moving it
 * only when the length does not take the two bytes kept for it). The official serializer estimated the size in a
 * pass of its own and encoded every character in JavaScript: 1.3 s of the observability bench's CPU.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

// Span.flags: the low byte is the W3C trace flags; the next two say whether the parent was remote (and that
// this is known).
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;

/** Two bytes are kept for a nested message's length: most spans are 128 bytes to 16 KiB long. */
const RESERVED = 2;

class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
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

/** Value of a hex digit by its character code (0 for anything else: the SDK makes only valid ids). */
const HEX = new Uint8Array(128);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[97 + c] = HEX[65 + c] = 10 + c;

const INT64_MIN = -(2 ** 63);
const INT64_END = 2 ** 63;

/** AnyValue: string 1, bool 2, int 3, double 4, array 5, key-value list 6, bytes 7. */
function anyValue(w: Writer, v: unknown): void {
  if (typeof v === 'string') w.string(1, v);
  else if (typeof v === 'boolean') {
    w.tag(2, WIRE_VARINT);
    w.varint(v ? 1 : 0);
  } else if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= INT64_MIN && v < INT64_END) w.int64(3, v);
    else w.double(4, v);
  } else if (v instanceof Uint8Array) w.bytes(7, v);
  else if (Array.isArray(v)) {
    const list = w.open(5);
    for (const item of v) {
      const one = w.open(1);
      anyValue(w, item);
      w.close(one);
    }
    w.close(list);
  } else if (v !== null && typeof v === 'object') {
    const kvlist = w.open(6);
    keyValues(w, 1, v as Attributes);
    w.close(kvlist);
  }
}

function keyValues(w: Writer, field: number, attributes: Attributes | Record<string, unknown>): void {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    const v = attributes[key];
    if ((typeof v === 'string' || typeof v === 'number') && w.shortPair(field, key, v)) continue;
    const kv = w.open(field);
    w.string(1, key);
    const value = w.open(2);
    anyValue(w, v as AttributeValue);
    w.close(value);
    w.close(kv);
  }
}

function flagsOf(ctx: SpanContext, parentRemote: boolean | undefined): number {
  return (ctx.traceFlags & 0xff) | FLAG_HAS_IS_REMOTE | (parentRemote ? FLAG_IS_REMOTE : 0);
}

function uint(w: Writer, field: number, n: number): void {
  w.tag(field, WIRE_VARINT);
  w.varint(n);
}

function span(w: Writer, s: ReadableSpan): void {
  const ctx = s.spanContext();
  w.hexBytes(1, ctx.traceId);
  w.hexBytes(2, ctx.spanId);
  const state = ctx.traceState?.serialize();
  if (state) w.string(3, state);
  const parent = s.parentSpanContext?.spanId;
  if (parent) w.hexBytes(4, parent);
  w.string(5, s.name);
  // OTLP's SpanKind counts from 1 (0 is "unspecified"); the API's from 0.
  if (s.kind != null) uint(w, 6, s.kind + 1);
  w.time(7, s.startTime);
  w.time(8, s.endTime);
  if (s.attributes) keyValues(w, 9, s.attributes);
  uint(w, 10, s.droppedAttributesCount);
  for (const e of s.events) {
    const event = w.open(11);
    w.time(1, e.time);
    w.string(2, e.name);
    if (e.attributes) keyValues(w, 3, e.attributes);
    uint(w, 4, e.droppedAttributesCount ?? 0);
    w.close(event);
  }
  uint(w, 12, s.droppedEventsCount);
  for (const l of s.links) {
    const link = w.open(13);
    w.hexBytes(1, l.context.traceId);
    w.hexBytes(2, l.context.spanId);
    const linkState = l.context.traceState?.serialize();
    if (linkState) w.string(3, linkState);
    if (l.attributes) keyValues(w, 4, l.attributes);
    uint(w, 5, l.droppedAttributesCount ?? 0);
    w.fixed32(6, flagsOf(l.context, l.context.isRemote));
    w.close(link);
  }
  uint(w, 14, s.droppedLinksCount);
  if (!s.status.message && s.status.code >= 0 && s.status.code < 0x80) {
    // Status { code = 3 } alone, its length known (the status of nearly every span).
    w.tag(15, WIRE_BYTES);
    w.varint(2);
    uint(w, 3, s.status.code);
  } else {
    const status = w.open(15);
    if (s.status.message) w.string(2, s.status.message);
    uint(w, 3, s.status.code);
    w.close(status);
  }
  w.fixed32(16, flagsOf(ctx, s.parentSpanContext?.isRemote));
}

type Scope = ReadableSpan['instrumentationScope'] & { attributes?: Attributes; droppedAttributesCount?: number };
type Resource = ReadableSpan['resource'];

/** Spans by resource, then by instrumentation scope (the same objects for every span of one tracer). */
function grouped(spans: ReadableSpan[]): Map<Resource, Map<Scope, ReadableSpan[]>> {
  const out = new Map<Resource, Map<Scope, ReadableSpan[]>>();
  for (const s of spans) {
    let scopes = out.get(s.resource);
    if (!scopes) out.set(s.resource, (scopes = new Map()));
    const list = scopes.get(s.instrumentationScope);
    if (list) list.push(s);
    else scopes.set(s.instrumentationScope, [s]);
  }
  return out;
}

/** ResourceSpans (field 1 of the request) of one resource and one scope, `spans` writing the Span messages. */
function resourceSpans(w: Writer, resource: Resource, scopes: Iterable<[Scope, (w: Writer) => void]>): void {
  const outer = w.open(1);
  const res = w.open(1);
  if (resource.attributes) keyValues(w, 1, resource.attributes);
  uint(w, 2, 0);
  w.close(res);
  for (const [scope, spans] of scopes) {
    const scopeSpans = w.open(2);
    const sc = w.open(1);
    w.string(1, scope.name);
    if (scope.version) w.string(2, scope.version);
    if (scope.attributes) keyValues(w, 3, scope.attributes);
    if (scope.droppedAttributesCount) uint(w, 4, scope.droppedAttributesCount);
    w.close(sc);
    spans(w);
    if (scope.schemaUrl) w.string(3, scope.schemaUrl);
    w.close(scopeSpans);
  }
  if (resource.schemaUrl) w.string(3, resource.schemaUrl);
  w.close(outer);
}

/** One Span message, field 2 of ScopeSpans. */
function spanMessage(w: Writer, s: ReadableSpan): void {
  const one = w.open(2);
  span(w, s);
  w.close(one);
}

function spanMessages(list: ReadableSpan[]): (w: Writer) => void {
  return (w) => {
    for (const s of list) spanMessage(w, s);
  };
}

/** ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 } for `spans`. */
export function encodeSpans(spans: ReadableSpan[]): Uint8Array {
  const w = new Writer(1024 + spans.length * 400);
  for (const [resource, scopes] of grouped(spans)) {
    resourceSpans(w, resource, [...scopes].map(([scope, list]): [Scope, (w: Writer) => void] => [scope, spanMessages(list)]));
  }
  return w.finish();
}

/**
 * Spans of one resource and scope, each encoded as it ends (its Span message) so that the span object itself can
 * be let go at once; `request` wraps them into the ExportTraceServiceRequest `encodeSpans` would write for them.
 */
export class EncodedSpans {
  private readonly w: Writer;
  count = 0;

  /** `expected`: how many spans the batch will likely hold, so that its buffer is not grown span by span. */
  constructor(
    readonly resource: Resource,
    readonly scope: Scope,
    expected = 64,
  ) {
    // A span of the facade's takes 200 to 300 bytes.
    this.w = new Writer(Math.max(4096, expected * 320));
  }

  add(s: ReadableSpan): void {
    spanMessage(this.w, s);
    this.count++;
  }

  request(): Uint8Array {
    const body = this.w.finish();
    const w = new Writer(body.length + 1024);
    resourceSpans(w, this.resource, [[this.scope, (out) => out.raw(body)]]);
    return w.finish();
  }
}
