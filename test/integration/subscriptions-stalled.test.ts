// A subscriber over SSE that stops reading its events must not have them buffered for it without bound: once the
// connection is full, the stream waits, and a client that takes nothing for BODY_TIMEOUT_MS is cut, with a warn
// line. The transport is the facade's own (graphql-sse, the body reader, a real HTTP server and socket); only the
// hub is a stand-in, so that events come as fast and as large as needed to fill the kernel's buffers.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { buildSchema, parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyReader } from '../../src/http/body.js';
import type { LiveHub } from '../../src/live/hub.js';
import { sseTransport } from '../../src/live/sse.js';
import { createLogger } from '../../src/observability/logger.js';
import { logCapture } from '../helpers/logs.js';
import { waitFor } from '../helpers/facade.js';

const EVENT_BYTES = 64 * 1024;
const EVENTS = 400; // 25 MB in all: far more than the kernel's buffers on both ends of a loopback connection

const SCHEMA = buildSchema('type Query { ok: Boolean } type Group { id: ID! name: String } type Subscription { group(id: ID!): Group }');

/** A hub whose one subscription yields EVENTS large results as fast as they are pulled. */
function eventHub() {
  const state = { pulled: 0, returned: false };
  const result = { data: { group: { id: 'g', name: 'x'.repeat(EVENT_BYTES) } } };
  const stream: AsyncIterableIterator<unknown> = {
    next: async () => (state.returned || state.pulled >= EVENTS ? { value: undefined, done: true } : (state.pulled++, { value: result, done: false })),
    return: async () => ((state.returned = true), { value: undefined, done: true }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  const hub = {
    clientAddressOf: () => '127.0.0.1',
    admit: async () => ({}),
    prepare: () => ({ schema: SCHEMA, document: parse('subscription Follow { group(id: "g") { id name } }'), contextValue: {} }),
    subscribe: async () => stream,
    formatError: (e: Error) => ({ message: e.message }),
  };
  return { hub: hub as unknown as LiveHub, state };
}

let server: Server | undefined;
let client: Socket | undefined;
afterEach(async () => {
  client?.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

async function subscribeTo(stallMs: number) {
  const { hub, state } = eventHub();
  const logs = logCapture();
  const transport = sseTransport(hub, new BodyReader({ maxBytes: 65_536, timeoutMs: 5_000, budgetBytes: 1 << 20 }), {
    stallMs,
    maxBodyBytes: 65_536,
    log: createLogger({ level: 'info', format: 'json', variables: false }, logs.stream),
  });
  let response: { writableLength: number; destroyed: boolean } | undefined;
  server = createServer((req, res) => {
    response = res;
    void transport(req, res, 'sse-stalled-1');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const body = JSON.stringify({ query: 'subscription Follow { group(id: "g") { id name } }' });
  client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  client.write(
    `POST /graphql HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return { state, logs, response: () => response, client };
}

describe('an SSE subscriber that stops reading', () => {
  it('is not buffered for without bound: the stream waits, then the connection is cut with a warn line', async () => {
    const { logs, response, client } = await subscribeTo(1_000);
    client.pause(); // never reads a byte of the answer
    // What waits in the answer's buffer (beyond the kernel's) while the client reads nothing.
    let mostBuffered = 0;
    const sampling = setInterval(() => (mostBuffered = Math.max(mostBuffered, response()?.writableLength ?? 0)), 5);
    // Cut after the stall time, not left connected.
    const started = Date.now();
    const destroyed = await waitFor(async () => response()?.destroyed ?? false, (d) => d, 10_000, 20).finally(() => clearInterval(sampling));
    expect(destroyed).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    // About one event past what the connection took, not the 25 MB written to a client that reads nothing.
    expect(mostBuffered).toBeGreaterThan(0);
    expect(mostBuffered).toBeLessThan(4 * EVENT_BYTES);
    const cut = logs.lines.filter((l) => l.msg === 'subscriber stopped reading its events; connection cut');
    expect(cut).toEqual([expect.objectContaining({ level: 40, requestId: 'sse-stalled-1', bodyTimeoutMs: 1_000 })]);
  });

  it('a client that reads gets every event: the stream waits for it, and is not cut', async () => {
    const { state, logs, client } = await subscribeTo(1_000);
    let received = '';
    client.setEncoding('latin1');
    client.on('data', (text: string) => (received = (received + text).slice(-256)));
    const ended = await waitFor(async () => received.includes('event: complete'), (d) => d, 20_000, 20);
    expect(ended).toBe(true);
    expect(state.pulled).toBe(EVENTS);
    expect(logs.lines.filter((l) => l.level >= 40)).toEqual([]);
  });
});
