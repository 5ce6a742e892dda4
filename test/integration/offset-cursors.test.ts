// Offset cursors (Manila, SDRS) name their listing, and a nested listing's its parent, as Cinder's do: a cursor of
// another listing, or of another share group's snapshots or protection group's members, is BAD_USER_INPUT before
// any upstream call. They named a position only: such a cursor answered the items at that offset, without an error.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SEED_IDS } from '../../src/simulator/manila/index.js';
import { SDRS_SEED_GROUPS } from '../../src/simulator/sdrs/index.js';
import { loopLoad } from '../../src/upstreams/roundTrips.js';
import { type Facade, type GqlResult, startFacade } from '../helpers/facade.js';

const enc = (s: string) => Buffer.from(s).toString('base64url');
const ids = (c: { nodes: { id: string }[] }) => c.nodes.map((n) => n.id);
const TOP = (field: string) => `query($n: Int, $a: String) { c: ${field}(first: $n, after: $a) {
  pageInfo { endCursor hasNextPage } nodes { id } } }`;
const NESTED = (parent: string, field: string) => `query($id: ID!, $n: Int, $a: String) { p: ${parent}(id: $id) {
  c: ${field}(first: $n, after: $a) { pageInfo { endCursor hasNextPage } nodes { id } } } }`;
const [DB, WEB] = [SEED_IDS.shareGroups.dbCluster, SEED_IDS.shareGroups.webAssets];
const [ERP, CRM] = [SDRS_SEED_GROUPS.erpProd, SDRS_SEED_GROUPS.crmWeb];

/** The error of a response that must have failed, with the body when it did not. */
function errorOf(r: GqlResult): { code: string; message: string } {
  expect(r.errors, r.raw).toBeDefined();
  return { code: r.errors![0]!.extensions?.code, message: r.errors![0]!.message };
}

