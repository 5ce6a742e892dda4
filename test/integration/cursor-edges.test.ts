// Cursors at their edges: the item at the cursor deleted before the next page (D3), a cursor of another
// connection or of another group's snapshots (D3, D4), and offset pages when the listing changes between two
// page requests (D5).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loopLoad } from '../../src/upstreams/roundTrips.js';
import type { CinderState } from '../../src/simulator/cinder/state.js';
import type { ManilaState } from '../../src/simulator/manila/state.js';
import type { SdrsState } from '../../src/simulator/sdrs/state.js';
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
    // The marker's 404, then the group that followed it (a show) and the listing after that one, sent together.
    expect(listings('/groups')).toBe(3);
    expect(listings(`/groups/${all[3]}`)).toBe(1);
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
    // Also when the page asks for linked data, which the planner would otherwise start reading with the page.
    const linked = 'query($a: String) { groups(first: 3, after: $a) { nodes { volumes { id } snapshots { totalCount } } } }';
    expect(codeOf(await f.gql(linked, { a: snapCursor }))).toBe('BAD_USER_INPUT');
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

describe('offset cursors when the listing changes between pages (D5)', () => {
  let f: Facade;
  const busy = vi.spyOn(loopLoad, 'busy').mockReturnValue(0);
  beforeAll(async () => {
    f = await startFacade(
      { SIMULATE: 'cinder,manila,sdrs' },
      { cinder: { extraGroups: 20 }, manila: { extraShareGroups: 20 }, sdrs: { extraGroups: 20 } },
    );
  });
  afterAll(async () => {
    busy.mockRestore();
    await f.close();
  });

  /** Page 1 of five, `change` upstream, then page 2 from page 1's endCursor; with the listing before the change. */
  async function acrossChange(field: string, args: string, change: (before: string[]) => void) {
    const q = (n: number, after: string | null) =>
      f.ok<any>(`query($n: Int, $a: String) { c: ${field}(first: $n, after: $a${args}) { pageInfo { endCursor } nodes { id } } }`, { n, a: after });
    const before = ids(await q(12, null));
    const p1 = await q(5, null);
    expect(ids(p1)).toEqual(before.slice(0, 5));
    change(before);
    return { before, page2: ids(await q(5, p1.c.pageInfo.endCursor)) };
  }

  const manila = () => simOf<ManilaState>(f, 'manila').state;
  const sdrs = () => simOf<SdrsState>(f, 'sdrs').state;
  const cinder = () => simOf<CinderState>(f, 'cinder').state;
  const newId = (n: number) => `07070707-0000-4000-8000-00000000000${n}`;

  it('Manila share groups: one created before the cursor repeats nothing', async () => {
    const { before, page2 } = await acrossChange('shareGroups', '', () => {
      const g = [...manila().shareGroups.values()][0]!;
      manila().shareGroups.set(newId(1), { ...g, id: newId(1), created_at: '2099-01-01T00:00:00.000000' });
    });
    expect(page2).toEqual(before.slice(5, 10));
    manila().shareGroups.delete(newId(1));
  });

  it('Manila share groups: one deleted before the cursor skips nothing', async () => {
    const { before, page2 } = await acrossChange('shareGroups', '', (b) => manila().shareGroups.delete(b[1]!));
    expect(page2).toEqual(before.slice(5, 10));
  });

  it('SDRS protection groups: one created before the cursor repeats nothing', async () => {
    const { before, page2 } = await acrossChange('protectionGroups', '', () => {
      const g = [...sdrs().groups.values()][0]!;
      sdrs().groups.set(newId(2), { ...g, id: newId(2), createdAtMs: Date.now() + 1e9 });
    });
    expect(page2).toEqual(before.slice(5, 10));
    sdrs().groups.delete(newId(2));
  });

  it('SDRS protection groups: one deleted before the cursor skips nothing', async () => {
    const { before, page2 } = await acrossChange('protectionGroups', '', (b) => sdrs().groups.delete(b[1]!));
    expect(page2).toEqual(before.slice(5, 10));
  });

  // Held: the fix (a read from 5 before the offset) changes the request test/integration/cinder.portal.test.ts
  // asserts for name-sorted pages (limit=3&offset=2), a file this change may not edit.
  it('Cinder groups sorted by name: one created before the cursor repeats nothing, one deleted skips nothing', async () => {
    const sort = ', sort: { key: NAME, direction: ASC }';
    const created = await acrossChange('groups', sort, () => {
      const g = [...cinder().groups.values()][0]!;
      cinder().addGroup({ group_type_id: g.group_type_id, volume_type_ids: g.volume_type_ids, name: '0000-first' });
    });
    expect(created.page2).toEqual(created.before.slice(5, 10));
    const deleted = await acrossChange('groups', sort, (b) => cinder().groups.delete(b[1]!));
    expect(deleted.page2).toEqual(deleted.before.slice(5, 10));
  });

  // The portal's "delete the last row, then Next": the page after goes on from where that item was.
  it.each([
    ['shareGroups', '', () => manila().shareGroups],
    ['protectionGroups', '', () => sdrs().groups],
    ['groups', ', sort: { key: NAME, direction: ASC }', () => cinder().groups],
  ] as const)('%s%s: the cursor\'s own item deleted skips nothing', async (field, sort, rows) => {
    const { before, page2 } = await acrossChange(field, sort, (b) => rows().delete(b[4]!));
    expect(page2).toEqual(before.slice(5, 10));
  });

  // Rows selected and deleted together at the end of the page, then Next: the page starts at the item that followed
  // them, which the cursor names (it skipped two here before: the position fallback assumed one deletion).
  it.each([
    ['shareGroups', '', () => manila().shareGroups],
    ['protectionGroups', '', () => sdrs().groups],
    ['groups', ', sort: { key: NAME, direction: ASC }', () => cinder().groups],
    ['groups', '', () => cinder().groups],
  ] as const)('%s%s: the last three rows of the page deleted skip nothing', async (field, sort, rows) => {
    const { before, page2 } = await acrossChange(field, sort, (b) => {
      for (const i of [2, 3, 4]) rows().delete(b[i]!);
    });
    expect(page2).toEqual(before.slice(5, 10));
  });

  it('an unchanged next page costs the same calls as before', async () => {
    const sims = f.app.simulators;
    for (const [field, sim] of [['shareGroups', sims.manila!], ['protectionGroups', sims.sdrs!]] as const) {
      const p1 = await f.ok<any>(`{ c: ${field}(first: 5) { pageInfo { endCursor } nodes { id } } }`);
      sim.resetCalls();
      await f.ok(`query($a: String) { c: ${field}(first: 5, after: $a) { nodes { id } } }`, { a: p1.c.pageInfo.endCursor });
      expect(sim.calls, field).toHaveLength(1);
    }
  });
});
