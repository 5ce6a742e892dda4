// The facade's OTLP/protobuf span encoder (src/observability/otlpProtobuf.ts) must write the very bytes the
// official serializer writes, for every kind of span content; and its exporter must deliver them over OTLP/HTTP.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { encodeSpans } from '../../src/observability/otlpProtobuf.js';
import { Tracing } from '../../src/observability/tracing.js';

function finishedSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'groupgraph', 'deployment.zone': 'zürich', 'host.cpus': 2 }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('groupgraph');
  const other = provider.getTracer('other-scope', '1.2.3');
  const remote: Context = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('vendor=abc,other=x'),
  });
  const root = tracer.startSpan('query Screen', { kind: SpanKind.SERVER, attributes: { 'groupgraph.request_id': 'req-1' } }, remote);
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  for (let i = 0; i < 300; i++) {
    const s = tracer.startSpan(`GET /groups/{id}`, { kind: SpanKind.CLIENT, attributes: { 'server.port': 8776, 'upstream.service': 'cinder' } }, parent);
    s.setAttribute('http.response.status_code', 200 + i);
    s.end();
  }
  const odd = other.startSpan(
    'ünïcödé ✓ '.repeat(20),
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        ratio: 0.25,
        negative: -42,
        big: 2 ** 60,
        yes: true,
        list: ['a', 'b'],
        numbers: [1, 2.5],
        long: 'x'.repeat(20_000),
        empty: '',
      },
      links: [{ context: root.spanContext(), attributes: { why: 'follows' } }],
    },
    parent,
  );
  odd.addEvent('retry', { attempt: 2 });
  odd.addEvent('bare');
  odd.setStatus({ code: SpanStatusCode.ERROR, message: 'UPSTREAM_ERROR: boom' });
  odd.end();
  const unparented = tracer.startSpan('GET /', { kind: SpanKind.CLIENT }, ROOT_CONTEXT);
  unparented.setStatus({ code: SpanStatusCode.OK });
  unparented.end();
  root.setAttribute('graphql.error_codes', ['UPSTREAM_ERROR', 'NOT_FOUND']);
  root.end();
  return memory.getFinishedSpans();
}

describe('encodeSpans', () => {
  it('writes the bytes of the official OTLP protobuf serializer', () => {
    const spans = finishedSpans();
    expect(spans.length).toBe(303);
    const ours = Buffer.from(encodeSpans(spans));
    const official = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(ours.length).toBeGreaterThan(40_000); // lengths of one, two and three bytes all occur
    expect(ours.equals(official)).toBe(true);
    // Small batches too (the whole request shorter than the two bytes kept for a length).
    for (const one of [spans.slice(0, 1), spans.slice(-1), []]) {
      expect(Buffer.from(encodeSpans(one)).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(one) ?? new Uint8Array()))).toBe(true);
    }
  });
});

describe('protobuf exporter', () => {
  it('POSTs the encoded spans to the OTLP/HTTP traces URL as application/x-protobuf', async () => {
    const bodies: { type: string | undefined; path: string | undefined; body: Buffer }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ type: req.headers['content-type'], path: req.url, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
    const tracing = new Tracing({ exporter: 'otlp', protocol: 'http/protobuf', url, serviceName: 'gg-test', scheduleDelayMs: 10, maxExportBatchSize: undefined, maxQueueSize: undefined });
    try {
      const span = tracing.startRequest({}, { 'groupgraph.request_id': 'req-proto' });
      span.end();
      await tracing.flush();
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toMatchObject({ type: 'application/x-protobuf', path: '/v1/traces' });
      const body = bodies[0]!.body;
      expect(body.includes(Buffer.from(span.spanContext().traceId, 'hex'))).toBe(true);
      expect(body.includes(Buffer.from('req-proto'))).toBe(true);
      expect(body.includes(Buffer.from('gg-test'))).toBe(true);
    } finally {
      await tracing.shutdown();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
