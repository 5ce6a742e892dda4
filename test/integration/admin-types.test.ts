// What types make of a group, and which types an admin sees (found against real Cinder): a group whose types cannot
// replicate has no replication targets (not an error), and an admin's listings hold the private types too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const member = `member:${DEMO_PROJECT.id}`;

describe('replication targets of groups whose types cannot replicate', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' });
  });
  afterAll(() => f.close());

  it('are an empty list, without an error, beside the targets of a replicated group', async () => {
    const r = await f.ok<any>('{ groups(first: 10) { nodes { id replicationTargets { backendId } } } }', undefined, { token: member });
    const byId = new Map<string, any>(r.groups.nodes.map((g: any) => [g.id, g.replicationTargets]));
    expect(byId.get(SEED.groups.webTier)).toEqual([]);
    expect(byId.get(SEED.groups.analyticsScratch)).toEqual([]);
    expect(byId.get(SEED.groups.dbClusterProd).length).toBeGreaterThan(0);
  });
});

describe("an admin's type listings", () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' });
  });
  afterAll(() => f.close());

  it('hold the private group types and volume types (Cinder lists them only for is_public=none); a member\'s do not', async () => {
    const admin = `admin:${DEMO_PROJECT.id}`;
    const made = await f.ok<any>('mutation { createGroupType(input: { name: "gt-private", isPublic: false }) { groupType { id } } }', undefined, {
      token: admin,
    });
    const gt = made.createGroupType.groupType.id;
    const vt = (f.app.simulators.cinder as any).state.addVolumeType({ name: 'vt-private', is_public: false }).id;
    const r = await f.ok<any>(`{ groupTypes { name } volumeTypes { name } groupType(id: "${gt}") { name } }`, undefined, { token: admin });
    expect(r.groupType.name).toBe('gt-private');
    expect(r.groupTypes.map((t: any) => t.name)).toContain('gt-private');
    expect(r.volumeTypes.map((t: any) => t.name)).toContain('vt-private');
    expect(r.groupTypes.map((t: any) => t.name)).toContain('generic');
    const m = await f.ok<any>('{ groupTypes { name } volumeTypes { name } }', undefined, { token: member });
    expect(m.groupTypes.map((t: any) => t.name)).not.toContain('gt-private');
    expect(m.volumeTypes.map((t: any) => t.name)).not.toContain('vt-private');
    expect(m.groupTypes.map((t: any) => t.name)).toContain('generic');
    expect(vt).toBeTruthy();
  });
});
