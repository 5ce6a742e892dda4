// An Upgrade the facade does not speak (h2c) is served as a plain request by handing its socket to the HTTP server
// again (src/http/plainUpgrade.ts). Pipelined behind or before other requests (hostile-caller probe of 2026-12-07):
// two such requests in one write, then a third, crashed the process (Node's ERR_INTERNAL_ASSERTION in resOnFinish:
// two parsers' answers on one socket); pipelined mutations each with Upgrade: h2c all ran but only one was answered;
// and every h2c request on a keep-alive connection added a listener to its socket.
import { connect } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { closedPort } from '../helpers/ports.js';
import { type MainProcess, runMain, untilHealthy } from '../helpers/process.js';
import { portOf } from '../helpers/raw.js';

const H2C = 'upgrade: h2c\r\nconnection: Upgrade, HTTP2-Settings\r\nhttp2-settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `chunks` on one connection, `gapMs` apart, and returns everything read until the connection closes or `waitMs` passes. */
async function exchange(port: number, chunks: string[], gapMs: number, waitMs: number): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let read = '';
  socket.on('data', (c: Buffer) => (read += c.toString('latin1')));
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  for (const chunk of chunks) {
    socket.write(chunk);
    await sleep(gapMs);
  }
  await Promise.race([closed, sleep(waitMs)]);
  socket.destroy();
  return read;
}

const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));

let p: MainProcess | undefined;
let f: Facade | undefined;
afterEach(async () => {
  if (p && p.child.exitCode === null) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
  p = undefined;
  await f?.close();
  f = undefined;
});

describe('requests with an Upgrade the facade does not speak, pipelined', () => {
  it('two in one write, then a third, do not crash the process', async () => {
    const port = await closedPort();
    p = runMain({ PORT: String(port), HOST: '127.0.0.1', SIMULATE: 'cinder' });
    await untilHealthy(p, port);
    const upgrade = `GET /healthz HTTP/1.1\r\nhost: x\r\n${H2C}\r\n`;
    await exchange(port, [upgrade + upgrade, 'GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n'], 300, 1_000);
    await sleep(300);
    expect(p.child.exitCode, p.err()).toBeNull();
    const res = await request(`http://127.0.0.1:${port}/healthz`);
    await res.body.text();
    expect(res.statusCode).toBe(200);
  });

  it('mutations pipelined with it: every one that ran is answered (they ran, and one was)', async () => {
    f = await startFacade({});
    const groups = (await f.ok<any>('{ groups(first: 10) { nodes { id status volumes { id } } } }')).groups.nodes;
    const groupId = groups.find((g: any) => g.status === 'AVAILABLE' && g.volumes.length > 0).id;
    const count = async () => (await f!.ok<any>(`{ group(id: "${groupId}") { snapshots(first: 100) { totalCount } } }`)).group.snapshots.totalCount as number;
    const before = await count();
    const body = JSON.stringify({ query: `mutation { createGroupSnapshot(input: { groupId: "${groupId}" }) { groupSnapshot { id } } }` });
    const post = `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n${H2C}\r\n${body}`;
    const read = await exchange(portOf(f), [post + post + post], 0, 3_000);
    const answered = read.split('"groupSnapshot":{"id"').length - 1;
    expect(answered).toBeGreaterThan(0);
    expect((await count()) - before).toBe(answered);
  });

  it('a WebSocket upgrade behind a request still being answered: that answer first, then the connection ends (a 101 came first)', async () => {
    f = await startFacade({});
    f.app.simulators.cinder!.setDelay(400);
    const body = JSON.stringify({ query: '{ groups(first: 1) { nodes { id } } }' });
    const post = `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    const ws = 'GET /graphql HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-protocol: graphql-transport-ws\r\n\r\n';
    const read = await exchange(portOf(f), [post + ws], 0, 3_000);
    expect(statuses(read)).toEqual([200]);
  });

  it('a connection so ended is closed, even when its client keeps its half open (a review found it held for good)', async () => {
    f = await startFacade({});
    const socket = connect({ port: portOf(f), host: '127.0.0.1', allowHalfOpen: true });
    socket.on('error', () => {});
    socket.on('data', () => {});
    const ws = 'GET /graphql HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    socket.write(`GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n${ws}`);
    await sleep(1_000);
    const open = await new Promise<number>((r, j) => f!.app.server.server.getConnections((err, n) => (err ? j(err) : r(n))));
    socket.destroy();
    expect(open).toBe(0);
  });

  it('one after the other on a keep-alive connection: answered each, without a listener more per request', async () => {
    f = await startFacade({});
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const upgrade = `GET /healthz HTTP/1.1\r\nhost: x\r\n${H2C}\r\n`;
      const read = await exchange(portOf(f), Array.from({ length: 15 }, () => upgrade), 50, 300);
      expect(statuses(read)).toEqual(Array.from({ length: 15 }, () => 200));
      await sleep(50);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
