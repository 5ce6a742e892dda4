// Byzantine-upstream probe of 2026-12-08: an answer whose body broke off after its headers (a Content-Length it did
// not send, broken chunks) was "Cinder could not be reached (UND_ERR_…)", though the host had answered.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCaller } from '../../src/context.js';
import { HttpClient } from '../../src/upstreams/http.js';

const server = createServer((req, res) => {
  if (req.url?.includes('refused')) return void req.socket.destroy();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
  res.write('{"groups": [');
  setTimeout(() => req.socket.destroy(), 20);
});
const agent = new Agent();
let client: HttpClient;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  client = new HttpClient({ service: 'cinder', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3/p`, agent });
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await agent.close();
});

describe('an answer that broke off after its headers', () => {
  it('says so, not that the host could not be reached', async () => {
    await expect(client.as(newCaller('t', 5_000), { method: 'GET', path: '/groups' })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: expect.stringMatching(/^Cinder's answer broke off before its end \(UND_ERR_/),
    });
  });

  it('a connection closed before any answer is still "could not be reached"', async () => {
    await expect(client.as(newCaller('t', 5_000), { method: 'GET', path: '/refused' })).rejects.toMatchObject({ message: expect.stringMatching(/^Cinder could not be reached/) });
  });
});
