// One client that opens connections and holds them must not take every connection the facade can hold (and with
// them its file descriptors, which upstream calls need too): MAX_CONNECTIONS_PER_CLIENT closes its extra ones at
// once, MAX_CONNECTIONS bounds them all; each refusal is counted, and logged without flooding the log.
// 127.0.0.2 is another loopback address on Linux: a second client.
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { logCapture } from '../helpers/logs.js';

const QUERY = JSON.stringify({ query: '{ groups(first: 1) { nodes { id } } }' });
let f: Facade | undefined;
const held: Socket[] = [];

afterEach(async () => {
  for (const s of held.splice(0)) s.destroy();
  await f?.close();
  f = undefined;
});

/** `n` connections from `from` that never send a byte; `closed()` counts those the facade closed. */
async function silentConnections(url: string, n: number, from = '127.0.0.1') {
  const { port } = new URL(url);
  let closed = 0;
  for (let i = 0; i < n; i++) {
    const socket = connect({ port: Number(port), host: '127.0.0.1', localAddress: from });
    socket.on('error', () => {});
    socket.on('close', () => closed++);
    socket.resume(); // reads what the facade sends (a 408), so its close is seen
    held.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  }
  return { closed: () => closed };
}

/** One query on a new connection from `from`: its HTTP status, or the error that ended it. */
function queryFrom(url: string, from: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'POST', localAddress: from, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end(QUERY);
  });
}

async function metric(url: string, name: string): Promise<string[]> {
  const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
  return text.split('\n').filter((l) => l.startsWith(name));
}

describe('connection limits', () => {
  it('a client over MAX_CONNECTIONS_PER_CLIENT has its extra connections closed; another client is answered', async () => {
    const logs = logCapture();
    f = await startFacade({ MAX_CONNECTIONS_PER_CLIENT: '20' }, undefined, undefined, { logDestination: logs.stream });
    const flood = await silentConnections(f.url, 25, '127.0.0.2');
    expect(await waitFor(async () => flood.closed(), (n) => n >= 5, 3_000, 20)).toBe(5);
    expect(await queryFrom(f.url, '127.0.0.2')).toMatch(/ECONNRESET|socket hang up/);
    expect(await queryFrom(f.url, '127.0.0.1')).toBe(200);
    // Six refusals, one line (the rest counted in the next one).
    const lines = logs.lines.filter((l) => l.msg === 'connection refused: its client holds MAX_CONNECTIONS_PER_CLIENT');
    expect(lines).toEqual([expect.objectContaining({ level: 40, reason: 'client', clientAddress: '127.0.0.2', refused: 1, maxConnectionsPerClient: 20 })]);
    expect(await metric(f.url, 'http_connections_refused_total')).toContain('http_connections_refused_total{reason="client"} 6');
    expect((await metric(f.url, 'http_connections_open '))[0]).toMatch(/^http_connections_open (2[0-9])$/);
  });

  it('MAX_CONNECTIONS bounds them all; once the holder lets go, everyone is answered again', async () => {
    const logs = logCapture();
    f = await startFacade({ MAX_CONNECTIONS: '10', MAX_CONNECTIONS_PER_CLIENT: '0' }, undefined, undefined, { logDestination: logs.stream });
    const flood = await silentConnections(f.url, 10, '127.0.0.2');
    expect(await queryFrom(f.url, '127.0.0.1')).toMatch(/ECONNRESET|socket hang up/);
    expect(flood.closed()).toBe(0);
    expect(logs.lines.filter((l) => l.msg === 'connection refused: the facade holds MAX_CONNECTIONS')).toEqual([
      expect.objectContaining({ level: 40, reason: 'total', clientAddress: '127.0.0.1', maxConnections: 10 }),
    ]);
    for (const s of held.splice(0)) s.destroy();
    expect(await waitFor(() => queryFrom(f!.url, '127.0.0.1'), (s) => s === 200, 3_000, 50)).toBe(200);
  });

  it('a connection that never sends a byte, and one that stops half-way through its headers, are closed after 15 s', async () => {
    f = await startFacade({});
    const opened = Date.now();
    // Node's headersTimeout starts with a request's first byte: without the facade's own timer a silent one stays.
    const silent = await silentConnections(f.url, 1);
    const halfway = await silentConnections(f.url, 1);
    held.at(-1)!.write('POST /graphql HTTP/1.1\r\nhost: x\r\n');
    await waitFor(async () => silent.closed() + halfway.closed(), (n) => n === 2, 20_000, 100);
    expect([silent.closed(), halfway.closed()]).toEqual([1, 1]);
    // Checked each second, not every 30 s (Node's default), so the half-way one goes at 15 s too.
    expect(Date.now() - opened).toBeLessThan(17_500);
  }, 25_000);
});
