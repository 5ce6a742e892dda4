import { type Context, diag, TraceFlags } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SPAN_BATCH_DEFAULTS, type SpanBatchOptions } from './config.js';
import { BufferPool, EncodedSpans } from './otlpProtobuf.js';

export type { SpanBatchOptions } from './config.js';

/** Where a batch of encoded spans goes: `done(ok)` once it is delivered or given up on. */
export interface BatchSender {
  send(batch: EncodedSpans, done: (ok: boolean) => void): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The SDK's BatchSpanProcessor, except that a span is encoded (OTLP/protobuf) the moment it ends and the span object
 * let go: the BatchSpanProcessor keeps up to a batch of finished span objects until it leaves, long enough at the
 * facade's rate for them to be promoted out of the young generation, and that cost the bench more CPU than
 * making the spans did. Same batching rules and settings (OTEL_BSP_*); only sampled spans are exported.
 */
export class EncodingSpanProcessor implements SpanProcessor {
  private batch: EncodedSpans | null = null;
  private readonly buffers = new BufferPool();
  private timer: NodeJS.Timeout | null = null;
  /** Spans encoded and not yet delivered (the open batch and those being sent). */
  private queued = 0;
  private readonly sending = new Set<Promise<void>>();
  private closed = false;
  /** Spans dropped because the queue was full, and spans whose batch could not be delivered. */
  dropped = 0;
  failed = 0;

  constructor(
    private readonly sender: BatchSender,
    private readonly opts: SpanBatchOptions = SPAN_BATCH_DEFAULTS,
  ) {
    // As the BatchSpanProcessor does: a batch can never be larger than the queue.
    this.opts = { ...opts, maxBatch: Math.min(opts.maxBatch, opts.maxQueue) };
  }

  onStart(_span: Span, _parent: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.closed || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.queued >= this.opts.maxQueue) {
      if (this.dropped++ === 0) diag.warn('span queue full: dropping spans until the exporter catches up');
      return;
    }
    let batch = this.batch;
    // One resource and scope per batch: a span of another tracer sends the open batch first.
    if (batch && (batch.resource !== span.resource || batch.scope !== span.instrumentationScope)) {
      this.send();
      batch = null;
    }
    if (!batch) {
      batch = this.batch = new EncodedSpans(span.resource, span.instrumentationScope, this.opts.maxBatch, this.buffers);
      this.timer = setTimeout(() => this.send(), this.opts.delayMs);
      this.timer.unref();
    }
    batch.add(span);
    this.queued++;
    if (batch.count >= this.opts.maxBatch) this.send();
  }

  private send(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const sent = new Promise<void>((resolve) => {
      const done = (ok: boolean) => {
        this.queued -= batch.count;
        if (!ok) this.failed += batch.count;
        // A refused export may still be on the wire (a collector can answer 401 before reading the body): its
        // buffer is not written again; a delivered one was read whole.
        if (ok) batch.release();
        resolve();
      };
      // A span's end must never throw into the request that ended it, whatever the transport does.
      try {
        this.sender.send(batch, done);
      } catch (err) {
        diag.error('span export failed', err);
        done(false);
      }
    });
    this.sending.add(sent);
    void sent.then(() => this.sending.delete(sent));
  }

  async forceFlush(): Promise<void> {
    this.send();
    await Promise.all(this.sending);
    await this.sender.flush();
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.forceFlush();
    this.closed = true;
    await this.sender.shutdown();
  }
}

/**
 * The official OTLP/HTTP exporter's transport (OTEL_EXPORTER_OTLP_* headers, timeout, compression, retries on
 * 429/502/503/504, bounded concurrent exports) sending batches already encoded.
 */
export function otlpHttpSender(url: string | undefined): BatchSender {
  const options = convertLegacyHttpOptions({ url }, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' });
  const serializer = {
    serializeRequest: (batch: EncodedSpans) => batch.request(),
    deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
  };
  const delegate = createOtlpHttpExportDelegate(options, serializer, 'otlp_http_span_exporter', { name: 'span', countItems: (b: EncodedSpans) => b.count }, undefined);
  return {
    send: (batch, done) =>
      delegate.export(batch, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) diag.error('span export failed', result.error);
        done(result.code === ExportResultCode.SUCCESS);
      }),
    flush: () => delegate.forceFlush(),
    shutdown: () => delegate.shutdown(),
  };
}
