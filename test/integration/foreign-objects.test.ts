// An admin's lookup by id of another project's object (found against real Cinder and Manila): its children are
// read across projects, filtered to it, so they are the object's own, never an empty list from the admin's project.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { SEED_IDS } from '../../src/simulator/manila/seed.js';
import { BETA_PROJECT, DEMO_PROJECT } from '../../src/simulator/identity.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const owner = `member:${DEMO_PROJECT.id}`;
const otherAdmin = `admin:${BETA_PROJECT.id}`;

const CINDER = `{
  group(id: "${SEED.groups.dbClusterProd}") { project { name } volumes { id } snapshots { totalCount nodes { id } } }
  groupSnapshot(id: "${SEED.groupSnapshots.dbNightly}") { volumeSnapshots { id } }
}`;
const MANILA = `{
  shareGroup(id: "${SEED_IDS.shareGroups.dbCluster}") { project { name } shares { id } snapshots { totalCount nodes { id } } }
}`;

const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();

describe("an admin's lookup of another project's object", () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' });
  });
  afterAll(() => f.close());

  it('Cinder: a group and a group snapshot of another project show their own children, read by filter', async () => {
    const truth = await f.ok<any>(CINDER, undefined, { token: owner });
    expect(truth.group.volumes.length).toBeGreaterThan(0);
    expect(truth.group.snapshots.totalCount).toBeGreaterThan(0);
    expect(truth.groupSnapshot.volumeSnapshots.length).toBeGreaterThan(0);
    const sim = f.app.simulators.cinder!;
    const before = sim.calls.length;
    const seen = await f.ok<any>(CINDER, undefined, { token: otherAdmin });
    expect(seen.group.project.name).toBe('demo');
    expect(ids(seen.group.volumes)).toEqual(ids(truth.group.volumes));
    expect(seen.group.snapshots.totalCount).toBe(truth.group.snapshots.totalCount);
    expect(ids(seen.group.snapshots.nodes)).toEqual(ids(truth.group.snapshots.nodes));
    expect(ids(seen.groupSnapshot.volumeSnapshots)).toEqual(ids(truth.groupSnapshot.volumeSnapshots));
    // Every listing read across projects names the one parent it is for: nothing else is read.
    const across = sim.calls.slice(before).filter((c: any) => decodeURIComponent(c.url).includes('all_tenants'));
    expect(across.length).toBeGreaterThan(0);
    for (const c of across) expect(decodeURIComponent(c.url)).toMatch(/group_id=|group_snapshot_id=/);
  });

  it("Manila: a share group of another project shows its own shares and snapshots", async () => {
    const truth = await f.ok<any>(MANILA, undefined, { token: owner });
    expect(truth.shareGroup.snapshots.totalCount).toBeGreaterThan(0);
    expect(truth.shareGroup.shares.length).toBeGreaterThan(0);
    const seen = await f.ok<any>(MANILA, undefined, { token: otherAdmin });
    expect(seen.shareGroup.project.name).toBe('demo');
    expect(seen.shareGroup.snapshots.totalCount).toBe(truth.shareGroup.snapshots.totalCount);
    expect(ids(seen.shareGroup.shares)).toEqual(ids(truth.shareGroup.shares));
  });

  it("the admin's own project's groups still read project-scoped listings, without all_tenants", async () => {
    const sim = f.app.simulators.cinder!;
    const before = sim.calls.length;
    await f.ok<any>('{ groups(first: 3) { nodes { volumes { id } snapshots { totalCount } } } }', undefined, { token: `admin:${DEMO_PROJECT.id}` });
    const across = sim.calls.slice(before).filter((c: any) => decodeURIComponent(c.url).includes('all_tenants'));
    expect(across).toEqual([]);
  });
});
