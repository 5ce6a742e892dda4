// A protection group's members (protectedInstances, replicationPairs, drills) paged while someone adds or removes
// one between two page requests: the cursors held a position only, so an instance added at the top (the list is
// newest first) shifted the next page by one and its first item was the previous page's last. The cursors now name
// their member and the next page goes on after it, as protectionGroups and Manila's offset pages do (resume.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const state = () => (f.app.simulators.sdrs as any).state;
const erp = () => [...state().groups.values()].find((g: { name: string }) => g.name === 'erp-prod-dr');
const page = async (after?: string) => {
  const q = `query($id: ID!, $after: String) { protectionGroup(id: $id) { protectedInstances(first: 1, after: $after) {
    totalCount pageInfo { endCursor hasNextPage } nodes { id name } } } }`;
  return (await f.ok<any>(q, { id: erp().id, after: after ?? null })).protectionGroup.protectedInstances;
};
const newId = (n: number) => `11111111-2222-4333-8444-${String(n).padStart(12, '0')}`;

describe('protected instances paged while the group changes', () => {
  it('one added at the top between two pages repeats nothing', async () => {
    const first = await page();
    const template = state().members.instances.ofGroup(erp().id)[0];
    state().members.instances.add({ ...template, id: newId(1), name: 'added-later', createdAtMs: Date.now(), updatedAtMs: Date.now() });
    const second = await page(first.pageInfo.endCursor);
    expect(second.nodes.map((n: { id: string }) => n.id)).not.toContain(first.nodes[0].id);
    expect(second.nodes).toHaveLength(1);
    state().members.instances.remove(newId(1));
  });

  it('the one before the cursor removed between two pages skips nothing', async () => {
    const template = state().members.instances.ofGroup(erp().id)[0];
    state().members.instances.add({ ...template, id: newId(2), name: 'short-lived', createdAtMs: Date.now(), updatedAtMs: Date.now() });
    expect((await page()).totalCount).toBeGreaterThanOrEqual(3);
    const first = await page();
    const second = await page(first.pageInfo.endCursor);
    state().members.instances.remove(newId(2));
    const third = await page(second.pageInfo.endCursor);
    const seen = [first, second, third].flatMap((p) => p.nodes.map((n: { name: string }) => n.name));
    expect(seen).toEqual([...new Set(seen)]);
    expect(seen).toHaveLength(3);
  });
});
