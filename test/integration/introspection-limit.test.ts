// Introspection is not counted by the cost, so what it repeats is bounded (probe and review of 2026-12-07): 15
// aliased copies of the whole schema (or of its types, inside one __schema), 16 requests at a time from one caller,
// stalled every other caller and /healthz for seconds. One __schema per operation, no aliases inside introspection.
import { getIntrospectionQuery } from 'graphql';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());

const ONCE = /^An operation may ask for __schema once; it answers the whole schema\.$/;
const NO_ALIASES = /^Aliases are not allowed inside __schema and __type/;
const FULL_TYPE = 'fragment T on __Type { name kind fields(includeDeprecated: true) { name args { name type { name } } type { name } } }';

async function expectRefused(query: string, message: RegExp) {
  const r = await f.gql(query);
  expect(r.status, r.raw).toBe(400);
  expect(r.errors?.map((e) => e.extensions?.code), r.raw).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  expect(r.errors?.[0]?.message, r.raw).toMatch(message);
}

describe('an operation asking for __schema more than once is refused before it runs', () => {
  it.each([
    ['aliases', '{ a: __schema { queryType { name } } b: __schema { queryType { name } } }'],
    ['fragments', '{ ...A ...B } fragment A on Query { a: __schema { queryType { name } } } fragment B on Query { b: __schema { types { name } } }'],
    ['fifteen aliases', `{ ${Array.from({ length: 15 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }`],
  ])('%s', async (_, query) => {
    await expectRefused(query, ONCE);
  });
});

describe('aliases inside introspection are refused', () => {
  it.each([
    ['types fifteen times inside one __schema', `{ __schema { ${Array.from({ length: 15 }, (_, i) => `t${i}: types { ...T }`).join(' ')} } } ${FULL_TYPE}`],
    ['fields twice inside __type', '{ __type(name: "Group") { a: fields { name } b: fields { name } } }'],
  ])('%s', async (_, query) => {
    await expectRefused(query, NO_ALIASES);
  });
});

describe('what introspecting clients send is answered', () => {
  it('two operations of one document, one __schema each, run by name', async () => {
    const doc = 'query A { __schema { queryType { name } } } query B { __schema { types { name } } }';
    const res = await request(f.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: doc, operationName: 'B' }) });
    const body = (await res.body.json()) as { data?: { __schema: { types: unknown[] } }; errors?: unknown };
    expect(res.statusCode, JSON.stringify(body)).toBe(200);
    expect(body.data?.__schema.types.length).toBeGreaterThan(50);
  });

  it('aliased __type lookups at the root', async () => {
    const d = await f.ok<Record<string, { name: string }>>('{ a: __type(name: "Group") { name } b: __type(name: "Volume") { name } }');
    expect([d.a?.name, d.b?.name]).toEqual(['Group', 'Volume']);
  });
});

describe('one __schema is answered', () => {
  it("GraphiQL's introspection query", async () => {
    const d = await f.ok<{ __schema: { types: unknown[] } }>(getIntrospectionQuery());
    expect(d.__schema.types.length).toBeGreaterThan(50);
  });

  it('beside __type lookups', async () => {
    const d = await f.ok<Record<string, { name: string }>>('{ __schema { queryType { name } } a: __type(name: "Group") { name } b: __type(name: "Volume") { name } }');
    expect([d.a?.name, d.b?.name]).toEqual(['Group', 'Volume']);
  });
});
