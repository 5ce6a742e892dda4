// Spans encoded as they end (src/observability/spanBatches.ts): the batches carry the very bytes the official
// serializer writes for the same spans, and follow the BatchSpanProcessor's rules: a full batch leaves at once, the
// rest after the delay or on flush, only sampled spans, a full queue drops (and counts) instead of growing.
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SamplingDecision, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { EncodedSpans } from '../../src/observability/otlpProtobuf.js';
import { type BatchSender, EncodingSpanProcessor, type SpanBatchOptions } from '../../src/observability/spanBatches.js';

/** A sender that keeps each batch's request bytes; `answer` decides when (and whether) delivery is reported. */
function capture(answer: (done: (ok: boolean) => void) => void = (done) => done(true)) {
  const sent: { count: number; bytes: Buffer }[] = [];
  const sender: BatchSender = {
    send(batch: EncodedSpans, done) {
      sent.push({ count: batch.count, bytes: Buffer.from(batch.request()) });
      answer(done);
    },
    flush: async () => undefined,
    shutdown: async () => undefined,
  };
  return { sent, sender };
}

function setup(sender: BatchSender, opts: SpanBatchOptions, sampled = true) {
  const processor = new EncodingSpanProcessor(sender, opts);
  const memory = new InMemorySpanExporter();
  // Every span that ended, sampled or not (SimpleSpanProcessor skips unsampled ones as the batches must).
  const ended = { count: 0 };
  const counter = { onStart() {}, onEnd: () => void ended.count++, forceFlush: async () => {}, shutdown: async () => {} };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'gg-batches' }),
    sampler: sampled ? undefined : { shouldSample: () => ({ decision: SamplingDecision.RECORD }), toString: () => 'record-only' },
    spanProcessors: [processor, new SimpleSpanProcessor(memory), counter],
  });
  const tracer = provider.getTracer('groupgraph');
  const request = (calls: number) => {
    const root = tracer.startSpan('query Screen', { kind: SpanKind.SERVER, attributes: { 'groupgraph.request_id': 'req-1' } }, ROOT_CONTEXT);
    const parent = trace.setSpan(ROOT_CONTEXT, root);
    for (let i = 0; i < calls; i++) {
      const s = tracer.startSpan('GET /groups/detail', { kind: SpanKind.CLIENT, attributes: { 'server.port': 8776, 'url.template': '/groups/detail' } }, parent);
      s.setAttribute('http.response.status_code', 200);
      s.end();
    }
    root.end();
  };
  return { processor, memory, request, ended };
}

const SLOW = { maxBatch: 512, delayMs: 60_000, maxQueue: 2048 };

describe('EncodingSpanProcessor', () => {
  it('sends the bytes the official serializer writes for the same spans', async () => {
    const { sent, sender } = capture();
    const { processor, memory, request } = setup(sender, SLOW);
    for (let i = 0; i < 20; i++) request(5);
    expect(sent).toHaveLength(0);
    await processor.forceFlush();
    expect(sent.map((b) => b.count)).toEqual([120]);
    const official = Buffer.from(ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans())!);
    expect(sent[0]!.bytes.equals(official)).toBe(true);
  });

  it('sends a batch as soon as it is full, the rest after the delay', async () => {
    const { sent, sender } = capture();
    const { request } = setup(sender, { maxBatch: 12, delayMs: 30, maxQueue: 2048 });
    request(5);
    request(5);
    request(5); // 18 spans: one full batch of 12 now, 6 waiting
    expect(sent.map((b) => b.count)).toEqual([12]);
    await new Promise((r) => setTimeout(r, 80));
    expect(sent.map((b) => b.count)).toEqual([12, 6]);
  });

  it('exports only sampled spans', async () => {
    const { sent, sender } = capture();
    const { processor, ended, request } = setup(sender, SLOW, false);
    request(3);
    await processor.forceFlush();
    expect(ended.count).toBe(4); // recorded, not sampled
    expect(sent).toHaveLength(0);
  });

  it('drops spans past the queue while batches are not delivered, and takes them again once they are', async () => {
    const pending: ((ok: boolean) => void)[] = [];
    const { sent, sender } = capture((done) => pending.push(done));
    const { processor, request } = setup(sender, { maxBatch: 6, delayMs: 60_000, maxQueue: 12 });
    for (let i = 0; i < 4; i++) request(5); // 24 spans, room for 12
    expect(sent.map((b) => b.count)).toEqual([6, 6]);
    expect(processor.dropped).toBe(12);
    pending.shift()!(false); // a batch given up on frees its room too
    expect(processor.failed).toBe(6);
    request(5);
    expect(sent.map((b) => b.count)).toEqual([6, 6, 6]);
    expect(processor.dropped).toBe(12);
  });

  it("keeps a batch's bytes as they are until it is delivered, then writes later batches in its buffer", async () => {
    const views: { batch: Uint8Array; done: (ok: boolean) => void }[] = [];
    const sender: BatchSender = {
      send(batch, done) {
        views.push({ batch: batch.request(), done });
      },
      flush: async () => undefined,
      shutdown: async () => undefined,
    };
    const { memory, request } = setup(sender, { maxBatch: 12, delayMs: 60_000, maxQueue: 2048 });
    request(5);
    request(5); // 12 spans: the first batch leaves, undelivered
    const firstSpans = memory.getFinishedSpans().slice(0, 12);
    const official = Buffer.from(ProtobufTraceSerializer.serializeRequest(firstSpans)!);
    for (let i = 0; i < 4; i++) request(5); // two more batches leave while the first waits
    expect(views).toHaveLength(3);
    expect(Buffer.from(views[0]!.batch).equals(official)).toBe(true);
    expect(new Set(views.map((v) => v.batch.buffer)).size).toBe(3);
    for (const v of views) v.done(true);
    request(5);
    request(5); // the next batch is written where a delivered one was
    expect(views).toHaveLength(4);
    expect(views.slice(0, 3).map((v) => v.batch.buffer)).toContain(views[3]!.batch.buffer);
    const fourth = memory.getFinishedSpans().slice(36, 48);
    expect(Buffer.from(views[3]!.batch).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(fourth)!))).toBe(true);
    // A batch the collector refused may still be on the wire: its buffer is never written again.
    const refused = Buffer.from(views[3]!.batch);
    views[3]!.done(false);
    for (let i = 0; i < 6; i++) request(5);
    expect(views).toHaveLength(7);
    expect(Buffer.from(views[3]!.batch).equals(refused)).toBe(true);
    expect(views.slice(4).map((v) => v.batch.buffer)).not.toContain(views[3]!.batch.buffer);
  });

  it('counts a batch whose transport throws as failed, and the request that ended the span never sees it', async () => {
    const sender: BatchSender = {
      send() {
        throw new Error('transport broke');
      },
      flush: async () => undefined,
      shutdown: async () => undefined,
    };
    const { processor, request } = setup(sender, { maxBatch: 3, delayMs: 60_000, maxQueue: 2048 });
    expect(() => request(2)).not.toThrow();
    await processor.forceFlush();
    expect(processor.failed).toBe(3);
  });

  it('sends what is left on shutdown and nothing after it', async () => {
    const { sent, sender } = capture();
    const { processor, request } = setup(sender, SLOW);
    request(2);
    await processor.shutdown();
    expect(sent.map((b) => b.count)).toEqual([3]);
    request(2);
    await processor.forceFlush();
    expect(sent).toHaveLength(1);
  });
});
