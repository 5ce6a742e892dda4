// Issue 17, on the default OTLP protocol (http/protobuf): spans encoded as they end (src/observability/spanBatches.ts)
// reach an OTLP/HTTP receiver, decoded here from the protobuf, with the request's span under the client's
// traceparent and one span per upstream call under it, each named in the traceparent that call carried.
import { type Server, createServer } from 'node:http';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';

interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, string | number>;
}

/** The fields of one protobuf message: field number, and the bytes (length-delimited) or the number (varint). */
function* fields(buf: Buffer): Generator<[number, Buffer | number]> {
  let at = 0;
  const varint = () => {
    let n = 0;
    for (let shift = 1; ; shift *= 128) {
      const b = buf[at++]!;
      n += (b & 0x7f) * shift;
      if (b < 0x80) return n;
    }
  };
  while (at < buf.length) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 0) yield [tag >>> 3, varint()];
    else if (wire === 2) {
      const len = varint();
      yield [tag >>> 3, buf.subarray(at, (at += len))];
    } else at += wire === 1 ? 8 : 4;
  }
}

const sub = (buf: Buffer, field: number) => [...fields(buf)].filter(([f]) => f === field).map(([, v]) => v as Buffer);

/** ExportTraceServiceRequest → its spans (resource_spans 1 → scope_spans 2 → spans 2). */
function decodeSpans(body: Buffer): DecodedSpan[] {
  const spans: DecodedSpan[] = [];
  for (const rs of sub(body, 1)) {
    for (const ss of sub(rs, 2)) {
      for (const s of sub(ss, 2)) {
        const one: DecodedSpan = { traceId: '', spanId: '', parentSpanId: '', name: '', attributes: {} };
        for (const [f, v] of fields(s)) {
          if (f === 1) one.traceId = (v as Buffer).toString('hex');
          else if (f === 2) one.spanId = (v as Buffer).toString('hex');
          else if (f === 4) one.parentSpanId = (v as Buffer).toString('hex');
          else if (f === 5) one.name = (v as Buffer).toString();
          else if (f === 9) {
            const [key, value] = [sub(v as Buffer, 1)[0]!.toString(), sub(v as Buffer, 2)[0]!];
            const [[kind, val]] = [...fields(value)] as [[number, Buffer | number]];
            one.attributes[key] = kind === 1 ? (val as Buffer).toString() : (val as number);
          }
        }
        spans.push(one);
      }
    }
  }
  return spans;
}

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';

describe('traces over OTLP/HTTP protobuf, the default', () => {
  const spans: DecodedSpan[] = [];
  const types: string[] = [];
  let receiver: Server;
  let f: Facade;
  afterAll(async () => {
    await f?.close();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it('sends the request span under the client traceparent and one span per upstream call under it', async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        types.push(String(req.headers['content-type']));
        if (req.url === '/v1/traces') spans.push(...decodeSpans(Buffer.concat(chunks)));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const port = (receiver.address() as { port: number }).port;
    f = await startFacade({ SIMULATE: 'cinder', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_BSP_SCHEDULE_DELAY: '50' });
    const cinder = f.app.simulators.cinder!;
    await f.ok('{ groups(first: 1) { nodes { id } } }');
    cinder.resetCalls();
    const res = await request(f.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01`, 'x-request-id': 'proto-trace-1' },
      body: JSON.stringify({ query: 'query Page { groups(first: 3) { nodes { name volumes { name } } } }' }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.json();
    await f.app.observability.flush();
    const ofTrace = await waitFor(
      async () => spans.filter((s) => s.traceId === TRACE_ID),
      (s) => s.length >= 1 + cinder.calls.length,
    );
    expect(types.every((t) => t === 'application/x-protobuf')).toBe(true);
    const root = ofTrace.find((s) => s.parentSpanId === CLIENT_SPAN);
    expect(root, JSON.stringify(ofTrace)).toMatchObject({ name: 'query Page', attributes: { 'groupgraph.request_id': 'proto-trace-1' } });
    const children = ofTrace.filter((s) => s.parentSpanId === root!.spanId);
    expect(cinder.calls.length).toBeGreaterThan(1);
    expect(children).toHaveLength(cinder.calls.length);
    for (const c of children) expect(c.attributes).toMatchObject({ 'upstream.service': 'cinder', 'http.response.status_code': 200 });
    const sentParents = cinder.calls.map((c) => String(c.headers.traceparent).split('-')[2]).sort();
    expect(sentParents).toEqual(children.map((s) => s.spanId).sort());
  });
});
