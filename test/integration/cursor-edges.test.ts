// Cursors at their edges: the item at the cursor deleted before the next page (D3), a cursor of another
// connection or of another group's snapshots (D3, D4).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loopLoad } from '../../src/upstreams/roundTrips.js';
import type { CinderState } from '../../src/simulator/cinder/state.js';
import { type Facade, type GqlResult, startFacade } from '../helpers/facade.js';

const OFF = { SDRS_URL: 'http://127.0.0.1:9/v1/x' };
const GROUPS = `query($n: Int, $a: String, $sort: GroupSort) { c: groups(first: $n, after: $a, sort: $sort) {
  pageInfo { endCursor } nodes { id } } }`;
const GROUP_SNAPSHOTS = 'query($n: Int, $a: String) { c: groupSnapshots(first: $n, after: $a) { pageInfo { endCursor } nodes { id } } }';
const SNAPSHOTS_OF = `query($id: ID!, $a: String) { group(id: $id) { snapshots(first: 5, after: $a) {
  pageInfo { endCursor } nodes { id } } } }`;
type Sim = NonNullable<Facade['app']['simulators']['cinder']>;
/** A simulator of the facade with its state, which the tests change between two page requests. */
const simOf = <S>(f: Facade, service: 'cinder' | 'manila' | 'sdrs') => f.app.simulators[service]! as Sim & { state: S };
const enc = (s: string) => Buffer.from(s).toString('base64url');
const ids = (d: any): string[] => d.c.nodes.map((n: { id: string }) => n.id);

/** The error code of a response that must have failed, with the body when it did not. */
function codeOf(r: GqlResult): string {
  expect(r.errors, r.raw).toBeDefined();
  return r.errors![0]!.extensions?.code;
}

describe('Cinder cursors (D3, D4)', () => {
  let f: Facade;
  const busy = vi.spyOn(loopLoad, 'busy').mockReturnValue(0);
  const sim = () => simOf<CinderState>(f, 'cinder');
  const listings = (part: string) => sim().calls.filter((c) => c.path.includes(part)).length;

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'cinder', ...OFF }, { cinder: { extraGroups: 30 } });
    await f.ok('{ groups(first: 1) { nodes { id } } }'); // version discovery happens once per process
  });
  afterAll(async () => {
    busy.mockRestore();
    await f.close();
  });

  it('a page after a group deleted at the cursor holds the groups that followed it, in one extra call', async () => {
    const all = ids(await f.ok(GROUPS, { n: 12 }));
    const p1 = await f.ok<any>(GROUPS, { n: 3 });
    expect(ids(p1)).toEqual(all.slice(0, 3));
    sim().state.groups.delete(all[2]!);
    sim().resetCalls();
    const p2 = await f.ok<any>(GROUPS, { n: 3, a: p1.c.pageInfo.endCursor });
    expect(ids(p2)).toEqual(all.slice(3, 6));
    // The marker's 404, then the read at the cursor's position.
    expect(listings('/groups')).toBe(2);
    const p3 = await f.ok<any>(GROUPS, { n: 3, a: p2.c.pageInfo.endCursor });
    expect(ids(p3)).toEqual(all.slice(6, 9));
  });

  it('an ordinary next page still costs one call', async () => {
    const p1 = await f.ok<any>(GROUPS, { n: 3 });
    sim().resetCalls();
    await f.ok(GROUPS, { n: 3, a: p1.c.pageInfo.endCursor });
    expect(sim().calls.map((c) => c.path.split('/').slice(-2).join('/'))).toEqual(['groups/detail']);
  });

  it('a cursor of another connection is BAD_USER_INPUT before any upstream call', async () => {
    const groupCursor = (await f.ok<any>(GROUPS, { n: 2 })).c.pageInfo.endCursor;
    const snapCursor = (await f.ok<any>(GROUP_SNAPSHOTS, { n: 2 })).c.pageInfo.endCursor;
    const group = ids(await f.ok(GROUPS, { n: 1 }))[0];
    sim().resetCalls();
    expect(codeOf(await f.gql(GROUPS, { n: 3, a: snapCursor }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await f.gql(GROUP_SNAPSHOTS, { n: 3, a: groupCursor }))).toBe('BAD_USER_INPUT');
    expect(sim().calls).toEqual([]);
    expect(codeOf(await f.gql(SNAPSHOTS_OF, { id: group, a: groupCursor }))).toBe('BAD_USER_INPUT');
    expect(listings('/group_snapshots')).toBe(0);
  });

  it('a forged marker cursor is BAD_USER_INPUT, not NOT_FOUND', async () => {
    const r = await f.gql(GROUPS, { n: 3, a: enc('m:11111111-2222-4333-8444-555555555555') });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
  });

  it('a cursor of the old format (m:<id>) still reads the next page', async () => {
    const all = ids(await f.ok(GROUPS, { n: 6 }));
    const p2 = await f.ok(GROUPS, { n: 3, a: enc(`m:${all[2]}`) });
    expect(ids(p2)).toEqual(all.slice(3, 6));
  });

  it("Group.snapshots refuses a cursor of another group's snapshots before reading them (D4)", async () => {
    const st = sim().state;
    const [a, b] = [...st.groups.values()].slice(0, 2);
    for (const g of [a!, b!]) for (let i = 0; i < 2; i++) st.addGroupSnapshot({ group_id: g.id, group_type_id: g.group_type_id });
    const ofB = await f.ok<any>(SNAPSHOTS_OF, { id: b!.id });
    sim().resetCalls();
    const r = await f.gql(SNAPSHOTS_OF, { id: a!.id, a: ofB.group.snapshots.pageInfo.endCursor });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(listings('/group_snapshots')).toBe(0);
    // Its own group's cursor still pages.
    const ofA = await f.ok<any>(SNAPSHOTS_OF, { id: a!.id });
    await f.ok(SNAPSHOTS_OF, { id: a!.id, a: ofA.group.snapshots.pageInfo.endCursor });
  });
});
