// The HTTP surface around GraphQL: GraphiQL served offline, health, and request-level rejections.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
let base: string;

beforeAll(async () => {
  f = await startFacade({});
  base = f.app.server.url;
});
afterAll(() => f.close());

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await request(`${base}${path}`, { headers });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: await res.body.text() };
}

describe('HTTP routes', () => {
  it('GET /healthz answers without touching an upstream', async () => {
    for (const sim of Object.values(f.app.simulators)) sim.resetCalls();
    expect(await get('/healthz')).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    for (const sim of Object.values(f.app.simulators)) expect(sim.calls).toHaveLength(0);
  });

  it('a browser GET /graphql gets GraphiQL, with every asset served from the package (no CDN)', async () => {
    const page = await get('/graphql', { accept: 'text/html,application/xhtml+xml' });
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toHaveLength(4);
    for (const asset of assets) {
      expect(asset.startsWith('/graphiql/'), `${asset} is local`).toBe(true);
      const res = await get(asset);
      expect(res.status, asset).toBe(200);
      expect(res.body.length, asset).toBeGreaterThan(1000);
    }
  });

  it('a GET query without preflight headers is refused (CSRF prevention)', async () => {
    const res = await get('/graphql?query=%7Babout%7Bservices%7Bname%7D%7D%7D');
    expect(res.status).toBe(400);
  });

  it('malformed JSON is a 400 with a clear message', async () => {
    const res = await request(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toContain('not valid JSON');
  });

  it('an oversized body is a 413 before any parsing', async () => {
    const res = await request(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ about { services { name } } } #${'x'.repeat(400_000)}` }),
    });
    expect(res.statusCode).toBe(413);
    await res.body.text();
  });

  it('unknown paths are 404', async () => {
    expect((await get('/nope')).status).toBe(404);
  });
});
