// One __schema per document (probe of 2026-12-07): 15 aliased copies of the whole schema, 16 requests at a time from
// one caller, stalled every other caller and /healthz for seconds; the cost count leaves introspection out.
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());

const TWICE = /^A document may ask for __schema once; it answers the whole schema\.$/;

describe('a document asking for __schema more than once is refused before it runs', () => {
  it.each([
    ['aliases', '{ a: __schema { queryType { name } } b: __schema { queryType { name } } }'],
    ['fragments', '{ ...A ...B } fragment A on Query { a: __schema { queryType { name } } } fragment B on Query { b: __schema { types { name } } }'],
    ['fifteen aliases', `{ ${Array.from({ length: 15 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }`],
  ])('%s', async (_, query) => {
    const r = await f.gql(query);
    expect(r.status, r.raw).toBe(400);
    expect(r.errors?.map((e) => e.extensions?.code), r.raw).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(r.errors?.[0]?.message, r.raw).toMatch(TWICE);
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
