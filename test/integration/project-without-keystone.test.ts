// Without Keystone (demo mode, or fixed CINDER_URL/MANILA_URL) `project` was null although `projectId` was known:
// the schema promises the id wherever the upstream or the token says it, and a portal reading `project { id }`
// saw an object without an owner while `projectId` named one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());

it('project { id name } agrees with projectId on Cinder and Manila objects, with no name', async () => {
  const d = await f.ok<any>(`{
    groups(first: 1) { nodes { projectId project { id name } } }
    shareGroups(first: 1) { nodes { projectId project { id name } } } }`);
  for (const node of [d.groups.nodes[0], d.shareGroups.nodes[0]]) {
    expect(node.projectId).toMatch(/^[0-9a-f]{32}$/);
    expect(node.project).toEqual({ id: node.projectId, name: null });
  }
});
