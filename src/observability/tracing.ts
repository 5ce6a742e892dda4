import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { hostname } from 'node:os';
import { type Attributes, type Context, type Span, SpanKind, SpanStatusCode, ROOT_CONTEXT, type Tracer, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SPAN_BATCH_DEFAULTS, type SpanBatchOptions, type TracingConfig } from './config.js';
import { EncodingSpanProcessor, otlpHttpSender } from './spanBatches.js';

export type { Span } from '@opentelemetry/api';

/**
 * OTLP/protobuf (the default): spans encoded as they end (spanBatches.ts). http/json, the console, or an exporter
 * handed in (tests): the SDK's BatchSpanProcessor, with the same settings.
 */
function processorFor(cfg: TracingConfig, batching: SpanBatchOptions, exporter: SpanExporter | undefined): SpanProcessor {
  if (!exporter && cfg.exporter === 'otlp' && cfg.protocol === 'http/protobuf') return new EncodingSpanProcessor(otlpHttpSender(cfg.url), batching);
  const out = exporter ?? (cfg.exporter === 'console' ? new ConsoleSpanExporter() : new JsonExporter({ url: cfg.url }));
  return new BatchSpanProcessor(out, {
    maxExportBatchSize: batching.maxBatch,
    scheduledDelayMillis: batching.delayMs,
    maxQueueSize: batching.maxQueue,
  });
}

/**
 * OpenTelemetry tracing with the official SDK, loaded (a dynamic import in index.ts) only when OTEL_* asks for it
 * (config.ts): with tracing off the SDK is not even in memory, no span object is made, no header is read or written.
 *
 * A provider of its own per facade (not the global one), and parents passed explicitly (the request's span rides
 * on its Caller): no async-context bookkeeping on every await, and two facades in one process stay apart.
 */
export class Tracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(cfg: TracingConfig, exporter?: SpanExporter) {
    // Ours first, the standard variables over them: OTEL_RESOURCE_ATTRIBUTES may name the service (or the instance),
    // and OTEL_SERVICE_NAME wins over both (the envDetector reads both, as the specification orders them).
    const resource = defaultResource()
      .merge(resourceFromAttributes({ 'service.name': cfg.serviceName, 'service.instance.id': randomUUID(), 'host.name': hostname() }))
      .merge(detectResources({ detectors: [envDetector] }));
    const batching = {
      maxBatch: cfg.maxExportBatchSize ?? SPAN_BATCH_DEFAULTS.maxBatch,
      delayMs: cfg.scheduleDelayMs ?? SPAN_BATCH_DEFAULTS.delayMs,
      maxQueue: cfg.maxQueueSize ?? SPAN_BATCH_DEFAULTS.maxQueue,
    };
    this.provider = new BasicTracerProvider({ resource, spanProcessors: [processorFor(cfg, batching, exporter)] });
    this.tracer = this.provider.getTracer('groupgraph');
  }

  // Attributes are set on the span, not passed to startSpan, which copies and checks them twice more for the
  // sampler's sake; the samplers OTEL_TRACES_SAMPLER names decide by trace id and parent, never by attribute.

  /** The span of one GraphQL request, child of the client's `traceparent` when it sent a valid one. */
  startRequest(headers: IncomingHttpHeaders, attributes: Attributes): Span {
    const parent = headers.traceparent ? this.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter) : ROOT_CONTEXT;
    return this.tracer.startSpan('graphql', { kind: SpanKind.SERVER }, parent).setAttributes(attributes);
  }

  /** The context upstream spans of a request start in (made once per request, not per call). */
  parentContext(parent: Span): Context {
    return trace.setSpan(ROOT_CONTEXT, parent);
  }

  /** The span of one upstream HTTP call, child of its request's span (a root span for calls of no request). */
  startUpstream(parent: Context | null, name: string, attributes: Attributes): Span {
    return this.tracer.startSpan(name, { kind: SpanKind.CLIENT }, parent ?? ROOT_CONTEXT).setAttributes(attributes);
  }

  /** Writes the W3C `traceparent` for `span` into an upstream call's headers (tracestate travels when set). */
  inject(span: Span, headers: Record<string, string>): void {
    const sc = span.spanContext();
    headers.traceparent = `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
    const state = sc.traceState?.serialize();
    if (state) headers.tracestate = state;
  }

  /** Ends a span as failed, with the facade's error code as `error.type`. */
  fail(span: Span, code: string, message?: string): void {
    span.setAttribute('error.type', code);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    span.end();
  }

  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

