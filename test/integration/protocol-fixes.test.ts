// Protocol edges a probe found: the `_entities` representation cap was per field, so aliases multiplied it (4
// aliases of 1000 made 4000 upstream GETs); a single representation object, which input coercion makes a list of
// one, was refused; a request's Content-Encoding was ignored (a gzip body was 'not valid JSON', `br` on a plain body
// was read as plain); a browser's preflight for the headers Apollo clients and tracing send failed.
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const group = (id: string) => ({ __typename: 'Group', id });
const job = (i: number) => ({ __typename: 'Job', id: i.toString(16).padStart(32, '0') });
const jobs = (n: number, from = 0) => Array.from({ length: n }, (_, i) => job(from + i));

/** Every simulator's calls, cleared first: what `send` made upstream. */
async function upstreamCalls(f: Facade, send: () => Promise<unknown>): Promise<string[]> {
  const sims = Object.values(f.app.simulators);
  for (const s of sims) s!.resetCalls();
  await send();
  return sims.flatMap((s) => s!.calls.map((c) => `${c.method} ${c.path}`));
}

describe('the representation cap counts every _entities field of the operation', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({});
  });
  afterAll(() => f.close());

  const ALIASED = `query($r0: [_Any!]!, $r1: [_Any!]!, $r2: [_Any!]!, $r3: [_Any!]!) {
    a0: _entities(representations: $r0) { __typename }
    a1: _entities(representations: $r1) { __typename }
    ... on Query { a2: _entities(representations: $r2) { __typename } }
    ...Last
  }
  fragment Last on Query { a3: _entities(representations: $r3) { __typename } }`;

  it('4 aliases of 300 (inline and named fragments included) are BAD_USER_INPUT with no upstream call', async () => {
    let r: Awaited<ReturnType<Facade['gql']>> | undefined;
    const variables = { r0: jobs(300), r1: jobs(300, 300), r2: jobs(300, 600), r3: jobs(300, 900) };
    const calls = await upstreamCalls(f, async () => (r = await f.gql(ALIASED, variables)));
    expect(r!.status, r!.raw.slice(0, 200)).toBe(400);
    expect(r!.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r!.errors?.[0]?.message).toMatch(/holds 1200 items; at most 1000 .*every _entities field/);
    expect(calls).toEqual([]);
  });

  it('aliases within the limit together are answered', async () => {
    const ids = [SEED.groups.webTier, SEED.groups.dbClusterProd];
    const query = 'query($r0: [_Any!]!, $r1: [_Any!]!) { a0: _entities(representations: $r0) { ... on Group { id } } a1: _entities(representations: $r1) { ... on Group { id } } }';
    const data = await f.ok<any>(query, { r0: [group(ids[0]!)], r1: [group(ids[1]!)] });
    expect(data).toEqual({ a0: [{ id: ids[0] }], a1: [{ id: ids[1] }] });
  });

  it('the same field twice (one response key, merged into one execution) counts once', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { __typename } ... on Query { _entities(representations: $r) { __typename } } }`;
    const r = await f.gql<any>(query, { r: Array.from({ length: 600 }, () => group(SEED.groups.webTier)) });
    expect(r.status, r.raw).toBe(200);
    expect(r.data?._entities, r.raw).toHaveLength(600);
  });
});

describe.each(['1', 'off'])('a single representation object is a list of one (GRAPHQL_COMPILE_AFTER=%s)', (compileAfter) => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ GRAPHQL_COMPILE_AFTER: compileAfter });
  });
  afterAll(() => f.close());

  const QUERY = 'query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Group { id name } } }';

  it('answers as the one-item list does, before and after the document is compiled', async () => {
    const one = group(SEED.groups.webTier);
    const listed = await f.ok<any>(QUERY, { r: [one] });
    expect(listed._entities).toEqual([{ __typename: 'Group', id: SEED.groups.webTier, name: 'web-tier' }]);
    // Run more than once: with GRAPHQL_COMPILE_AFTER=1 graphql-jit takes over from the second run on.
    for (let run = 0; run < 3; run++) expect(await f.ok<any>(QUERY, { r: one })).toEqual(listed);
    if (compileAfter === '1') expect(f.app.server.execution().compiled).toBeGreaterThan(0);
  });

  it('written in the document, a single object answers as the one-item list does too', async () => {
    const literal = (r: string) => `{ _entities(representations: ${r}) { ... on Group { name } } }`;
    const one = `{ __typename: "Group", id: "${SEED.groups.webTier}" }`;
    for (let run = 0; run < 3; run++) expect(await f.ok<any>(literal(one))).toEqual(await f.ok<any>(literal(`[${one}]`)));
  });

  it('a single object that is no representation is refused as item 0, with no upstream call', async () => {
    let r: Awaited<ReturnType<Facade['gql']>> | undefined;
    const calls = await upstreamCalls(f, async () => (r = await f.gql(QUERY, { r: { __typename: 'Team', id: 'x' } })));
    expect(r!.errors?.[0]?.extensions?.code, r!.raw).toBe('BAD_USER_INPUT');
    expect(r!.errors?.[0]?.message).toMatch(/representations\[0\]\.__typename must name an entity/);
    expect(calls).toEqual([]);
  });
});

describe('a request body with a Content-Encoding other than identity', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({});
  });
  afterAll(() => f.close());

  const QUERY = JSON.stringify({ query: '{ about { services { name } } }' });
  const SUBSCRIPTION = JSON.stringify({ query: `subscription { group(id: "${SEED.groups.webTier}") { id status } }` });

  async function post(encoding: string, body: string | Buffer, accept = 'application/json') {
    const headers = { 'content-type': 'application/json', accept, 'content-encoding': encoding };
    const res = await request(f.url, { method: 'POST', headers, body });
    const text = await res.body.text().catch(() => '');
    return { status: res.statusCode, headers: res.headers, text };
  }

  it.each([
    ['gzip', gzipSync(QUERY)],
    ['br', QUERY],
    ['GZIP', QUERY],
    ['identity, gzip', QUERY],
    ['deflate,identity', QUERY],
  ])('%s is refused with 415 and the door\'s refusal shape, over POST and SSE', async (encoding, body) => {
    for (const [accept, sent] of [['application/json', body], ['text/event-stream', encoding === 'gzip' ? gzipSync(SUBSCRIPTION) : SUBSCRIPTION]] as const) {
      const r = await post(encoding, sent, accept);
      expect(r.status, `${accept}: ${r.text}`).toBe(415);
      const [error] = JSON.parse(r.text).errors;
      expect(error.message).toMatch(/Content-Encoding .*not supported.*uncompressed/);
      expect(error.extensions).toEqual({ code: 'BAD_REQUEST', requestId: r.headers['x-request-id'] });
    }
  });

  it.each(['identity', 'Identity', ' identity , IDENTITY'])('%s is read as the plain body it is', async (encoding) => {
    const r = await post(encoding, QUERY);
    expect(r.status, r.text).toBe(200);
    expect(JSON.parse(r.text).data.about.services).toHaveLength(3);
  });
});

describe('a preflight for the headers real browser clients send', () => {
  const ORIGIN = 'https://portal.example.com';
  // Apollo Client's CSRF header and its client awareness, Apollo's operation name, W3C trace context.
  const SENT = ['content-type', 'x-auth-token', 'x-apollo-operation-name', 'apollo-require-preflight', 'apollographql-client-name', 'apollographql-client-version', 'traceparent', 'tracestate'];
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ CORS_ORIGINS: ORIGIN });
  });
  afterAll(() => f.close());

  it('allows every one of them, so the browser goes on with its POST', async () => {
    const headers = { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': SENT.join(',') };
    const res = await request(f.url, { method: 'OPTIONS', headers });
    await res.body.text();
    expect(res.statusCode).toBe(204);
    const allowed = String(res.headers['access-control-allow-headers']).split(',').map((h) => h.trim());
    expect(SENT.filter((h) => !allowed.includes(h))).toEqual([]);
  });
});
