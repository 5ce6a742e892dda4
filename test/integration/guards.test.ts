// Issue 18: what is checked before anything runs: the operation a request names, and how many objects its answer
// can hold (GRAPHQL_MAX_NODES), with nested page sizes and cursors. Each case is refused at zero upstream calls.
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/seed.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const AMPLIFY = `query($n:Int,$m:Int){ groupSnapshots(first:$n){ nodes{ group{ snapshots(first:$m){ nodes{ group{ snapshots(first:$m){ nodes{ id }}}}}}}}}`;
const aliased = (count: number) =>
  `query($n:Int,$m:Int){ ${Array.from({ length: count }, (_, i) => `a${i}: groupSnapshots(first:$n){ nodes{ group{ snapshots(first:$m){ nodes{ group{ snapshots(first:$m){ nodes{ id }}}}}}}}`).join(' ')} }`;
const GROUP_TABLE = `{ groups(first: 100) { nodes { id snapshots(first: 50) { nodes { id group { id } } } } } }`;
const SHARE_GROUP_TABLE = `{ shareGroups(first: 100) { nodes { id name status shares { id name size } snapshots(first: 10) { nodes { id name members { id size } } } } } }`;
const CREATE_SNAPSHOT = `mutation Create($gid: ID!) { createGroupSnapshot(input: { groupId: $gid, name: "must-not-exist" }) { groupSnapshot { id } } }`;

// Both executors: graphql-jit (compiled at once) and graphql-js, since the defect was the compiled path's.
describe.each([['compiled', '0'], ['interpreted', 'off']])('guards before execution (%s)', (_, compileAfter) => {
  let f: Facade;
  const upstreamCalls = () => Object.values(f.app.simulators).reduce((n, s) => n + s.calls.length, 0);
  const post = async (body: unknown) => {
    const res = await request(f.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.body.text();
    return { status: res.statusCode, body: JSON.parse(text) as { data?: unknown; errors?: { message: string; extensions?: Record<string, any> }[]; extensions?: Record<string, any> } };
  };
  const snapshotCount = async () => ((await f.ok(`{ groupSnapshots(first: 1000) { nodes { id } } }`)).groupSnapshots.nodes as unknown[]).length;

  beforeAll(async () => {
    f = await startFacade({ GRAPHQL_COMPILE_AFTER: compileAfter });
  });
  afterAll(() => f.close());
  beforeEach(() => {
    for (const s of Object.values(f.app.simulators)) s.resetCalls();
  });

  it('a mutation sent with an operationName it does not hold is a 400 and creates nothing', async () => {
    const before = await snapshotCount();
    for (const s of Object.values(f.app.simulators)) s.resetCalls();
    // Twice: the compiled executor compiles a document on its second sight at the latest.
    for (let i = 0; i < 2; i++) {
      const r = await post({ query: CREATE_SNAPSHOT, variables: { gid: SEED.groups.dbClusterProd }, operationName: 'Overview' });
      expect(r.status).toBe(400);
      expect(r.body.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
      expect(r.body.errors?.[0]?.message).toMatch(/no operation named "Overview"/);
    }
    expect(upstreamCalls()).toBe(0);
    expect(await snapshotCount()).toBe(before);
  });

  it('several operations and no operationName is a 400; naming one runs that one', async () => {
    const doc = `query A { about { services { name } } } query B { about { services { mode } } }`;
    const r = await post({ query: doc });
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    const named = await post({ query: doc, operationName: 'B' });
    expect(named.status).toBe(200);
    expect((named.body.data as any).about.services[0]).toEqual({ mode: 'SIMULATED' });
  });

  it.each([
    ['variables', AMPLIFY, { n: 1000, m: 100 }, 10_000_000],
    ['defaults', AMPLIFY, {}, 125_000],
    ['15 aliases', aliased(15), { n: 1000, m: 100 }, 150_000_000],
  ])('the amplification query (%s) is refused with its count at zero upstream calls', async (_, query, variables, least) => {
    const r = await post({ query, variables });
    expect(r.status).toBe(400);
    const err = r.body.errors?.[0];
    expect(err?.extensions?.code).toBe('QUERY_TOO_LARGE');
    expect(err?.extensions?.cost.limit).toBe(50_000);
    expect(err?.extensions?.cost.nodes).toBeGreaterThanOrEqual(least);
    expect(err?.message).toContain(err?.extensions?.cost.nodes.toLocaleString('en-US'));
    expect(err?.message).toContain('50,000');
    expect(upstreamCalls()).toBe(0);
    expect(process.memoryUsage().rss).toBeLessThan(300 * 1024 * 1024);
  });

  it("a field asked for hundreds of times in one selection is refused with a message that says what to change, not graphql-js's bare 'Validation aborted.'", async () => {
    const r = await post({ query: `{ groups(first: 1) { nodes { ${Array(1500).fill('id').join(' ')} } } }` });
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors?.[0]?.message).toMatch(/same field.*once/i);
    expect(upstreamCalls()).toBe(0);
  });

  // Hostile-caller probe: under the token limit, documents that repeat a field hundreds of times cost graphql-js's
  // validation 60-150 ms each (its comparison of every pair), valid (this one ran, and answered 200) or not.
  it.each([
    ['a field', `{ ${Array(280).fill('groups { nodes { id } }').join(' ')} }`],
    ['inline fragments', `{ ${Array(200).fill('... on Query { groups { totalCount } }').join(' ')} }`],
    ['a fragment spread', `{ ${Array(200).fill('...G').join(' ')} } fragment G on Query { groups { totalCount } }`],
  ])('%s repeated a few hundred times at one path is refused before graphql-js compares the pairs', async (_, query) => {
    const r = await post({ query });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors?.[0]?.message).toMatch(/same field.*once/i);
    expect(upstreamCalls()).toBe(0);
  });

  it('realistic screens pass and report their cost', async () => {
    const groups = await post({ query: GROUP_TABLE });
    expect(groups.status).toBe(200);
    expect(groups.body.errors).toBeUndefined();
    // 1 connection + 100 groups x (1 + 1 connection + 50 snapshots x (1 + 1 group))
    expect(groups.body.extensions?.cost).toEqual({ nodes: 1 + 100 * (2 + 50 * 2), limit: 50_000 });
    const shares = await post({ query: SHARE_GROUP_TABLE });
    expect(shares.status).toBe(200);
    expect(shares.body.errors).toBeUndefined();
    expect(shares.body.extensions?.cost.nodes).toBeLessThanOrEqual(50_000);
  });

  it('every answer reports extensions.cost, errors included', async () => {
    const r = await post({ query: `{ group(id: "${SEED.groups.dbClusterProd}") { id volumes { id } } }` });
    expect(r.body.extensions?.cost).toEqual({ nodes: 1 + 10, limit: 50_000 });
  });

  it.each([
    ['first: -1', `{ groups { nodes { id snapshots(first: -1) { nodes { id } } } } }`, /"first" must be between 0 and 1000, got -1/],
    ['first from a variable', `query($m: Int) { groups { nodes { id snapshots(first: $m) { nodes { id } } } } }`, /got 5000/],
    ['a forged cursor', `{ groups { nodes { id snapshots(after: "bm9wZQ") { nodes { id } } } } }`, /Invalid "after" cursor/],
  ])('a nested %s is refused before the parent is read', async (_, query, message) => {
    const r = await post({ query, variables: { m: 5000 } });
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors?.[0]?.message).toMatch(message);
    expect(upstreamCalls()).toBe(0);
  });
});

