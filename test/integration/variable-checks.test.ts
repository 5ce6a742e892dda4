// Variables checked as graphql-js will coerce them, before the cost and the mutation checks read them (probe of
// 2026-12-07): a string page size was counted, a tiny float got the page-size message, and a null deciding an
// @include ran a query to `data: null` and answered a mutation with graphql-js's printed source.
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/seed.js';
import { type Facade, type GqlResult, startFacade } from '../helpers/facade.js';

let f: Facade;
const upstreamCalls = () => Object.values(f.app.simulators).flatMap((s) => s.calls);

beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());
beforeEach(() => {
  for (const s of Object.values(f.app.simulators)) s.resetCalls();
});

/** A 400 with one BAD_USER_INPUT, no data, no cost, and no upstream call. */
function expectRefused(r: GqlResult, message: RegExp) {
  expect(r.status, r.raw).toBe(400);
  expect(r.errors?.map((e) => e.extensions?.code), r.raw).toEqual(['BAD_USER_INPUT']);
  expect(r.errors?.[0]?.message, r.raw).toMatch(message);
  expect(JSON.parse(r.raw)).not.toHaveProperty('data');
  expect(JSON.parse(r.raw).extensions?.cost, r.raw).toBeUndefined();
  expect(upstreamCalls()).toEqual([]);
}

const PAGE = 'query($n: Int) { groups(first: $n) { nodes { id } } }';

describe('a variable graphql-js would not coerce is refused in its words, before the cost is counted', () => {
  it.each([
    ['a string page size', { n: '5' }, /^Variable "\$n" got invalid value "5"; Int cannot represent non-integer value/],
    ['a tiny float page size', { n: 5e-324 }, /^Variable "\$n" got invalid value 5e-324; Int cannot represent non-integer value/],
  ])('%s', async (_, variables, message) => {
    expectRefused(await f.gql(PAGE, variables), message);
  });
});

describe('a null deciding @skip or @include is refused before anything runs', () => {
  const NULLED = /^\$i is null, but the "if" of a @skip or @include it decides must be true or false; nothing was run\.$/;
  it('in a query', async () => {
    expectRefused(await f.gql('query($i: Boolean = true) { groups(first: 1) @include(if: $i) { nodes { id } } }', { i: null }), NULLED);
  });

  it('in a fragment of a query', async () => {
    const q = 'query($i: Boolean = false) { ...F } fragment F on Query { groups(first: 1) @skip(if: $i) { nodes { id } } }';
    expectRefused(await f.gql(q, { i: null }), NULLED);
  });

  it('in a mutation: its first field does not run either', async () => {
    const m = `mutation M($i: Boolean = true) { a: updateGroup(input: { id: "${SEED.groups.emptyStaging}", description: "x" }) { group { id } } b: deleteGroup(input: { id: "${SEED.groups.emptyStaging}" }) @include(if: $i) { id } }`;
    expectRefused(await f.gql(m, { i: null }), NULLED);
  });

  it("in a fragment only another operation of the document spreads, it is not this operation's", async () => {
    const doc =
      'query A($i: Boolean = true) { ...F } query B($i: Boolean) { volumes(first: 1, filter: { bootable: $i }) { nodes { id } } } fragment F on Query { groups(first: 1) @include(if: $i) { nodes { id } } }';
    const res = await request(f.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: doc, operationName: 'B', variables: { i: null } }) });
    const body = (await res.body.json()) as { data?: { volumes: { nodes: unknown[] } }; errors?: unknown };
    expect(res.statusCode, JSON.stringify(body)).toBe(200);
    expect(body.errors, JSON.stringify(body)).toBeUndefined();
  });

  it('left at its default, it decides as usual', async () => {
    const r = await f.gql('query($i: Boolean = false) { groups(first: 1) @include(if: $i) { nodes { id } } }', {});
    expect(r.status, r.raw).toBe(200);
    expect(r.data, r.raw).toEqual({});
  });
});
