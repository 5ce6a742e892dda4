// `first: 0` (Relay allows it): no items, but totalCount and hasNextPage answered, on every connection field, top
// level and nested. It was refused as BAD_USER_INPUT ("first" must be between 1 and 1000), so a portal's count
// badge had to read an item it did not show.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildSubgraph } from '../../src/federation/subgraph.js';
import { answerEmptyPages } from '../../src/graphql/emptyPages.js';
import { resolvers } from '../../src/resolvers/index.js';
import { SEED_IDS } from '../../src/simulator/manila/index.js';
import { loadTypeDefs } from '../../src/schema.js';
import { loopLoad } from '../../src/upstreams/roundTrips.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const PAGE = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } nodes { id }`;
const TOP = (field: string) => `query($n: Int, $a: String) { c: ${field}(first: $n, after: $a) { ${PAGE} } }`;
const NESTED = (parent: string, field: string) =>
  `query($id: ID!, $n: Int, $a: String) { p: ${parent}(id: $id) { c: ${field}(first: $n, after: $a) { ${PAGE} } } }`;

interface Page {
  totalCount: number | null;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string }[];
  nodes: { id: string }[];
}

describe('first: 0', () => {
  let f: Facade;
  let legacy: Facade;
  const busy = vi.spyOn(loopLoad, 'busy').mockReturnValue(0);

  beforeAll(async () => {
    [f, legacy] = await Promise.all([
      startFacade({ SIMULATE: 'cinder,manila,sdrs' }),
      startFacade({ SIMULATE: 'manila' }, { manila: { legacy: true } }),
    ]);
    // The legacy seed has one cgsnapshot: a second one, so that a cursor has something after it.
    await legacy.ok(`mutation { createConsistencyGroupSnapshot(input: { consistencyGroupId: "${SEED_IDS.consistencyGroups.legacyDb}" }) { id } }`);
  });
  afterAll(async () => {
    busy.mockRestore();
    await Promise.all([f.close(), legacy.close()]);
  });

  /** Every connection field: how to read it, on which facade. */
  const fields: [string, (on: Facade) => Promise<(n: number, a?: string) => Promise<Page>>, () => Facade][] = [
    ...['groups', 'groupSnapshots', 'volumes', 'shareGroups', 'shareGroupSnapshots', 'shares', 'protectionGroups'].map(
      (field) => [field, top(field), () => f] as (typeof fields)[number],
    ),
    ['consistencyGroups', top('consistencyGroups'), () => legacy],
    ['consistencyGroupSnapshots', top('consistencyGroupSnapshots'), () => legacy],
    ['Group.snapshots', nested('groups', 'group', 'snapshots'), () => f],
    ['ShareGroup.snapshots', nested('shareGroups', 'shareGroup', 'snapshots'), () => f],
    ['ProtectionGroup.protectedInstances', nested('protectionGroups', 'protectionGroup', 'protectedInstances'), () => f],
    ['ProtectionGroup.replicationPairs', nested('protectionGroups', 'protectionGroup', 'replicationPairs'), () => f],
    ['ProtectionGroup.drills', nested('protectionGroups', 'protectionGroup', 'drills'), () => f],
  ];

  function top(field: string) {
    return async (on: Facade) => async (n: number, a?: string) => (await on.ok<{ c: Page }>(TOP(field), { n, a })).c;
  }

  /** The field of the parent whose listing is longest, so that a cursor inside it exists. */
  function nested(list: string, parent: string, field: string) {
    return async (on: Facade) => {
      const all = await on.ok<any>(`{ l: ${list}(first: 40) { nodes { id c: ${field}(first: 100) { nodes { id } } } } }`);
      const longest = [...all.l.nodes].sort((x: any, y: any) => y.c.nodes.length - x.c.nodes.length)[0];
      return async (n: number, a?: string) => (await on.ok<{ p: { c: Page } }>(NESTED(parent, field), { id: longest.id, n, a })).p.c;
    };
  }

  it('is answered on every connection field of the schema', () => {
    expect(answerEmptyPages(buildSubgraph(loadTypeDefs(), resolvers as never))).toBe(fields.length);
  });

  it.each(fields)('%s: no items, the count and whether any lie ahead', async (_, reader, on) => {
    const read = await reader(on());
    const all = await read(100);
    expect(all.nodes.length, 'the seed has at least two items here').toBeGreaterThanOrEqual(2);

    const none = await read(0);
    expect(none).toEqual({
      totalCount: all.totalCount,
      pageInfo: { hasNextPage: true, hasPreviousPage: all.pageInfo.hasPreviousPage, startCursor: null, endCursor: null },
      edges: [],
      nodes: [],
    });
    // After the first item some lie ahead; after the last, none do.
    expect((await read(0, all.edges[0]!.cursor)).pageInfo.hasNextPage).toBe(true);
    const atEnd = await read(0, all.edges.at(-1)!.cursor);
    expect(atEnd.pageInfo.hasNextPage).toBe(false);
    expect(atEnd.nodes).toEqual([]);
  });

  it.each(['groups', 'groupSnapshots', 'volumes', 'shareGroups', 'shareGroupSnapshots', 'shares', 'protectionGroups'])(
    '%s: a count alone costs no more upstream calls than the default page\'s count',
    async (field) => {
      const sims = Object.values(f.app.simulators).filter((s) => s !== undefined);
      const callsFor = async (query: string) => {
        sims.forEach((s) => s.resetCalls());
        const data = await f.ok<any>(query);
        return { count: data.c.totalCount, calls: sims.flatMap((s) => s.calls).length };
      };
      const page = await callsFor(`{ c: ${field} { totalCount } }`);
      const none = await callsFor(`{ c: ${field}(first: 0) { totalCount } }`);
      expect(none.count).toBe(page.count);
      expect(none.calls).toBeLessThanOrEqual(page.calls);
      // Items left out by @include/@skip are not asked for.
      const left = await callsFor(`query($items: Boolean = false) { c: ${field}(first: 0) { totalCount nodes @include(if: $items) { id } edges @skip(if: true) { cursor } } }`);
      expect(left.calls).toBe(none.calls);
    },
  );

  it('reads one item upstream when it shows items\' fields, not the default page', async () => {
    const sims = Object.values(f.app.simulators).filter((s) => s !== undefined);
    sims.forEach((s) => s.resetCalls());
    await f.ok('{ groups(first: 0) { totalCount nodes { id } } }');
    const listings = sims.flatMap((s) => s.calls).filter((c) => /\/groups\/detail/.test(c.path));
    expect(listings.length).toBeGreaterThan(0);
    for (const c of listings) expect(new URL(c.url, 'http://x').searchParams.get('limit')).toBe('2');
  });

  it('a negative first is still BAD_USER_INPUT before any upstream call', async () => {
    const sims = Object.values(f.app.simulators).filter((s) => s !== undefined);
    sims.forEach((s) => s.resetCalls());
    const r = await f.gql('{ groups { nodes { id snapshots(first: -1) { nodes { id } } } } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/"first" must be between 0 and 1000, got -1/);
    expect(sims.flatMap((s) => s.calls)).toEqual([]);
  });
});