describe('offset cursors of another listing or parent', () => {
  let f: Facade;
  const busy = vi.spyOn(loopLoad, 'busy').mockReturnValue(0);
  const sims = () => Object.values(f.app.simulators).filter((s) => s !== undefined);
  const resetCalls = () => sims().forEach((s) => s.resetCalls());
  const calls = (part = '') => sims().flatMap((s) => s.calls).filter((c) => c.path.includes(part));

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'cinder,manila,sdrs' }, { manila: { extraShareGroups: 6 }, sdrs: { extraGroups: 6 } });
    await f.ok('{ groups(first: 1) { nodes { id } } shareGroups(first: 1) { nodes { id } } }'); // version discovery
  });
  afterAll(async () => {
    busy.mockRestore();
    await f.close();
  });

  const top = async (field: string, n: number, a?: string) => (await f.ok<any>(TOP(field), { n, a })).c;
  const nested = async (parent: string, field: string, id: string, n: number, a?: string) =>
    (await f.ok<any>(NESTED(parent, field), { id, n, a })).p.c;

  it.each([
    ['shareGroups', 'shares', 'share groups', 'shares'],
    ['shares', 'shareGroups', 'shares', 'share groups'],
    ['protectionGroups', 'shares', 'protection groups', 'shares'],
    ['protectionGroups', 'shareGroups', 'protection groups', 'share groups'],
    ['shareGroups', 'protectionGroups', 'share groups', 'protection groups'],
    ['shares', 'protectionGroups', 'shares', 'protection groups'],
    ['shareGroupSnapshots', 'shareGroups', 'share group snapshots', 'share groups'],
  ])('a %s cursor sent to %s is BAD_USER_INPUT before any upstream call', async (from, to, fromName, toName) => {
    const cursor = (await top(from, 2)).pageInfo.endCursor;
    resetCalls();
    const e = errorOf(await f.gql(TOP(to), { n: 3, a: cursor }));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toBe(`Invalid "after" cursor: it is a cursor of ${fromName}, not of ${toName}.`);
    expect(calls()).toEqual([]);
  });

  it('a share groups cursor sent to Cinder groups sorted by name (paged by offset) is refused too', async () => {
    const cursor = (await top('shareGroups', 2)).pageInfo.endCursor;
    resetCalls();
    const q = 'query($a: String) { groups(first: 3, after: $a, sort: { key: NAME, direction: ASC }) { nodes { id } } }';
    expect(errorOf(await f.gql(q, { a: cursor })).code).toBe('BAD_USER_INPUT');
    expect(calls()).toEqual([]);
  });

  it("one share group's snapshots cursor is refused on another's, and on the snapshots listing", async () => {
    const cursor = (await nested('shareGroup', 'snapshots', DB, 1)).pageInfo.endCursor;
    resetCalls();
    const e = errorOf(await f.gql(NESTED('shareGroup', 'snapshots'), { id: WEB, n: 1, a: cursor }));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toBe(`Invalid "after" cursor: it is a cursor of share group ${DB}'s snapshots, not of share group ${WEB}'s.`);
    expect(calls('share-group-snapshots')).toEqual([]);
    resetCalls();
    expect(errorOf(await f.gql(TOP('shareGroupSnapshots'), { n: 1, a: cursor })).code).toBe('BAD_USER_INPUT');
    expect(calls()).toEqual([]);
    const listed = (await top('shareGroupSnapshots', 1)).pageInfo.endCursor;
    resetCalls();
    expect(errorOf(await f.gql(NESTED('shareGroup', 'snapshots'), { id: DB, n: 1, a: listed })).code).toBe('BAD_USER_INPUT');
    expect(calls('share-group-snapshots')).toEqual([]);
  });

  it.each([
    ['protectedInstances', '/protected-instances', 'protected instances'],
    ['replicationPairs', '/replications', 'replication pairs'],
    ['drills', '/disaster-recovery-drills', 'DR drills'],
  ])("one protection group's %s cursor is refused on another's", async (field, path, name) => {
    const cursor = (await nested('protectionGroup', field, ERP, 1)).pageInfo.endCursor;
    resetCalls();
    const e = errorOf(await f.gql(NESTED('protectionGroup', field), { id: CRM, n: 1, a: cursor }));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toBe(`Invalid "after" cursor: it is a cursor of protection group ${ERP}'s ${name}, not of protection group ${CRM}'s.`);
    expect(calls(path)).toEqual([]);
  });

  it("a protection group's instances cursor is refused on its pairs", async () => {
    const cursor = (await nested('protectionGroup', 'protectedInstances', ERP, 1)).pageInfo.endCursor;
    resetCalls();
    const e = errorOf(await f.gql(NESTED('protectionGroup', 'replicationPairs'), { id: ERP, n: 1, a: cursor }));
    expect(e.message).toBe(`Invalid "after" cursor: it is a cursor of protection group ${ERP}'s protected instances, not of protection group ${ERP}'s replication pairs.`);
    expect(calls('/replications')).toEqual([]);
  });

  /** Every page of `n` from the first, by endCursor: the ids in order. */
  async function pageThrough(read: (n: number, a?: string) => Promise<any>, n: number): Promise<string[]> {
    const seen: string[] = [];
    let page = await read(n);
    for (let i = 0; i < 100; i++) {
      seen.push(...ids(page));
      if (!page.pageInfo.hasNextPage) return seen;
      page = await read(n, page.pageInfo.endCursor);
    }
    throw new Error('no last page');
  }

  it.each(['shareGroups', 'shares', 'shareGroupSnapshots', 'protectionGroups'])('%s still pages through, no repeat, no gap', async (field) => {
    const all = ids(await top(field, 1000));
    expect(all.length).toBeGreaterThan(3);
    expect(await pageThrough((n, a) => top(field, n, a), 3)).toEqual(all);
  });

  it.each([
    ['shareGroup', 'snapshots', DB],
    ['protectionGroup', 'protectedInstances', ERP],
    ['protectionGroup', 'replicationPairs', ERP],
    ['protectionGroup', 'drills', ERP],
  ])('%s.%s still pages through, no repeat, no gap', async (parent, field, id) => {
    const all = ids(await nested(parent, field, id, 1000));
    expect(all.length).toBeGreaterThan(1);
    expect(await pageThrough((n, a) => nested(parent, field, id, n, a), 1)).toEqual(all);
  });

  it('a cursor of the old format (o:<n>[:<id>], of no listing) still reads the page after it', async () => {
    const all = ids(await top('shareGroups', 6));
    expect(ids(await top('shareGroups', 3, enc(`o:1:${all[1]}`)))).toEqual(all.slice(2, 5));
    expect(ids(await top('shareGroups', 3, enc('o:1')))).toEqual(all.slice(2, 5));
    const instances = ids(await nested('protectionGroup', 'protectedInstances', ERP, 10));
    expect(ids(await nested('protectionGroup', 'protectedInstances', ERP, 2, enc(`o:0:${instances[0]}`)))).toEqual(instances.slice(1, 3));
  });

  it('a forged cursor naming a parent on a listing that has none is BAD_USER_INPUT', async () => {
    const [form, kind, at, id] = Buffer.from((await top('shares', 2)).pageInfo.endCursor, 'base64url').toString().split(':');
    resetCalls();
    const r = await f.gql(TOP('shares'), { n: 2, a: enc([form, kind, at, id, DB].join(':')) });
    expect(errorOf(r).code).toBe('BAD_USER_INPUT');
    expect(calls()).toEqual([]);
  });
});
