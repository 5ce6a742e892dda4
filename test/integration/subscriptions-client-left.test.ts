// A subscriber over SSE that closes its connection (a browser tab closed) was logged BODY_TIMEOUT_MS later as a
// reader that stopped reading, its response held meanwhile: Node 20 keeps a destroyed response `writable`, so the
// last event was written to it and its drain awaited (real-OpenStack probe: one false warn line per closed tab).
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { logCapture } from '../helpers/logs.js';

describe('an SSE subscriber that closes its connection', () => {
  let f: Facade;
  const log = logCapture();
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'cinder', BODY_TIMEOUT_MS: '300', SUBSCRIPTION_POLL_MAX_MS: '200' }, { cinder: { transitionMs: 50 } }, undefined, { logDestination: log.stream });
  });
  afterAll(() => f.close());

  it('is logged as a client that closed, never as one that stopped reading', async () => {
    const { port } = new URL(f.url);
    const body = JSON.stringify({ query: `subscription { group(id: "${SEED.groups.webTier}") { id status } }` });
    const client = connect(Number(port), '127.0.0.1');
    let received = '';
    client.on('data', (c: Buffer) => (received += c.toString()));
    client.write(`POST /graphql HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await waitFor(async () => received.includes('event: next'), (seen) => seen, 5_000, 20);
    // Changes keep coming while it goes: an event is on its way when the connection closes.
    const flips = setInterval(() => void f.gql(`mutation { resetGroupStatus(input: { id: "${SEED.groups.webTier}", status: ERROR }) { group { id } } }`), 50);
    await new Promise((r) => setTimeout(r, 150));
    client.destroy();
    await new Promise((r) => setTimeout(r, 1_200));
    clearInterval(flips);
    expect(log.lines.filter((l) => l.msg === 'subscriber stopped reading its events; connection cut')).toEqual([]);
    expect(log.lines.some((l) => l.outcome === 'client_closed')).toBe(true);
  });
});
