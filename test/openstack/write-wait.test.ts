// Issue 21, item 1 against real Cinder and Manila (scripts/openstack/start.sh): no scheduler or backend runs
// behind them, so what a write starts never finishes. `waitSeconds` must then wait its time, re-reading, and
// answer with the object as it stands, unsettled; what the API itself finishes (an unscheduled volume's delete)
// answers settled.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type RestCall, restClient } from '../helpers/rest.js';
import { openstackEnv, quoteList, sql } from './env.js';

const HOST = 'groupgraph-ci@fake#pool';
const WAIT_SECONDS = 2;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

describe('waitSeconds on real Cinder and Manila', () => {
  const env = openstackEnv(['CINDER_URL', 'MANILA_URL', 'OPENSTACK_TOKEN', 'OPENSTACK_PG_URL']);
  const tag = `gg-wait-${randomUUID().slice(0, 8)}`;
  let f: Facade;
  let cinder: RestCall;
  let manila: RestCall;
  let volumeTypeId: string;
  let groupTypeId: string;

  beforeAll(async () => {
    f = await startFacade({ CINDER_URL: env.CINDER_URL!, MANILA_URL: env.MANILA_URL! }, undefined, env.OPENSTACK_TOKEN!);
    cinder = restClient(env.CINDER_URL!, env.OPENSTACK_TOKEN!, { 'openstack-api-version': 'volume 3.70' });
    manila = restClient(env.MANILA_URL!, env.OPENSTACK_TOKEN!, { 'x-openstack-manila-api-version': '2.73' });
    volumeTypeId = (await cinder('POST', '/types', { volume_type: { name: `${tag}-vt` } })).json.volume_type.id;
    const gt = await cinder('POST', '/group_types', {
      group_type: { name: `${tag}-gt`, group_specs: { consistent_group_snapshot_enabled: '<is> True' } },
    });
    groupTypeId = gt.json.group_type.id;
  });
  afterAll(() => f?.close());

  /** The id of the group snapshot of this name, once Cinder lists it. */
  async function findSnapshot(groupId: string, name: string): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const list = (await cinder('GET', `/group_snapshots?group_id=${groupId}`)).json.group_snapshots as { id: string; name: string }[];
      const hit = list.find((g) => g.name === name);
      if (hit) return hit.id;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`group snapshot ${name} never appeared`);
  }

  it('createGroup and createGroupSnapshot wait their time and answer CREATING, unsettled (nothing schedules them)', async () => {
    const made = await timed(() =>
      f.ok<any>(
        `mutation($input: CreateGroupInput!) { createGroup(input: $input) { settled group { id status } } }`,
        { input: { groupTypeId, volumeTypeIds: [volumeTypeId], name: `${tag}-g`, waitSeconds: WAIT_SECONDS } },
      ),
    );
    expect(made.value.createGroup).toMatchObject({ settled: false, group: { status: 'CREATING' } });
    expect(made.ms).toBeGreaterThanOrEqual(WAIT_SECONDS * 1000);
    expect(made.ms).toBeLessThan(WAIT_SECONDS * 1000 + 3_000);
    const gid: string = made.value.createGroup.group.id;

    // What a scheduler and the volume service would have written: the group placed and AVAILABLE, one volume in it.
    await cinder('POST', `/groups/${gid}/action`, { reset_status: { status: 'available' } });
    sql(env.OPENSTACK_PG_URL!, 'cinder', `UPDATE groups SET host='${HOST}' WHERE id IN (${quoteList([gid])})`);
    const vid = (await cinder('POST', '/volumes', { volume: { size: 1, name: `${tag}-v`, volume_type: volumeTypeId, group_id: gid } })).json
      .volume.id;
    sql(env.OPENSTACK_PG_URL!, 'cinder', `UPDATE volumes SET host='${HOST}', status='available' WHERE id IN (${quoteList([vid])})`);

    const snap = await timed(() =>
      f.ok<any>(
        `mutation($gid: ID!, $w: Int) { createGroupSnapshot(input: { groupId: $gid, name: "${tag}-gs", waitSeconds: $w }) {
           settled groupSnapshot { id status rawStatus } } }`,
        { gid, w: WAIT_SECONDS },
      ),
    );
    expect(snap.value.createGroupSnapshot).toMatchObject({ settled: false, groupSnapshot: { status: 'CREATING', rawStatus: 'creating' } });
    expect(snap.ms).toBeGreaterThanOrEqual(WAIT_SECONDS * 1000);
    expect(snap.ms).toBeLessThan(WAIT_SECONDS * 1000 + 3_000);

    // While a wait runs, the admin's reset_status (what a volume service's finish looks like to the API) ends it.
    const waiting = timed(() =>
      f.ok<any>(
        `mutation($gid: ID!) { createGroupSnapshot(input: { groupId: $gid, name: "${tag}-gs2", waitSeconds: 20 }) {
           settled groupSnapshot { status } } }`,
        { gid },
      ),
    );
    const second = await findSnapshot(gid, `${tag}-gs2`);
    await cinder('POST', `/group_snapshots/${second}/action`, { reset_status: { status: 'available' } });
    const settledOne = await waiting;
    expect(settledOne.value.createGroupSnapshot).toEqual({ settled: true, groupSnapshot: { status: 'AVAILABLE' } });
    expect(settledOne.ms).toBeLessThan(10_000);
  });

  it('deleting a volume no scheduler placed: Cinder removes it at once, so the wait answers settled with no volume', async () => {
    const vid = (await cinder('POST', '/volumes', { volume: { size: 1, name: `${tag}-lone`, volume_type: volumeTypeId } })).json.volume.id;
    const d = await timed(() =>
      f.ok<any>(`mutation($id: ID!) { deleteVolume(input: { id: $id, waitSeconds: 10 }) { id settled volume { status } } }`, { id: vid }),
    );
    expect(d.value.deleteVolume).toEqual({ id: vid, settled: true, volume: null });
    expect(d.ms).toBeLessThan(5_000);
  });

  it('createShareGroup on real Manila waits its time and answers CREATING, unsettled', async () => {
    // Send "false" as a string: a JSON false is stored as "False" but echoed as a boolean.
    const st = await manila('POST', '/types', { share_type: { name: `${tag}-st`, extra_specs: { driver_handles_share_servers: 'false' } } });
    const typeId: string = st.json.share_type.id;
    // This Manila has no default share group type: name one.
    const sgt = await manila('POST', '/share-group-types', { share_group_type: { name: `${tag}-sgt`, share_types: [typeId] } });
    const groupTypeOfShares: string = sgt.json.share_group_type.id;
    const made = await timed(() =>
      f.ok<any>(
        `mutation($t: ID!, $gt: ID!, $w: Int) {
           createShareGroup(input: { name: "${tag}-sg", shareTypeIds: [$t], shareGroupTypeId: $gt, waitSeconds: $w }) {
           settled shareGroup { id status } } }`,
        { t: typeId, gt: groupTypeOfShares, w: WAIT_SECONDS },
      ),
    );
    expect(made.value.createShareGroup).toMatchObject({ settled: false, shareGroup: { status: 'CREATING' } });
    expect(made.ms).toBeGreaterThanOrEqual(WAIT_SECONDS * 1000);
    expect(made.ms).toBeLessThan(WAIT_SECONDS * 1000 + 3_000);
  });
});
