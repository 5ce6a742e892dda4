// The Cinder simulator reserves quota for the volumes a group made from a source creates, as each is a volume
// create of its own in Cinder (QuotaReserveTask): from a source group, volumes and gigabytes; from a group
// snapshot, volumes only. Over a limit the copy is 413 overLimit and nothing is written. (Plain creates and their
// facade answers: test/integration/quota-refusals.test.ts.)
import { afterAll, beforeEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED, startCinderSimulator } from '../../src/simulator/cinder/index.js';
import { restClient } from '../helpers/rest.js';

type Sim = Awaited<ReturnType<typeof startCinderSimulator>>;
let sim: Sim;
const admin = () => restClient(sim.endpoint, null, { 'openstack-api-version': 'volume 3.70' });

/** POST create-from-src as the demo project's admin; the status and body whatever they are. */
async function copy(source: Record<string, string>) {
  const res = await fetch(`${sim.endpoint}/groups/action`, {
    method: 'POST',
    headers: { 'openstack-api-version': 'volume 3.70', 'content-type': 'application/json' },
    body: JSON.stringify({ 'create-from-src': { name: 'copy', ...source } }),
  });
  return { status: res.status, json: await res.json() };
}

const usage = async () => (await admin()('GET', `/os-quota-sets/${sim.state.projectId}?usage=True`)).json.quota_set;
const rows = () => ({ groups: sim.state.groups.size, volumes: sim.state.volumes.size });

describe('Cinder simulator: quotas of a group made from a source', () => {
  let seeded: Record<string, number>;
  beforeAll(async () => {
    sim = await startCinderSimulator({ transitionMs: 10 });
    seeded = { ...sim.state.quotaLimits.get(sim.state.projectId) };
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.state.quotaLimits.set(sim.state.projectId, { ...seeded }));

  it('from a source group: one volume too many is VolumeLimitExceeded, and no group or volume is written', async () => {
    const members = sim.state.groupVolumes(SEED.groups.dbClusterProd).length;
    expect(members).toBeGreaterThan(1);
    const q = await usage();
    await admin()('PUT', `/os-quota-sets/${sim.state.projectId}`, { quota_set: { volumes: q.volumes.in_use + members - 1, gigabytes: -1 } });
    const before = rows();
    const r = await copy({ source_group_id: SEED.groups.dbClusterProd });
    expect(r).toEqual({
      status: 413,
      json: { overLimit: { code: 413, message: `VolumeLimitExceeded: Maximum number of volumes allowed (${q.volumes.in_use + members - 1}) exceeded for quota 'volumes'.`, retryAfter: '0' } },
    });
    expect(rows()).toEqual(before);
  });

  it('from a source group its volumes take gigabytes; from a group snapshot they do not', async () => {
    const q = await usage();
    await admin()('PUT', `/os-quota-sets/${sim.state.projectId}`, { quota_set: { gigabytes: q.gigabytes.in_use } });
    const first = sim.state.groupVolumes(SEED.groups.dbClusterProd)[0]!;
    const fromGroup = await copy({ source_group_id: SEED.groups.dbClusterProd });
    expect(fromGroup.status).toBe(413);
    expect(fromGroup.json.overLimit.message).toBe(
      `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${first.size}G, quota is ${q.gigabytes.in_use}G and ${q.gigabytes.in_use}G has been consumed.`,
    );
    const fromSnapshot = await copy({ group_snapshot_id: SEED.groupSnapshots.dbNightly });
    expect(fromSnapshot.status).toBe(202);
  });
});
