// Issue 20 as a member of a project sees it, against real Keystone and the keystone-protected cinder-api that
// scripts/openstack/start.sh runs: the volume filters, the sorts and the volume snapshots of group snapshots send
// nothing Cinder refuses to a member (its resource_filters.json has no group_snapshot_id for snapshots), group type
// administration is Cinder's own 403, and quotas are the member's project's. A recording proxy in front of Cinder
// shows what was sent. What a scheduler or volume service would write is written in SQL, as in the contract suite.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { CollectionSizes, collectionSizes } from '../../src/upstreams/loaders.js';
import type { Caller } from '../../src/upstreams/caller.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { recordingProxy } from '../helpers/recordingProxy.js';
import { type RestCall, restClient } from '../helpers/rest.js';
import { openstackEnv, passwordToken, quoteList, sql } from './env.js';

const KEYS = [
  'KEYSTONE_URL',
  'CINDER_KEYSTONE_URL',
  'OPENSTACK_PG_URL',
  'GG_ALPHA_PROJECT_ID',
  'GG_ALPHA_MEMBER_USER',
  'GG_ALPHA_MEMBER_PASSWORD',
  'GG_ALPHA_ADMIN_USER',
  'GG_ALPHA_ADMIN_PASSWORD',
];

describe('Cinder for a portal, as a member (real Keystone and Cinder)', () => {
  let env: Record<string, string>;
  let facade: Facade;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let member: string;
  let admin: RestCall;
  let groupId: string;
  let groupSnapshotId: string;
  const volumeIds: string[] = [];
  const tag = `gg-mem-${Date.now().toString(36)}`;
  const sent = () => proxy.calls.map((c) => decodeURIComponent(c.path.replace(/^\/v3\/[0-9a-f]+/, '')));
  const gql = <T = any>(q: string, v?: Record<string, unknown>) => facade.ok<T>(q, v, { token: member });

  beforeAll(async () => {
    env = openstackEnv(KEYS);
    const project = env.GG_ALPHA_PROJECT_ID!;
    member = await passwordToken(env.KEYSTONE_URL!, env.GG_ALPHA_MEMBER_USER!, env.GG_ALPHA_MEMBER_PASSWORD!, project);
    const adminToken = await passwordToken(env.KEYSTONE_URL!, env.GG_ALPHA_ADMIN_USER!, env.GG_ALPHA_ADMIN_PASSWORD!, project);
    const template = env.CINDER_KEYSTONE_URL!;
    admin = restClient(template.replace('{project_id}', project), adminToken, { 'openstack-api-version': 'volume 3.70' });
    const origin = new URL(template.replace('{project_id}', 'x')).origin;
    proxy = await recordingProxy(origin);
    facade = await startFacade({ KEYSTONE_URL: env.KEYSTONE_URL!, CINDER_URL: template.replace(origin, proxy.origin) });

    // Public types an operator made; the member makes the rest through the facade.
    const vt = (await admin('POST', '/types', { volume_type: { name: `${tag}-vt` } })).json.volume_type.id as string;
    const gt = (await admin('POST', '/group_types', { group_type: { name: `${tag}-gt` } })).json.group_type.id as string;
    const made = await gql(`mutation($t: ID!, $v: ID!, $n: String!) { createGroup(input: { groupTypeId: $t, volumeTypeIds: [$v], name: $n }) { group { id } } }`, {
      t: gt,
      v: vt,
      n: `${tag}-g`,
    });
    groupId = made.createGroup.group.id;
    // What the scheduler would write: the group placed and available.
    sql(env.OPENSTACK_PG_URL!, 'cinder', `UPDATE groups SET host='groupgraph-ci@fake#pool', status='available' WHERE id IN (${quoteList([groupId])})`);
    for (const name of [`${tag}-b`, `${tag}-a`]) {
      const v = await gql(`mutation($in: CreateVolumeInput!) { createVolume(input: $in) { volume { id status group { id } } } }`, {
        in: { name, size: 1, volumeTypeId: vt, groupId },
      });
      expect(v.createVolume.volume).toMatchObject({ status: 'creating', group: { id: groupId } });
      volumeIds.push(v.createVolume.volume.id);
    }
    // What the volume service would write once it made them.
    sql(env.OPENSTACK_PG_URL!, 'cinder', `UPDATE volumes SET host='groupgraph-ci@fake#pool', status='available' WHERE id IN (${quoteList(volumeIds)})`);
    const gs = await gql(`mutation($g: ID!, $n: String!) { createGroupSnapshot(input: { groupId: $g, name: $n }) { groupSnapshot { id } } }`, {
      g: groupId,
      n: `${tag}-gs`,
    });
    groupSnapshotId = gs.createGroupSnapshot.groupSnapshot.id;
  });

  afterAll(async () => {
    await facade?.close();
    await proxy?.close();
  });

  it('lists volumes with every filter a member may use, and counts them, without a refusal', async () => {
    proxy.calls.length = 0;
    const d = await gql(
      `query($g: ID!) { volumes(filter: { groupId: $g, status: "available", availabilityZone: "nova", bootable: false }) { totalCount nodes { id name group { id } } } }`,
      { g: groupId },
    );
    expect(d.volumes.nodes.map((v: any) => v.name).sort()).toEqual([`${tag}-a`, `${tag}-b`]);
    expect(d.volumes.totalCount).toBe(2);
    const byName = await gql(`query($n: String!) { volumes(filter: { name: $n }) { nodes { id } } }`, { n: `${tag}-a` });
    expect(byName.volumes.nodes).toHaveLength(1);
    expect(sent().some((p) => p.includes('name~'))).toBe(false);
  });

  it('reads a group snapshot\'s volume snapshots from the project listing, never with a filter Cinder refuses a member', async () => {
    proxy.calls.length = 0;
    const d = await gql(
      `query($g: ID!) { groupSnapshots(filter: { groupId: $g }) { nodes { id volumeSnapshots { name status volume { id } groupSnapshot { id } } } } }`,
      { g: groupId },
    );
    const [gs] = d.groupSnapshots.nodes;
    expect(gs.id).toBe(groupSnapshotId);
    expect(gs.volumeSnapshots.map((s: any) => s.volume.id).sort()).toEqual([...volumeIds].sort());
    expect(gs.volumeSnapshots.every((s: any) => s.name === `${tag}-gs` && s.groupSnapshot.id === groupSnapshotId)).toBe(true);
    expect(sent().filter((p) => p.startsWith('/snapshots'))).toEqual(['/snapshots/detail?limit=1000']);
  });

  it('past the listing budget a member\'s filter is refused by Cinder once; the answer is the same, and the next one asks no more', async () => {
    const caller = { token: member } as Caller;
    // The project's snapshot listing as if found over budget by any of its callers (sizes are the project's).
    const endpoint = env.CINDER_KEYSTONE_URL!.replace(new URL(env.CINDER_KEYSTONE_URL!.replace('{project_id}', 'x')).origin, proxy.origin);
    const sizeKey = CollectionSizes.ofProject('cinder', 'snapshots', endpoint.replace('{project_id}', env.GG_ALPHA_PROJECT_ID!), caller);
    collectionSizes.record(sizeKey, 50_000);
    onTestFinished(() => collectionSizes.forget(sizeKey));
    const q = `query($id: ID!) { groupSnapshot(id: $id) { volumeSnapshots { volume { id } } } }`;
    proxy.calls.length = 0;
    const first = await gql(q, { id: groupSnapshotId });
    expect(first.groupSnapshot.volumeSnapshots).toHaveLength(2);
    const snapshotCalls = sent().filter((p) => p.startsWith('/snapshots'));
    expect(snapshotCalls).toEqual([`/snapshots/detail?group_snapshot_id=${groupSnapshotId}&limit=1000`, '/snapshots/detail?limit=1000']);
    proxy.calls.length = 0;
    expect(await gql(q, { id: groupSnapshotId })).toEqual(first);
    expect(sent().filter((p) => p.startsWith('/snapshots'))).toEqual(['/snapshots/detail?limit=1000']);
  });

  it('sorts groups and group snapshots by name without a refusal', async () => {
    const d = await gql(`{ groups(first: 100, sort: { key: NAME, direction: ASC }) { nodes { name } } groupSnapshots(sort: { key: NAME }) { nodes { id } } }`);
    expect(d.groups.nodes.map((g: any) => g.name)).toContain(`${tag}-g`);
    expect(d.groupSnapshots.nodes.map((s: any) => s.id)).toContain(groupSnapshotId);
  });

  it('reads the member\'s own project quotas and Cinder\'s zones; group type administration is Cinder\'s 403', async () => {
    proxy.calls.length = 0;
    const d = await gql(`{ quotas { groups { limit inUse reserved } groupSnapshots { limit inUse } volumes { limit inUse reserved } gigabytes { limit inUse } }
      availabilityZones { name service available } }`);
    const q = (await admin('GET', `/os-quota-sets/${env.GG_ALPHA_PROJECT_ID}?usage=True`)).json.quota_set;
    const limit = (n: number) => (n < 0 ? null : n);
    expect(d.quotas.groups).toEqual({ limit: limit(q.groups.limit), inUse: q.groups.in_use, reserved: q.groups.reserved });
    expect(d.quotas.volumes).toEqual({ limit: limit(q.volumes.limit), inUse: q.volumes.in_use, reserved: q.volumes.reserved });
    expect(d.quotas.gigabytes).toEqual({ limit: limit(q.gigabytes.limit), inUse: q.gigabytes.in_use });
    expect(d.quotas.groupSnapshots.limit).toBeNull();
    expect(d.quotas.groupSnapshots.inUse).toBeGreaterThanOrEqual(1);
    const zones = (await admin('GET', '/os-availability-zone')).json.availabilityZoneInfo as { zoneName: string }[];
    expect(d.availabilityZones.filter((z: any) => z.service === 'cinder').map((z: any) => z.name)).toEqual(zones.map((z) => z.zoneName));
    // The member's own project, read once each.
    expect(sent().filter((p) => p.startsWith('/os-quota-sets'))).toEqual([`/os-quota-sets/${env.GG_ALPHA_PROJECT_ID}?usage=True`]);
    expect(sent().filter((p) => p.startsWith('/os-availability-zone'))).toHaveLength(1);
    const refused = await facade.gql(`mutation { createGroupType(input: { name: "${tag}-nope" }) { groupType { id } } }`, undefined, { token: member });
    expect(refused.errors?.[0]).toMatchObject({
      message: "Policy doesn't allow group:group_types:create to be performed.",
      extensions: { code: 'FORBIDDEN', upstream: { service: 'cinder', status: 403 } },
    });
  });
});
