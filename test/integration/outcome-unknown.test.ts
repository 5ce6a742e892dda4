// A mutation whose write reached Cinder but whose answer was lost: the client is told OUTCOME_UNKNOWN (the change may
// have happened; re-read before trying again), never "could not be reached", and the write is not sent twice. A tiny
// proxy in front of the Cinder simulator passes everything through but drops the connection after the simulator has
// carried out the POST that creates a group snapshot.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCinderSimulator } from '../../src/simulator/cinder/index.js';
import { type RunningSimulator, serveSimulator } from '../../src/simulator/server.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const GROUP = '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01';
let sim: RunningSimulator;
let proxy: Server;
let f: Facade;

beforeAll(async () => {
  sim = await serveSimulator(createCinderSimulator({ transitionMs: 20 }).handler);
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers = { ...req.headers };
      delete headers.host;
      delete headers.connection;
      const answer = await request(`${sim.origin}${req.url}`, {
        method: req.method as 'GET',
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      const body = Buffer.from(await answer.body.arrayBuffer());
      if (req.method === 'POST' && req.url?.endsWith('/group_snapshots')) return void req.socket.destroy();
      const out = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !['connection', 'keep-alive', 'transfer-encoding'].includes(k)));
      res.writeHead(answer.statusCode, out as Record<string, string>);
      res.end(body);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  f = await startFacade({ CINDER_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v3/${PROJECT}` });
});

afterAll(async () => {
  await f.close();
  proxy.closeAllConnections();
  await new Promise<void>((r) => proxy.close(() => r()));
  await sim.close();
});

describe('a write whose answer was lost', () => {
  it('is OUTCOME_UNKNOWN with the upstream extension and a hint to re-read; it did happen and was sent once', async () => {
    sim.resetCalls();
    const r = await f.gql(`mutation { createGroupSnapshot(input: { groupId: "${GROUP}", name: "lost-answer" }) { groupSnapshot { id } } }`);
    expect(r.errors).toHaveLength(1);
    const [e] = r.errors!;
    expect(e!.extensions).toEqual({ code: 'OUTCOME_UNKNOWN', requestId: expect.any(String), upstream: { service: 'cinder', status: 0, requestId: null, code: null } });
    expect(e!.message).toMatch(/^Cinder may have made this change/);
    expect(e!.message).toMatch(/re-read the object/i);
    expect(e!.message).not.toMatch(/could not be reached/);
    expect(sim.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    // Re-reading, as the message says, shows the change was made.
    const d = await f.ok<any>('{ groupSnapshots(first: 100) { nodes { name } } }');
    expect(d.groupSnapshots.nodes.map((n: { name: string }) => n.name)).toContain('lost-answer');
  });
});
