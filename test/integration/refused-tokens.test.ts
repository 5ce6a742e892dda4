// MAX_REFUSED_TOKENS_PER_CLIENT: a client sending a new made-up token per request costs Keystone (or, without it,
// the upstream's keystonemiddleware) one validation each, at most its share per minute; past it, its tokens not
// known yet are refused at the door, while tokens already accepted from the same address are answered.
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { sseSubscribe, wsConnection } from '../helpers/live.js';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';

let f: Facade | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const VIEWER = '{ viewer { user { name } } }';
const GROUPS = '{ groups(first: 1) { nodes { id } } }';

async function post(url: string, query: string, token: string) {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': token }, body: JSON.stringify({ query }) });
  const body = JSON.parse(await res.body.text());
  return { status: res.statusCode, retryAfter: res.headers['retry-after'] as string | undefined, code: body.errors?.[0]?.extensions?.code ?? 'ok' };
}

async function refusedTokensMetric(url: string): Promise<number> {
  const text = await (await request(url.replace(/\/graphql$/, '/metrics'))).body.text();
  return Number(/^graphql_requests_refused_total\{reason="refused_tokens"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('MAX_REFUSED_TOKENS_PER_CLIENT', () => {
  it('with Keystone, an address sending made-up tokens costs Keystone its share of validations, then gets 429 at no call; its accepted token is still answered', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', MAX_REFUSED_TOKENS_PER_CLIENT: '5' });
    const member = `member:${DEMO_PROJECT.id}`;
    await f.ok(VIEWER, undefined, { token: member });
    const keystone = f.app.identity.simulator!;
    keystone.resetCalls();
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await post(f.url, VIEWER, `made-up-${randomUUID()}`));
    expect(answers.map((a) => `${a.status} ${a.code}`)).toEqual([
      ...Array(5).fill('401 UNAUTHENTICATED'),
      ...Array(7).fill('429 TOO_MANY_REFUSED_TOKENS'),
    ]);
    // Five a minute: one more every 12 s.
    expect(answers[5]!.retryAfter).toBe('12');
    // Before, every made-up token was one more validation: twelve.
    expect(keystone.calls.filter((c) => c.path.endsWith('/auth/tokens')).length).toBe(5);
    expect(await refusedTokensMetric(f.url)).toBe(7);
    expect((await post(f.url, VIEWER, member)).status).toBe(200);
  });

  it('a refusal Keystone is not asked for (the same bad token again, from the cache) does not count', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', MAX_REFUSED_TOKENS_PER_CLIENT: '2' });
    const revoked = `made-up-${randomUUID()}`;
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await post(f.url, VIEWER, revoked));
    expect(new Set(answers.map((a) => a.code))).toEqual(new Set(['UNAUTHENTICATED']));
    // One validation counted of two: a new made-up token is still checked.
    expect((await post(f.url, VIEWER, `made-up-${randomUUID()}`)).code).toBe('UNAUTHENTICATED');
    expect((await post(f.url, VIEWER, `made-up-${randomUUID()}`)).code).toBe('TOO_MANY_REFUSED_TOKENS');
  });

  it('without Keystone, the upstream\'s 401s are what count: past the share, made-up tokens get 429 and Cinder no call', async () => {
    f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x', MAX_REFUSED_TOKENS_PER_CLIENT: '3' });
    await f.ok(GROUPS, undefined, { token: 'member' }); // accepted by Cinder, and remembered
    const sim = f.app.simulators.cinder!;
    sim.resetCalls();
    sim.injectFault({ status: 401, json: { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } }, times: 3 });
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await post(f.url, GROUPS, `made-up-${randomUUID()}`));
    expect(answers.map((a) => a.code)).toEqual([...Array(3).fill('UNAUTHENTICATED'), ...Array(5).fill('TOO_MANY_REFUSED_TOKENS')]);
    expect(answers.slice(3).every((a) => a.status === 429)).toBe(true);
    expect(sim.calls.length).toBe(3);
    expect((await post(f.url, GROUPS, 'member')).status).toBe(200);
  });

  it('subscriptions count the same way: refused starts spend the share, then a start with a token not known yet is refused 429', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', MAX_REFUSED_TOKENS_PER_CLIENT: '2' });
    const keystone = f.app.identity.simulator!;
    keystone.resetCalls();
    const subscribe = () => sseSubscribe(f!.url, 'subscription { group(id: "x") { id } }', {}, { 'x-auth-token': `made-up-${randomUUID()}` });
    const first = await subscribe();
    const second = await subscribe();
    const third = await subscribe();
    expect([first.status, second.status, third.status]).toEqual([401, 401, 429]);
    expect(JSON.parse(third.body!).errors[0].extensions.code).toBe('TOO_MANY_REFUSED_TOKENS');
    expect(keystone.calls.filter((c) => c.path.endsWith('/auth/tokens')).length).toBe(2);
    // Over a WebSocket too: the address's share is spent, so the start is refused without a validation.
    const conn = wsConnection(f.url, { 'X-Auth-Token': `made-up-${randomUUID()}` });
    try {
      const feed = conn.subscribe('subscription { group(id: "x") { id } }');
      await feed.completed;
      expect(JSON.stringify(feed.errors)).toContain('TOO_MANY_REFUSED_TOKENS');
      expect(keystone.calls.filter((c) => c.path.endsWith('/auth/tokens')).length).toBe(2);
    } finally {
      await conn.dispose();
    }
  });
});

describe('TRUSTED_PROXIES', () => {
  const fromClient = async (url: string, query: string, token: string, forwardedFor: string) => {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': token, 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ query }),
    });
    const body = JSON.parse(await res.body.text());
    return body.errors?.[0]?.extensions?.code ?? 'ok';
  };

  it('behind a trusted proxy, each client behind it has its own share of refused tokens (queries and subscriptions)', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', MAX_REFUSED_TOKENS_PER_CLIENT: '2', TRUSTED_PROXIES: '127.0.0.1' });
    const madeUp = () => `made-up-${randomUUID()}`;
    for (let i = 0; i < 2; i++) expect(await fromClient(f.url, VIEWER, madeUp(), '203.0.113.5')).toBe('UNAUTHENTICATED');
    expect(await fromClient(f.url, VIEWER, madeUp(), '203.0.113.5')).toBe('TOO_MANY_REFUSED_TOKENS');
    // Another client behind the same balancer is not held to the first one's refusals.
    expect(await fromClient(f.url, VIEWER, madeUp(), '203.0.113.6')).toBe('UNAUTHENTICATED');
    const sse = (client: string) =>
      sseSubscribe(f!.url, 'subscription { group(id: "x") { id } }', {}, { 'x-auth-token': madeUp(), 'x-forwarded-for': client });
    expect((await sse('203.0.113.5')).status).toBe(429);
    expect((await sse('203.0.113.7')).status).toBe(401);
  });

  it('without it, X-Forwarded-For is ignored: a client cannot make up addresses to get more shares', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', MAX_REFUSED_TOKENS_PER_CLIENT: '2' });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(await fromClient(f.url, VIEWER, `made-up-${randomUUID()}`, `203.0.113.${i}`));
    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'TOO_MANY_REFUSED_TOKENS', 'TOO_MANY_REFUSED_TOKENS']);
  });
});
