// With Keystone, two tokens of one user subscribed to one group. Pollers were shared by user and project and read
// with the first subscriber's token only: once the second token was revoked (Keystone 404, Cinder 401), its stream
// went on receiving what the first token read, with no call ever made with it (probe of 2026-12-07). Now each
// token has its own poller: the revoked token's next read is refused and its subscription ends UNAUTHENTICATED.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCinderSimulator } from '../../src/simulator/cinder/index.js';
import { type RunningSimulator, serveSimulator } from '../../src/simulator/server.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const revoked = new Set<string>();
/** Revoked in Keystone only: the upstream still takes them (keystonemiddleware trusts a token for 5 minutes). */
const revokedInKeystone = new Set<string>();
/** Keystone answers 503 to every validation while this is set. */
let keystoneDown = false;
/** Keystone's validations, by token. */
const validations = new Map<string, number>();
let keystone: Server;
let cinder: RunningSimulator;
let f: Facade;

/** A Keystone that takes `<user>-<n>` as a token of `<user>`, until the token is revoked. */
function startKeystone(): Promise<string> {
  keystone = createServer((req, res) => {
    const token = String(req.headers['x-subject-token'] ?? '');
    validations.set(token, (validations.get(token) ?? 0) + 1);
    if (keystoneDown) return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":503,"title":"Service Unavailable","message":"down"}}');
    if (revoked.has(token) || revokedInKeystone.has(token)) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":404,"title":"Not Found","message":"gone"}}');
    const user = token.split('-')[0]!;
    const body = { token: { user: { id: `id-${user}`, name: user }, project: { id: PROJECT, name: 'demo' }, roles: [{ name: 'member' }], expires_at: new Date(Date.now() + 3_600_000).toISOString(), catalog: [] } };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return new Promise((r) => keystone.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(keystone.address() as AddressInfo).port}/v3`)));
}

/** An SSE subscription's events, as text, until it ends. */
function subscribe(token: string, id: string): { events: string[]; ended: Promise<void> } {
  const events: string[] = [];
  const ended = (async () => {
    const body = JSON.stringify({ query: `subscription { group(id: "${id}") { id name } }` });
    const res = await request(f.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': token }, body });
    for await (const chunk of res.body) events.push(String(chunk));
  })();
  return { events, ended };
}

const until = async (ok: () => boolean, ms = 5_000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (ok()) return true;
  return ok();
};

beforeAll(async () => {
  const sim = createCinderSimulator({ transitionMs: 20 }).handler;
  cinder = await serveSimulator((req) => (revoked.has(String(req.headers['x-auth-token'])) ? { status: 401, json: { error: { code: 401, message: 'The request you have made requires authentication.' } } } : sim(req)));
  f = await startFacade({ KEYSTONE_URL: await startKeystone(), CINDER_URL: `${cinder.origin}/v3/${PROJECT}`, SUBSCRIPTION_POLL_MAX_MS: '300', KEYSTONE_CACHE_SECONDS: '1' });
});
afterAll(async () => {
  await f.close();
  await cinder.close();
  await new Promise<void>((r) => keystone.close(() => r()));
});

describe('a revoked token subscribed beside another token of the same user', () => {
  it('gets no more of the group: its subscription ends UNAUTHENTICATED while the other one follows the rename', async () => {
    const id = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }', undefined, { token: 'alice-1' })).groups.nodes[0].id;
    const first = subscribe('alice-1', id);
    const second = subscribe('alice-2', id);
    expect(await until(() => first.events.join('').includes('"name"') && second.events.join('').includes('"name"'))).toBe(true);
    revoked.add('alice-2');
    const renamed = await f.gql(`mutation { updateGroup(input: { id: "${id}", name: "renamed-by-alice-1" }) { group { name } } }`, undefined, { token: 'alice-1' });
    expect(renamed.errors, renamed.raw).toBeUndefined();
    expect(await until(() => first.events.join('').includes('renamed-by-alice-1'))).toBe(true);
    await Promise.race([second.ended, new Promise((r) => setTimeout(r, 3_000))]);
    const seen = second.events.join('');
    expect(seen).not.toContain('renamed-by-alice-1');
    expect(seen).toContain('UNAUTHENTICATED');
  });
});

describe('a token revoked in Keystone while the upstreams still take it', () => {
  it('ends its subscription UNAUTHENTICATED once the facade asks Keystone again (KEYSTONE_CACHE_SECONDS), object unchanged', async () => {
    const id = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }', undefined, { token: 'carol-1' })).groups.nodes[0].id;
    const sub = subscribe('carol-1', id);
    expect(await until(() => sub.events.join('').includes('"name"'))).toBe(true);
    revokedInKeystone.add('carol-1');
    // Cache 1 s: asked again within about 2 s; the polls meanwhile are answered by Cinder as before.
    await Promise.race([sub.ended, new Promise((r) => setTimeout(r, 4_000))]);
    const seen = sub.events.join('');
    expect(seen).toContain('UNAUTHENTICATED');
    expect(seen).toContain('Keystone does not accept this token (expired, revoked or unknown); get a new one.');
    // And a query with it is refused as well.
    expect((await f.gql('{ groups(first: 1) { nodes { id } } }', undefined, { token: 'carol-1' })).status).toBe(401);
  });
});

// Probe of 2026-12-07: a revoked token's subscriptions streamed for as long as Keystone could not be reached,
// while its queries were refused.
describe('a subscription whose token Keystone cannot check again', () => {
  it('goes on through a short outage, and ends UPSTREAM_UNAVAILABLE once unchecked for twice KEYSTONE_CACHE_SECONDS', async () => {
    const id = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }', undefined, { token: 'erin-1' })).groups.nodes[0].id;
    const sub = subscribe('erin-1', id);
    let ended = false;
    void sub.ended.finally(() => (ended = true));
    try {
      expect(await until(() => sub.events.join('').includes('"name"'))).toBe(true);
      keystoneDown = true;
      await new Promise((r) => setTimeout(r, 700));
      keystoneDown = false;
      // Cache 1 s: checked about every second; an outage shorter than that left it running.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(ended, sub.events.join('')).toBe(false);
      keystoneDown = true;
      expect(await until(() => ended, 6_000)).toBe(true);
      const seen = sub.events.join('');
      expect(seen).toContain('UPSTREAM_UNAVAILABLE');
      expect(seen).toMatch(/Keystone could not check the token again for \d+ s .*; subscribe again once it answers\./);
      // A query of that token is refused meanwhile, as before.
      expect((await f.gql('{ groups(first: 1) { nodes { id } } }', undefined, { token: 'erin-1' })).status).toBe(503);
    } finally {
      keystoneDown = false;
    }
  });
});

describe('many subscriptions of one token, KEYSTONE_CACHE_SECONDS=0', () => {
  it('cost one Keystone check a second between them, not one each', async () => {
    const untrusting = await startFacade({ KEYSTONE_URL: f.app.identity.keystoneUrl!, CINDER_URL: `${cinder.origin}/v3/${PROJECT}`, KEYSTONE_CACHE_SECONDS: '0' });
    const feeds: { events: string[]; ended: Promise<void> }[] = [];
    const subscribeTo = (facade: Facade, token: string, id: string) => {
      const events: string[] = [];
      const ended = (async () => {
        const body = JSON.stringify({ query: `subscription { group(id: "${id}") { id name } }` });
        const res = await request(facade.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': token }, body });
        for await (const chunk of res.body) events.push(String(chunk));
      })();
      return { events, ended };
    };
    try {
      const id = (await untrusting.ok<any>('{ groups(first: 1) { nodes { id } } }', undefined, { token: 'dave-1' })).groups.nodes[0].id;
      for (let i = 0; i < 5; i++) feeds.push(subscribeTo(untrusting, 'dave-1', id));
      expect(await until(() => feeds.every((x) => x.events.join('').includes('"name"')))).toBe(true);
      validations.set('dave-1', 0);
      await new Promise((r) => setTimeout(r, 3_200));
      // About three (one a second); a timer per subscription made it 7 here (checks in flight at once are shared).
      expect(validations.get('dave-1')).toBeLessThanOrEqual(4);
      expect(validations.get('dave-1')).toBeGreaterThanOrEqual(2);
    } finally {
      revoked.add('dave-1');
      await untrusting.close();
      await Promise.all(feeds.map((x) => x.ended.catch(() => undefined)));
    }
  });
});
