// Browsers on the origins CORS_ORIGINS lists can call the facade; no other origin gets a CORS header, and CSRF
// prevention still refuses the requests a browser sends without a preflight.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

const PORTAL = 'https://portal.example.com';
const ADMIN = 'http://localhost:5173';
const query = JSON.stringify({ query: '{ about { services { name } } }' });

async function send(url: string, method: 'OPTIONS' | 'POST', headers: Record<string, string>, body?: string) {
  const res = await request(url, { method, headers, body });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** What a browser sends before a cross-origin POST with JSON and a token. */
const preflight = (origin: string) => ({
  origin,
  'access-control-request-method': 'POST',
  'access-control-request-headers': 'content-type, x-auth-token',
});

const corsHeaders = (headers: Record<string, unknown>) => Object.keys(headers).filter((h) => h.startsWith('access-control-'));

describe('with CORS_ORIGINS', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ CORS_ORIGINS: `${PORTAL}, ${ADMIN}` });
  });
  afterAll(() => f.close());

  it.each([PORTAL, ADMIN])('answers the preflight of %s with its origin, methods, headers and max-age', async (origin) => {
    const r = await send(f.url, 'OPTIONS', preflight(origin));
    expect(r.status).toBe(204);
    expect(r.headers).toMatchObject({
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers':
        'content-type, authorization, x-auth-token, x-request-id, apollo-require-preflight, x-apollo-operation-name, apollographql-client-name, apollographql-client-version, traceparent, tracestate',
      vary: 'Origin',
    });
    expect(Number(r.headers['access-control-max-age'])).toBeGreaterThan(0);
    expect(r.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives another origin, or a look-alike of an allowed one, no CORS header at all', async () => {
    for (const origin of ['https://evil.example', 'https://portal.example.com.evil.example', 'http://portal.example.com', 'null']) {
      const pre = await send(f.url, 'OPTIONS', preflight(origin));
      expect(pre.status).toBe(204);
      expect(corsHeaders(pre.headers), origin).toEqual([]);
      const post = await send(f.url, 'POST', { origin, 'content-type': 'application/json' }, query);
      expect(post.status).toBe(200);
      expect(corsHeaders(post.headers), origin).toEqual([]);
    }
  });

  it('sets the CORS headers on the answer for an allowed origin', async () => {
    const r = await send(f.url, 'POST', { origin: PORTAL, 'content-type': 'application/json' }, query);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).data.about.services).toHaveLength(3);
    expect(r.headers['access-control-allow-origin']).toBe(PORTAL);
    expect(r.headers.vary).toBe('Origin, Accept-Encoding');
    // A 503 comes with Retry-After; a browser script can read it only when it is exposed.
    expect(r.headers['access-control-expose-headers']).toContain('retry-after');
    expect(r.headers['access-control-expose-headers']).toContain('x-request-id');
  });

  it('keeps CSRF prevention: a simple POST (no preflight) from an allowed origin is still refused', async () => {
    const r = await send(f.url, 'POST', { origin: PORTAL, 'content-type': 'text/plain' }, query);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/CSRF|preflight/i);
  });
});

describe('without CORS_ORIGINS', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({});
  });
  afterAll(() => f.close());

  it('a preflight gets no CORS header: browsers stay on the facade origin', async () => {
    const r = await send(f.url, 'OPTIONS', preflight(PORTAL));
    expect(corsHeaders(r.headers)).toEqual([]);
    const post = await send(f.url, 'POST', { origin: PORTAL, 'content-type': 'application/json' }, query);
    expect(post.status).toBe(200);
    expect(corsHeaders(post.headers)).toEqual([]);
  });
});
