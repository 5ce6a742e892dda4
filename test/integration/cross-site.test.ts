// Requests a browser may send from another site without a preflight, on the two transports that do not go
// through Apollo's csrfPrevention: subscriptions over GET (below) and WebSocket handshakes (at the end).
// CSRF on subscriptions over GET (Accept: text/event-stream, as Hive Gateway subscribes): a cross-site page's
// `new EventSource(...)` sends no token, which in demo mode is the demo admin, and started a poller. Such a GET is
// refused 403 when the browser says it is cross-site or same-site, or its Origin is neither the facade's nor in
// CORS_ORIGINS, unless it carries a header that forces a preflight (a token header, Apollo's two). Server-side
// clients send neither Origin nor Sec-Fetch-Site, and are served as before.
import { request } from 'undici';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { sleep } from '../helpers/live.js';

const PORTAL = 'https://portal.example.com';
let f: Facade;
let groupId: string;

beforeAll(async () => {
  f = await startFacade({ CORS_ORIGINS: PORTAL, SUBSCRIPTION_POLL_MAX_MS: '300' });
  groupId = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes[0].id;
});
afterAll(() => f.close());

const ownOrigin = () => new URL(f.url).origin;
const reads = () => f.app.simulators.cinder!.calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/groups/${groupId}`)).length;

/** GET /graphql asking for an event stream of the group, as EventSource does: its status, and its first event or its body. */
async function eventSource(headers: Record<string, string>): Promise<{ status: number; type: string; text: string; requestId: string }> {
  const query = 'subscription ($id: ID!) { group(id: $id) { id } }';
  const url = `${f.url}?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify({ id: groupId }))}`;
  const res = await request(url, { headers: { accept: 'text/event-stream', ...headers } });
  let text = '';
  for await (const chunk of res.body) {
    text += chunk.toString();
    if (res.statusCode === 200 && /event: next\n.*\n\n/.test(text)) break;
  }
  res.body.destroy();
  return { status: res.statusCode, type: String(res.headers['content-type']), text, requestId: String(res.headers['x-request-id']) };
}

describe('a GET subscription a browser sends from another site', () => {
  it.each([
    ['an Origin of another site', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site', origin: 'https://sibling.example.com' }],
    ['Origin: null (a sandboxed page)', { origin: 'null' }],
  ])('is refused 403 with a JSON error, and nothing is read upstream: %s', async (_, headers) => {
    const before = reads();
    const res = await eventSource(headers);
    expect(res.status, res.text).toBe(403);
    expect(res.type).toMatch(/^application\/json/);
    const body = JSON.parse(res.text);
    expect(body.errors[0].message).toMatch(/Cross-Site Request Forgery/);
    expect(body.errors[0].message).toMatch(/x-auth-token/);
    expect(body.errors[0].extensions).toEqual({ code: 'FORBIDDEN', requestId: res.requestId });
    await sleep(100);
    expect(reads()).toBe(before);
    expect({ subscriptions: f.app.server.live.subscriptions(), pollers: f.app.server.live.pollers() }).toEqual({ subscriptions: 0, pollers: 0 });
  });
});

describe('a GET subscription that is not a forgery streams', () => {
  it.each([
    ['no Origin and no Sec-Fetch-Site (Hive Gateway, curl: server-side clients)', {}],
    ['the facade\'s own origin', { origin: 'own', 'sec-fetch-site': 'same-origin' }],
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
    ['Sec-Fetch-Site: none (typed in the address bar)', { 'sec-fetch-site': 'none' }],
    ['an origin in CORS_ORIGINS', { origin: PORTAL, 'sec-fetch-site': 'cross-site' }],
    ['a token header, which forces a preflight', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'x-auth-token': 'someone' }],
    ['Authorization, which forces a preflight', { origin: 'https://evil.example', authorization: 'Bearer someone' }],
    ['Apollo\'s apollo-require-preflight', { origin: 'https://evil.example', 'apollo-require-preflight': 'true' }],
  ])('%s', async (_, headers: Record<string, string>) => {
    const res = await eventSource(headers.origin === 'own' ? { ...headers, origin: ownOrigin() } : headers);
    expect(res.status, res.text).toBe(200);
    expect(res.type).toMatch(/^text\/event-stream/);
    expect(res.text).toContain(`"id":"${groupId}"`);
  });

  it('a POST subscription is not touched (a JSON body already forces a preflight)', async () => {
    const res = await request(f.url, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: JSON.stringify({ query: 'subscription ($id: ID!) { group(id: $id) { id } }', variables: { id: groupId } }),
    });
    expect(res.statusCode).toBe(200);
    res.body.destroy();
  });
});

/** A graphql-transport-ws handshake with these headers: its HTTP status (101 when upgraded) and, refused, its body. */
function webSocketHandshake(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(f.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (err) => reject(err));
  });
}

describe('a WebSocket a browser opens from another site (cross-site WebSocket hijacking)', () => {
  it.each([
    ['an Origin of another site', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
  ])('is refused 403 FORBIDDEN before the upgrade: %s', async (_, headers) => {
    const res = await webSocketHandshake(headers);
    expect(res.status, res.body).toBe(403);
    const body = JSON.parse(res.body);
    expect(body.errors[0].message).toMatch(/Cross-Site WebSocket Hijacking/);
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it.each([
    ['no Origin (server-side clients: ws, Hive Gateway)', {}],
    ['the facade\'s own origin', { origin: 'own' }],
    ['an origin in CORS_ORIGINS', { origin: PORTAL }],
  ])('is upgraded: %s', async (_, headers: Record<string, string>) => {
    const res = await webSocketHandshake(headers.origin === 'own' ? { origin: ownOrigin() } : headers);
    expect(res.status, res.body).toBe(101);
  });
});
