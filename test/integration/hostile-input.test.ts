// Hostile or malformed requests are refused before they cost an upstream call; GraphQL-over-HTTP conformance.
import { auditServer } from 'graphql-http';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
const upstreamCalls = () => Object.values(f.app.simulators).reduce((n, s) => n + s.calls.length, 0);

beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());
beforeEach(() => {
  for (const s of Object.values(f.app.simulators)) s.resetCalls();
});

async function post(body: string, contentType = 'application/json') {
  const res = await request(f.url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.statusCode, text: await res.body.text() };
}

const nest = (depth: number) => `{ groups { nodes { ${'sourceGroup { '.repeat(depth)}id${' }'.repeat(depth)} } } }`;

describe('query limits (graphql-armor and the node count), each refused with zero upstream calls', () => {
  it.each([
    ['depth', nest(12), /depth/i],
    ['aliases', `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: about { services { name } }`).join(' ')} }`, /alias/i],
    ['directives', `{ about ${'@include(if: true) '.repeat(25)} { services { name } } }`, /directive/i],
    ['tokens', `{ about { services { ${'name '.repeat(2_100)} } } }`, /token/i],
    ['cost', `{ groups(first: 1000) { nodes { volumes { id name size status } snapshots(first: 50) { nodes { id name status } } } } }`, /GRAPHQL_MAX_NODES/],
  ])('%s', async (_, query, message) => {
    const r = await f.gql(query);
    expect(r.status).toBe(400);
    expect(r.errors?.[0]?.message).toMatch(message);
    expect(r.data).toBeNull();
    expect(upstreamCalls()).toBe(0);
  });

  it('fragments are no level of depth: the deepest selection allowed passes through inline and named fragments too', async () => {
    // A router's `_entities … on Group` and a client's fragments wrap each level; the selection is as deep as without.
    let allowed = -1;
    for (let d = 12; d >= 0; d--) {
      if ((await f.gql(nest(d))).status === 200) {
        allowed = d;
        break;
      }
    }
    expect(allowed).toBeGreaterThan(2);
    const inline = (d: number) => `{ groups { nodes { ... on Group { ${'sourceGroup { ... on Group { '.repeat(d)}id${' } }'.repeat(d)} } } } }`;
    const named = `{ groups { nodes { ...Level } } } fragment Level on Group { ${'sourceGroup { '.repeat(allowed)}id${' }'.repeat(allowed)} }`;
    for (const query of [inline(allowed), named]) {
      const r = await f.gql(query);
      expect(r.status, `${query}\n${r.raw}`).toBe(200);
    }
    // One level more is still refused, fragments or not.
    expect((await f.gql(inline(allowed + 1))).errors?.[0]?.message).toMatch(/depth/i);
  });

  it('field suggestions are not offered outside development', async () => {
    const r = await f.gql('{ grops { nodes { id } } }');
    expect(r.errors?.[0]?.message).not.toMatch(/did you mean/i);
    expect(upstreamCalls()).toBe(0);
  });

  it('batched operations are refused', async () => {
    const r = await post(JSON.stringify([{ query: '{ about { services { name } } }' }, { query: '{ about { services { name } } }' }]));
    expect(r.status).toBe(400);
    expect(upstreamCalls()).toBe(0);
  });
});

describe('malformed requests', () => {
  it.each([
    ['malformed JSON', '{"query": "{ about', 'application/json', 400],
    ['a body that is not an object', '"hello"', 'application/json', 400],
    ['text/plain (CSRF-unsafe) content type', '{"query":"{ about { services { name } } }"}', 'text/plain', 400],
    ['form-encoded content type', 'query=%7Babout%7D', 'application/x-www-form-urlencoded', 400],
  ])('%s is a 400', async (_, body, type, status) => {
    const r = await post(body, type);
    expect(r.status).toBe(status);
    expect(r.text).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
    expect(upstreamCalls()).toBe(0);
  });

  it('a variable of the wrong type is BAD_USER_INPUT', async () => {
    const r = await f.gql('query($n: Int) { groups(first: $n) { nodes { id } } }', { n: 'ten' });
    expect(r.status).toBe(400);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(upstreamCalls()).toBe(0);
  });

  it.each(['../x', '%2e%2e%2f', 'a'.repeat(129), 'id;rm -rf', 'detail'])('id %j is BAD_USER_INPUT with no upstream call', async (id) => {
    const r = await f.gql('query($id: ID!) { group(id: $id) { id } groupSnapshot(id: $id) { id } groupType(id: $id) { id } }', { id });
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(upstreamCalls()).toBe(0);
  });

  it('an id with a control character is refused with the whole request (HTTP 400), before any resolver', async () => {
    const r = await f.gql('query($id: ID!) { group(id: $id) { id } groupSnapshot(id: $id) { id } groupType(id: $id) { id } }', { id: 'x\u0000y' });
    expect(r.status).toBe(400);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(upstreamCalls()).toBe(0);
  });
});

describe('GraphQL over HTTP', () => {
  it('passes every MUST audit of graphql-http', async () => {
    const results = await auditServer({ url: f.url, fetchFn: fetch });
    const failed = results.filter((r) => r.status === 'error').map((r) => r.name);
    expect(results.length).toBeGreaterThan(40);
    expect(failed).toEqual([]);
  });
});
