import type { Attributes, AttributeValue, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { WIRE_BYTES, WIRE_FIXED32, WIRE_VARINT, Writer } from './protobufWriter.js';

/**
 * OTLP/protobuf encoding of a batch of finished spans (an ExportTraceServiceRequest, opentelemetry-proto
 * trace/v1), the bytes the official serializer writes, field for field. Written for the facade's span rate (six
 * spans per GraphQL request), in one pass through protobufWriter.ts. The official serializer estimated the size in
 * a pass of its own and encoded every character in JavaScript: 1.3 s of the observability bench's CPU.
 */

// Span.flags: the low byte is the W3C trace flags; the next two say whether the parent was remote (and that
// this is known).
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;

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

function resourceMessage(w: Writer, resource: Resource): void {
  if (resource.attributes) keyValues(w, 1, resource.attributes);
  uint(w, 2, 0);
}

function scopeMessage(w: Writer, scope: Scope): void {
  w.string(1, scope.name);
  if (scope.version) w.string(2, scope.version);
  if (scope.attributes) keyValues(w, 3, scope.attributes);
  if (scope.droppedAttributesCount) uint(w, 4, scope.droppedAttributesCount);
}

/** ResourceSpans (field 1 of the request) of one resource and one scope, `spans` writing the Span messages. */
function resourceSpans(w: Writer, resource: Resource, scopes: Iterable<[Scope, (w: Writer) => void]>): void {
  const outer = w.open(1);
  const res = w.open(1);
  resourceMessage(w, resource);
  w.close(res);
  for (const [scope, spans] of scopes) {
    const scopeSpans = w.open(2);
    const sc = w.open(1);
    scopeMessage(w, scope);
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
 * Buffers of delivered batches, kept for the next ones: a batch's buffer (160 KiB at the default batch size) made
 * for each batch and let go cost the traced facade half again as many mark-compacts (docs/performance.md).
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(private readonly keep = 4) {}

  take(size: number): Buffer {
    const kept = this.free.pop();
    return kept && kept.length >= size ? kept : Buffer.allocUnsafe(size);
  }

  give(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}

/** A length-delimited field `field` holding what `write` writes, as bytes of its own. */
function fieldBytes(field: number, write: (w: Writer) => void): Uint8Array {
  const w = new Writer(256);
  const at = w.open(field);
  write(w);
  w.close(at);
  return w.finish();
}

/** A schema_url field (3 of ScopeSpans and of ResourceSpans), or nothing. */
function schemaUrlField(url: string | undefined): Uint8Array {
  if (!url) return new Uint8Array();
  const w = new Writer(8 + url.length * 3);
  w.string(3, url);
  return w.finish();
}

const varintLength = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

/**
 * Spans of one resource and scope, each encoded as it ends (its Span message) so that the span object itself can
 * be let go at once; `request` wraps them into the ExportTraceServiceRequest `encodeSpans` would write for them.
 * The wrapping is written in room kept in front of the spans, so the request is the batch's own buffer, not a copy.
 */
export class EncodedSpans {
  private readonly w: Writer;
  /** The Resource and InstrumentationScope fields, and the schema URLs that follow the spans (often empty). */
  private readonly resourceField: Uint8Array;
  private readonly scopeField: Uint8Array;
  private readonly tail: Uint8Array[];
  private readonly room: number;
  private body: Uint8Array | null = null;
  private released = false;
  count = 0;

  /** `expected`: how many spans the batch will likely hold, so that its buffer is not grown span by span. */
  constructor(
    readonly resource: Resource,
    readonly scope: Scope,
    expected = 64,
    private readonly pool: BufferPool | null = null,
  ) {
    this.resourceField = fieldBytes(1, (w) => resourceMessage(w, resource));
    this.scopeField = fieldBytes(1, (w) => scopeMessage(w, scope));
    this.tail = [scope.schemaUrl, resource.schemaUrl].map(schemaUrlField);
    // Two tags and two lengths of at most five bytes each, around the two fields.
    this.room = 12 + this.resourceField.length + this.scopeField.length;
    // A span of the facade's takes 200 to 300 bytes.
    const size = this.room + Math.max(4096, expected * 320);
    this.w = new Writer(size, pool?.take(size));
    this.w.pos = this.room;
  }

  add(s: ReadableSpan): void {
    spanMessage(this.w, s);
    this.count++;
  }

  /** ExportTraceServiceRequest { ResourceSpans { resource, ScopeSpans { scope, spans, schema_url }, schema_url } }. */
  request(): Uint8Array {
    if (this.body) return this.body;
    if (this.count === 0) return (this.body = new Uint8Array());
    const w = this.w;
    const spans = w.pos - this.room;
    for (const field of this.tail) w.raw(field);
    const scopeSpans = this.scopeField.length + spans + this.tail[0]!.length;
    const resourceSpans = this.resourceField.length + 1 + varintLength(scopeSpans) + scopeSpans + this.tail[1]!.length;
    const start = this.room - (1 + varintLength(resourceSpans) + this.resourceField.length + 1 + varintLength(scopeSpans) + this.scopeField.length);
    const end = w.pos;
    w.pos = start;
    w.tag(1, WIRE_BYTES);
    w.varint(resourceSpans);
    w.raw(this.resourceField);
    w.tag(2, WIRE_BYTES);
    w.varint(scopeSpans);
    w.raw(this.scopeField);
    this.body = w.buf.subarray(start, end);
    w.pos = end;
    return this.body;
  }

  /** The batch was delivered (or given up on): its buffer may serve the next one. */
  release(): void {
    // Once: a buffer given twice would be written by two batches at once.
    if (this.released) return;
    this.released = true;
    this.pool?.give(this.w.buf);
  }
}
