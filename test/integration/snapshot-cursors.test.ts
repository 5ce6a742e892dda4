// Paging probe of 2026-12-08: a group's first page of snapshots gave cursors that did not name the snapshot after
// theirs, so "delete the page, then Next" skipped two snapshots; and a cursor of the project's group snapshots was
// taken by a group's snapshots (and the reverse), whose positions are another listing's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
let st: any;
let group: string;
let names: string[];
beforeAll(async () => {
  f = await startFacade({});
  st = (f.app.simulators.cinder as any).state;
  const base = st.groups.get(SEED.groups.dbClusterProd);
  const g = st.addGroup({ name: 'paged', group_type_id: base.group_type_id, volume_type_ids: base.volume_type_ids, project_id: base.project_id });
  group = g.id;
  // Newest first: s5 … s0, a second apart.
  for (let i = 0; i < 6; i++) st.addGroupSnapshot({ name: `s${i}`, group_id: group, group_type_id: g.group_type_id, project_id: base.project_id, created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() });
  names = ['s5', 's4', 's3', 's2', 's1', 's0'];
});
afterAll(() => f.close());

const page = (after?: string) =>
  f.ok<any>(`query($g: ID!, $after: String) { group(id: $g) { snapshots(first: 3, after: $after) { pageInfo { endCursor } nodes { id name } } } }`, { g: group, after });

describe("a group's snapshots by cursor", () => {
  it('the first page deleted, Next goes on from the snapshot after it', async () => {
    const first = (await page()).group.snapshots;
    expect(first.nodes.map((n: { name: string }) => n.name)).toEqual(names.slice(0, 3));
    for (const n of first.nodes) st.groupSnapshots.delete(n.id);
    const next = (await page(first.pageInfo.endCursor)).group.snapshots;
    expect(next.nodes.map((n: { name: string }) => n.name)).toEqual(names.slice(3));
  });

  // The reverse (a group's cursor on the project's whole listing) is still taken: until 2026-12-08 that listing's own
  // cursors named their item's group, and a portal mid-walk at the upgrade must go on.
  it("a cursor of the project's group snapshots is refused on a group's", async () => {
    const project = await f.ok<any>('{ groupSnapshots(first: 1) { pageInfo { endCursor } } }');
    const r = await f.gql(`query($g: ID!, $after: String) { group(id: $g) { snapshots(first: 2, after: $after) { nodes { id } } } }`, { g: group, after: project.groupSnapshots.pageInfo.endCursor });
    expect(r.errors?.[0]?.extensions?.code, r.raw).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/cursor of the project's snapshots, not of group/);
  });

  it("the project's listing filtered by the group shares the group's cursors", async () => {
    const own = (await page()).group.snapshots.pageInfo.endCursor;
    const d = await f.ok<any>('query($g: ID!, $after: String) { groupSnapshots(first: 2, after: $after, filter: { groupId: $g }) { nodes { id } } }', { g: group, after: own });
    expect(d.groupSnapshots.nodes).toEqual(expect.any(Array));
  });
});