describe('GRAPHQL_MAX_NODES', () => {
  it('sets the limit; GRAPHQL_MAX_COST is refused with a pointer to it', async () => {
    const f = await startFacade({ GRAPHQL_MAX_NODES: '1000' });
    try {
      const r = await f.gql(GROUP_TABLE);
      expect(r.status).toBe(400);
      expect(r.errors?.[0]?.extensions?.cost).toEqual({ nodes: 10_201, limit: 1000 });
    } finally {
      await f.close();
    }
    await expect(startFacade({ GRAPHQL_MAX_COST: '5' })).rejects.toThrow(/replaced by GRAPHQL_MAX_NODES/);
  });
});

describe('MAX_RESPONSE_BYTES', () => {
  it('an answer larger than the limit becomes RESPONSE_TOO_LARGE; smaller ones pass', async () => {
    const f = await startFacade({ MAX_RESPONSE_BYTES: '500' });
    try {
      const small = await f.gql(`{ groups(first: 1) { nodes { id } } }`);
      expect(small.status).toBe(200);
      const big = await f.gql(`{ groups(first: 100) { nodes { id name description status createdAt volumes { id name size } } } }`);
      expect(big.status).toBe(400);
      expect(big.errors?.[0]?.extensions).toEqual({ code: 'RESPONSE_TOO_LARGE', limit: 500, requestId: expect.stringMatching(/^req-/) });
      expect(big.raw.length).toBeLessThan(400);
    } finally {
      await f.close();
    }
  });
});
