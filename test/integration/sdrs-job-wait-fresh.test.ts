// job(id, waitSeconds) shows the group (and its members) as the job left it, even when a sibling field of the same
// request read them before the wait ended: the tester saw SUCCESS with a group still CREATING, and DELETING for a
// deleted group, when a protectionGroups listing sat beside the job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SDRS_SEED_GROUPS as G, SDRS_SIM_DOMAIN, type startSdrsSimulator } from '../../src/simulator/sdrs/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';

type SdrsSim = Awaited<ReturnType<typeof startSdrsSimulator>>;
const NO_CINDER = { CINDER_URL: 'http://127.0.0.1:9/v3/8a1f2c3d4e5f40718293a4b5c6d7e8f9' };

/** The job, waited for, beside a listing and a by-id read of its group: both are read before the wait ends. */
const JOB_BESIDE_GROUP = `query($job: ID!, $group: ID!) {
  job(id: $job, waitSeconds: 10) { status finished protectionGroup { id status replicationPairs { nodes { status } } } }
  protectionGroups(first: 50) { nodes { id status replicationPairs { nodes { status } } } }
  protectionGroup(id: $group) { id status }
}`;

describe('job(id, waitSeconds) reads its group again after the wait', () => {
  let f: Facade;
  const sim = () => f.app.simulators.sdrs as SdrsSim;

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'sdrs', ...NO_CINDER }, { sdrs: { jobStepMs: 150 } });
  });
  afterAll(() => f.close());

  it('a create job: the group is AVAILABLE once the job is SUCCESS, not the CREATING a sibling field read', async () => {
    const c = await f.ok<any>(`mutation($in: CreateProtectionGroupInput!) { createProtectionGroup(input: $in) { jobId job { entities { protectionGroupId } } } }`, {
      in: { name: 'pg-list', sourceAvailabilityZone: 'cn-north-4a', targetAvailabilityZone: 'cn-north-4b', domainId: SDRS_SIM_DOMAIN.id, sourceVpcId: '1a5b2c74-6d9e-4fb0-8b3c-4d5e6f708192' },
    });
    const id = c.createProtectionGroup.job.entities.protectionGroupId;
    const d = await f.ok<any>(JOB_BESIDE_GROUP, { job: c.createProtectionGroup.jobId, group: id });
    // The siblings read the group while the job ran: that is what makes this test able to fail.
    expect(d.protectionGroup).toEqual({ id, status: 'CREATING' });
    expect(d.protectionGroups.nodes.find((g: { id: string }) => g.id === id)?.status).toBe('CREATING');
    expect(d.job).toMatchObject({ status: 'SUCCESS', finished: true, protectionGroup: { id, status: 'AVAILABLE' } });
  });

  it('a delete job: the group is null once the job is SUCCESS, not the DELETING a sibling field read', async () => {
    const del = await f.ok<any>(`mutation($id: ID!) { deleteProtectionGroup(input: { id: $id }) { jobId } }`, { id: G.sandboxEmpty });
    const d = await f.ok<any>(JOB_BESIDE_GROUP, { job: del.deleteProtectionGroup.jobId, group: G.sandboxEmpty });
    expect(d.protectionGroup).toEqual({ id: G.sandboxEmpty, status: 'DELETING' });
    expect(d.job).toMatchObject({ status: 'SUCCESS', finished: true, protectionGroup: null });
    expect(sim().state.groups.has(G.sandboxEmpty)).toBe(false);
  });

  it("a stop job: the group's replication pairs are read again too, as the job left them", async () => {
    const stop = await f.ok<any>(`mutation($id: ID!) { stopProtection(input: { id: $id }) { jobId } }`, { id: G.erpProd });
    const d = await f.ok<any>(JOB_BESIDE_GROUP, { job: stop.stopProtection.jobId, group: G.erpProd });
    const listed = d.protectionGroups.nodes.find((g: { id: string }) => g.id === G.erpProd);
    expect(listed.replicationPairs.nodes.map((p: { status: string }) => p.status)).toContain('STOPPING');
    const pg = d.job.protectionGroup;
    expect(pg.replicationPairs.nodes.length).toBeGreaterThan(0);
    expect(new Set(pg.replicationPairs.nodes.map((p: { status: string }) => p.status))).toEqual(new Set(['AVAILABLE']));
    expect(pg.status).toBe('AVAILABLE');
  });
});
