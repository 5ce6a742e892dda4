// GraphQL scenarios over Cinder that must hold against the simulator (npm test) and against a real Cinder
// (npm run test:openstack). Fixtures go through Cinder's own REST API; where real Cinder has no scheduler or
// backend, the target's `afterScheduling` hook writes what a scheduler would have (real) or nothing (simulator).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Facade } from '../helpers/facade.js';
import { waitFor } from '../helpers/facade.js';
import type { RestCall } from '../helpers/rest.js';
import { createContext } from '../../src/context.js';
import { cinderQuotaFields, cinderZones } from '../../src/resolvers/cinder/portal.js';

export interface CinderTarget {
  kind: 'simulator' | 'real';
  facade: Facade;
  /** Admin REST access to the same Cinder, at microversion 3.70. */
  rest: RestCall;
  /** The token the facade is called with (null: the simulator's demo admin). */
  token?: string | null;
  /** The project the facade's Cinder endpoint names. */
  projectId: string;
  /** Make groups and volumes look scheduled (host set, volumes available), as a backend would. */
  afterScheduling(groupIds: string[], volumeIds: string[]): Promise<void>;
  close(): Promise<void>;
}

const GROUP_FIELDS = `id name description status rawStatus createdAt availabilityZone
  groupType { id name } volumeTypes { id name } replicationStatus`;

export function cinderScenarios(label: string, makeTarget: () => Promise<CinderTarget>): void {
  describe(`Cinder scenarios (${label})`, () => {
    let t: CinderTarget;
    const tag = `gg-${randomUUID().slice(0, 8)}`;
    let volumeTypeId: string;
    let groupTypeId: string;

    async function createGroupViaFacade(name: string, typeId = groupTypeId): Promise<string> {
      const data = await t.facade.ok<any>(
        `mutation($input: CreateGroupInput!) { createGroup(input: $input) { group { ${GROUP_FIELDS} } } }`,
        { input: { groupTypeId: typeId, volumeTypeIds: [volumeTypeId], name, description: 'made by the contract suite' } },
      );
      const group = data.createGroup.group;
      expect(group.name).toBe(name);
      expect(['CREATING', 'AVAILABLE']).toContain(group.status);
      return group.id as string;
    }

    /** Real Cinder has no scheduler here, so a new group stays `creating`: move it with the admin action. */
    async function makeAvailable(id: string): Promise<void> {
      await waitFor(
        () => t.facade.ok<any>(`query($id: ID!) { group(id: $id) { status } }`, { id }),
        (d) => d.group.status !== 'CREATING',
        t.kind === 'simulator' ? 3_000 : 500,
      );
      const data = await t.facade.ok<any>(
        `mutation($id: ID!) { resetGroupStatus(input: { id: $id, status: AVAILABLE }) { group { id status } } }`,
        { id },
      );
      expect(data.resetGroupStatus.group.status).toBe('AVAILABLE');
    }

    beforeAll(async () => {
      t = await makeTarget();
      const vt = await t.rest('POST', '/types', {
        volume_type: { name: `${tag}-vt`, extra_specs: { replication_enabled: '<is> True' } },
      });
      volumeTypeId = vt.json.volume_type.id;
      const gt = await t.rest('POST', '/group_types', {
        group_type: { name: `${tag}-gt`, group_specs: { consistent_group_snapshot_enabled: '<is> True' } },
      });
      groupTypeId = gt.json.group_type.id;
    });

    afterAll(async () => {
      await t?.close();
    });

    it('reports where Cinder comes from', async () => {
      const data = await t.facade.ok<any>('{ about { services { name mode } } }');
      const cinder = data.about.services.find((s: any) => s.name === 'cinder');
      expect(cinder.mode).toBe(t.kind === 'real' ? 'REAL' : 'SIMULATED');
    });

    it('creates a group, reads it back with its types, and updates it', async () => {
      const id = await createGroupViaFacade(`${tag}-create`);
      await makeAvailable(id);
      const read = await t.facade.ok<any>(`query($id: ID!) { group(id: $id) { ${GROUP_FIELDS} volumes { id } } }`, { id });
      expect(read.group).toMatchObject({
        id,
        name: `${tag}-create`,
        status: 'AVAILABLE',
        groupType: { id: groupTypeId, name: `${tag}-gt` },
        volumeTypes: [{ id: volumeTypeId, name: `${tag}-vt` }],
        volumes: [],
      });
      expect(read.group.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

      const upd = await t.facade.ok<any>(
        `mutation($id: ID!) { updateGroup(input: { id: $id, name: "${tag}-renamed", description: "new words" }) { group { id name description } } }`,
        { id },
      );
      expect(upd.updateGroup.group).toEqual({ id, name: `${tag}-renamed`, description: 'new words' });
    });

    it('returns null without an error for an id that does not exist', async () => {
      const r = await t.facade.gql(`query($id: ID!) { group(id: $id) { id } groupSnapshot(id: $id) { id } }`, {
        id: randomUUID(),
      });
      expect(r.errors).toBeUndefined();
      expect(r.data).toEqual({ group: null, groupSnapshot: null });
    });

    it('rejects a hostile id with BAD_USER_INPUT and still answers the sibling field', async () => {
      const id = await createGroupViaFacade(`${tag}-sibling`);
      const r = await t.facade.gql(`query($id: ID!) { ok: group(id: $id) { id } bad: group(id: "../../x") { id } }`, { id });
      expect(r.data).toEqual({ ok: { id }, bad: null });
      expect(r.errors).toHaveLength(1);
      expect(r.errors?.[0]?.path).toEqual(['bad']);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('pages through groups with cursors, each group exactly once', async () => {
      const mine = new Set<string>();
      for (let i = 0; i < 5; i++) mine.add(await createGroupViaFacade(`${tag}-page-${i}`));
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      // A long-lived test cloud accumulates groups: about 20 pages whatever it holds (at least 2 per page).
      const total: number = (await t.facade.ok<any>('{ groups(first: 1) { totalCount } }')).groups.totalCount;
      const size = Math.max(2, Math.ceil(total / 20));
      do {
        const d: any = await t.facade.ok(
          `query($after: String, $n: Int) { groups(first: $n, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
          { after, n: size },
        );
        seen.push(...d.groups.edges.map((e: any) => e.node.id));
        expect(d.groups.edges.length).toBeLessThanOrEqual(size);
        after = d.groups.pageInfo.hasNextPage ? d.groups.pageInfo.endCursor : null;
        pages++;
        expect(pages).toBeLessThan(500);
      } while (after);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of mine) expect(seen).toContain(id);
      expect(total).toBe(seen.length);
    });

    it('filters groups by name', async () => {
      const id = await createGroupViaFacade(`${tag}-filtered`);
      const d = await t.facade.ok<any>(`{ groups(filter: { name: "${tag}-filtered" }) { nodes { id name } totalCount } }`);
      expect(d.groups.nodes).toEqual([{ id, name: `${tag}-filtered` }]);
    });

    it('first: 0 shows no group, counts them, and says whether any lie ahead', async () => {
      const id = await createGroupViaFacade(`${tag}-zero`);
      const q = `query($after: String, $n: Int) { groups(first: $n, after: $after, filter: { name: "${tag}-zero" }) {
        totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`;
      const none = await t.facade.ok<any>(q, { n: 0 });
      expect(none.groups).toEqual({ totalCount: 1, nodes: [], pageInfo: { hasNextPage: true, endCursor: null } });
      const one = await t.facade.ok<any>(q, { n: 1 });
      expect(one.groups.nodes).toEqual([{ id }]);
      const atEnd = await t.facade.ok<any>(q, { n: 0, after: one.groups.pageInfo.endCursor });
      expect(atEnd.groups.pageInfo.hasNextPage).toBe(false);
      // With the items' fields asked, one group is read: the filter and the marker as with any page.
      const shown = await t.facade.ok<any>(q.replace('totalCount nodes { id }', 'nodes { id name }'), { n: 0 });
      expect(shown.groups.nodes).toEqual([]);
    });

    it('group_id takes a list: one volume listing answers several groups (the planner relies on it)', async () => {
      const gids: string[] = [];
      const vids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const gid = await createGroupViaFacade(`${tag}-in-${i}`);
        await makeAvailable(gid);
        gids.push(gid);
      }
      await t.afterScheduling(gids, []);
      for (const gid of gids) {
        const v = await t.rest('POST', '/volumes', { volume: { size: 1, name: `${tag}-in-vol`, volume_type: volumeTypeId, group_id: gid } });
        vids.push(v.json.volume.id);
      }
      await t.afterScheduling([], vids);
      const listed = async (value: string) => {
        const r = await t.rest('GET', `/volumes/detail?group_id=${encodeURIComponent(value)}`);
        expect(r.status).toBe(200);
        return (r.json.volumes as { id: string; group_id: string }[]).map((v) => `${v.group_id} ${v.id}`).sort();
      };
      const both = gids.map((g, i) => `${g} ${vids[i]}`).sort();
      expect(await listed(JSON.stringify(gids))).toEqual(both); // the form the facade sends
      expect(await listed(`('${gids[0]}', '${gids[1]}')`)).toEqual(both);
      expect(await listed(JSON.stringify([gids[1]]))).toEqual([`${gids[1]} ${vids[1]}`]);
      expect(await listed(gids[0]!)).toEqual([`${gids[0]} ${vids[0]}`]);
      // And through the facade, a page holding both groups links each volume to its own group. Cinder lists the
      // newest groups first, so a short page holds them however many groups earlier runs left in the project (a
      // page of 1000 with list_volume=true took real Cinder over five seconds once it held 500 groups).
      const d = await t.facade.ok<any>(`{ groups(first: 20) { nodes { id volumes { id group { id } } } } }`);
      for (const [i, gid] of gids.entries()) {
        const g = d.groups.nodes.find((n: any) => n.id === gid);
        expect(g.volumes).toEqual([{ id: vids[i], group: { id: gid } }]);
      }
    });

    it('links volumes, snapshots and groups both ways, and snapshot mutations work', async () => {
      const gid = await createGroupViaFacade(`${tag}-snap`);
      await makeAvailable(gid);
      // Cinder only puts volumes into a group that a scheduler has placed on a host.
      await t.afterScheduling([gid], []);
      const vols: string[] = [];
      for (let i = 0; i < 2; i++) {
        const v = await t.rest('POST', '/volumes', {
          volume: { size: 1, name: `${tag}-vol-${i}`, volume_type: volumeTypeId, group_id: gid },
        });
        vols.push(v.json.volume.id);
      }
      await t.afterScheduling([], vols);
      const g = await waitFor(
        () => t.facade.ok<any>(`query($id: ID!) { group(id: $id) { volumes { id name group { id } } } }`, { id: gid }),
        (d) => d.group.volumes.length === 2,
      );
      expect(g.group.volumes.map((v: any) => v.id).sort()).toEqual([...vols].sort());
      expect(g.group.volumes.every((v: any) => v.group.id === gid)).toBe(true);

      const created = await t.facade.ok<any>(
        `mutation($gid: ID!) { createGroupSnapshot(input: { groupId: $gid, name: "${tag}-gs" }) { groupSnapshot { id name status group { id } groupType { id } } } }`,
        { gid },
      );
      const snap = created.createGroupSnapshot.groupSnapshot;
      expect(snap).toMatchObject({ name: `${tag}-gs`, group: { id: gid }, groupType: { id: groupTypeId } });
      expect(['CREATING', 'AVAILABLE']).toContain(snap.status);

      // One volume snapshot per volume, named as the group snapshot, linked back both ways.
      const members = await t.facade.ok<any>(
        `query($id: ID!) { groupSnapshot(id: $id) { volumeSnapshots { name size status rawStatus groupSnapshot { id } volume { id group { id } } } } }`,
        { id: snap.id },
      );
      const vs = members.groupSnapshot.volumeSnapshots;
      expect(vs.map((s: any) => s.volume.id).sort()).toEqual([...vols].sort());
      for (const s of vs) {
        expect(s).toMatchObject({ name: `${tag}-gs`, size: 1, groupSnapshot: { id: snap.id }, volume: { group: { id: gid } } });
        expect(['CREATING', 'AVAILABLE']).toContain(s.status);
      }

      const listed = await t.facade.ok<any>(
        `query($gid: ID!) { groupSnapshots(filter: { groupId: $gid }) { nodes { id } totalCount }
          group(id: $gid) { snapshots(first: 5) { nodes { id name } totalCount pageInfo { hasNextPage } } } }`,
        { gid },
      );
      expect(listed.groupSnapshots.nodes).toEqual([{ id: snap.id }]);
      expect(listed.group.snapshots.nodes).toEqual([{ id: snap.id, name: `${tag}-gs` }]);
      expect(listed.group.snapshots.pageInfo.hasNextPage).toBe(false);

      const reset = await t.facade.ok<any>(
        `mutation($id: ID!) { resetGroupSnapshotStatus(input: { id: $id, status: AVAILABLE }) { groupSnapshot { status } } }`,
        { id: snap.id },
      );
      expect(reset.resetGroupSnapshotStatus.groupSnapshot.status).toBe('AVAILABLE');

      // A group with snapshots cannot be deleted: Cinder says 400 "Invalid Group: …", a wrong state: CONFLICT.
      const refused = await t.facade.gql(`mutation($id: ID!) { deleteGroup(input: { id: $id }) { id } }`, { id: gid });
      expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(refused.errors?.[0]?.message).toBe('Invalid Group: Group has existing snapshots.');
      expect(refused.errors?.[0]?.extensions?.upstream).toMatchObject({ service: 'cinder', status: 400 });

      const del = await t.facade.ok<any>(
        `mutation($id: ID!) { deleteGroupSnapshot(input: { id: $id }) { id groupSnapshot { id status } } }`,
        { id: snap.id },
      );
      expect(del.deleteGroupSnapshot.id).toBe(snap.id);
      if (del.deleteGroupSnapshot.groupSnapshot) expect(del.deleteGroupSnapshot.groupSnapshot.status).toBe('DELETING');
    });

    it('deletes a group', async () => {
      const id = await createGroupViaFacade(`${tag}-delete`);
      await makeAvailable(id);
      const d = await t.facade.ok<any>(
        `mutation($id: ID!) { deleteGroup(input: { id: $id, deleteVolumes: true }) { id group { status } } }`,
        { id },
      );
      expect(d.deleteGroup.id).toBe(id);
      if (d.deleteGroup.group) expect(['DELETING', 'DELETED']).toContain(d.deleteGroup.group.status);
    });

    it('refuses replication on a group type that cannot replicate, with the upstream message', async () => {
      const id = await createGroupViaFacade(`${tag}-norep`);
      await makeAvailable(id);
      const r = await t.facade.gql(`mutation($id: ID!) { enableGroupReplication(input: { id: $id }) { group { id } } }`, { id });
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.extensions?.upstream?.status).toBe(400);
      expect(r.errors?.[0]?.message.length).toBeGreaterThan(10);
    });

    it('replication targets expose only backendId, or fail as one field with partial data', async () => {
      const rep = await t.rest('POST', '/group_types', {
        group_type: { name: `${tag}-rep`, group_specs: { group_replication_enabled: '<is> True' } },
      });
      const id = await createGroupViaFacade(`${tag}-targets`, rep.json.group_type.id);
      const r = await t.facade.gql(`query($id: ID!) { group(id: $id) { name replicationTargets { backendId } } }`, { id });
      expect(r.data?.group?.name).toBe(`${tag}-targets`);
      if (t.kind === 'real') {
        // No volume service answers the synchronous RPC, so cinder-api gives a 500 after rpc_response_timeout.
        expect(r.errors?.[0]).toMatchObject({
          path: ['group', 'replicationTargets'],
          extensions: { code: 'UPSTREAM_ERROR', upstream: { service: 'cinder', status: 500 } },
        });
      } else {
        expect(r.errors).toBeUndefined();
        expect(r.data?.group.replicationTargets.length).toBeGreaterThan(0);
        // The simulator, like Cinder for admins, also returns backend credentials: none may reach the client.
        expect(r.raw).not.toMatch(/password|san_/i);
      }
    });

    it('createGroupFromSource refuses zero or two sources before calling Cinder', async () => {
      const r = await t.facade.gql(`mutation { createGroupFromSource(input: { name: "x" }) { group { id } } }`);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('creates a volume, finds it with the filters a member may use, and deletes it (never scheduled: gone at once)', async () => {
      const made = await t.facade.ok<any>(
        `mutation($in: CreateVolumeInput!) { createVolume(input: $in) { volume { id name size status availabilityZone volumeType { id } group { id } zone { name } } } }`,
        { in: { name: `${tag}-vol-alone`, size: 1, volumeTypeId } },
      );
      const v = made.createVolume.volume;
      expect(v).toMatchObject({ name: `${tag}-vol-alone`, size: 1, volumeType: { id: volumeTypeId }, group: null, availabilityZone: 'nova' });
      expect(['creating', 'available']).toContain(v.status);
      // The zone link is the zone as Cinder lists it (real Cinder without a volume service lists none).
      const zones = (await t.rest('GET', '/os-availability-zone')).json.availabilityZoneInfo as { zoneName: string }[];
      expect(v.zone).toEqual(zones.some((z) => z.zoneName === 'nova') ? { name: 'nova' } : null);
      // Nothing schedules it on real Cinder (it stays creating); the simulator's is available in a moment.
      const status = t.kind === 'real' ? 'creating' : 'available';
      await waitFor(
        () => t.facade.ok<any>(`query($id: ID!) { volume(id: $id) { status } }`, { id: v.id }),
        (d) => d.volume.status === status,
        3_000,
        20,
      );
      const found = await t.facade.ok<any>(
        `query($name: String!, $status: String!) { volumes(filter: { name: $name, status: $status, availabilityZone: "nova", bootable: false }) { totalCount nodes { id } } }`,
        { name: `${tag}-vol-alone`, status },
      );
      expect(found.volumes).toEqual({ totalCount: 1, nodes: [{ id: v.id }] });
      const del = await t.facade.ok<any>(`mutation($id: ID!) { deleteVolume(input: { id: $id }) { id volume { status } } }`, { id: v.id });
      expect(del.deleteVolume.id).toBe(v.id);
      if (del.deleteVolume.volume) expect(del.deleteVolume.volume.status).toBe('deleting');
      if (t.kind === 'real') expect(del.deleteVolume.volume).toBeNull();
    });

    it('creates a volume into a placed group, and refuses a group in the wrong state with CONFLICT', async () => {
      const gid = await createGroupViaFacade(`${tag}-fill`);
      await makeAvailable(gid);
      await t.afterScheduling([gid], []);
      const CREATE = `mutation($in: CreateVolumeInput!) { createVolume(input: $in) { volume { id status group { id name } volumeType { id } } } }`;
      const made = await t.facade.ok<any>(CREATE, { in: { name: `${tag}-fill-vol`, size: 1, volumeTypeId, groupId: gid } });
      expect(made.createVolume.volume).toMatchObject({ group: { id: gid, name: `${tag}-fill` }, volumeType: { id: volumeTypeId } });
      await t.afterScheduling([], [made.createVolume.volume.id]);
      const g = await waitFor(
        () => t.facade.ok<any>(`query($id: ID!) { group(id: $id) { volumes { id } } }`, { id: gid }),
        (d) => d.group.volumes.length === 1,
      );
      expect(g.group.volumes).toEqual([{ id: made.createVolume.volume.id }]);
      // Listed by group, as a member may filter.
      const listed = await t.facade.ok<any>(`query($g: ID!) { volumes(filter: { groupId: $g }) { nodes { id } } }`, { g: gid });
      expect(listed.volumes.nodes).toEqual([{ id: made.createVolume.volume.id }]);
      // A volume in a group cannot be deleted on its own: CONFLICT with Cinder's message.
      const inGroup = await t.facade.gql(`mutation($id: ID!) { deleteVolume(input: { id: $id }) { id } }`, { id: made.createVolume.volume.id });
      expect(inGroup.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { service: 'cinder', status: 400 } });
      expect(inGroup.errors?.[0]?.message).toMatch(/belong to a group/);
      await t.facade.ok(`mutation($id: ID!) { resetGroupStatus(input: { id: $id, status: ERROR }) { group { id } } }`, { id: gid });
      const refused = await t.facade.gql(CREATE, { in: { size: 1, volumeTypeId, groupId: gid } });
      expect(refused.errors?.[0]).toMatchObject({
        message: "Invalid Group: Originating group status must be one of 'available, creating' values",
        extensions: { code: 'CONFLICT', upstream: { service: 'cinder', status: 400 } },
      });
    });

    it('administers a group type as admin: create, update, set and unset specs, delete; in use and taken names are CONFLICT', async () => {
      const made = await t.facade.ok<any>(
        `mutation($name: String!) { createGroupType(input: { name: $name, description: "by the contract suite", groupSpecs: [{ key: "consistent_group_snapshot_enabled", value: "<is> True" }] }) {
          groupType { id name description isPublic groupSpecs { key value } } } }`,
        { name: `${tag}-adm` },
      );
      const gt = made.createGroupType.groupType;
      expect(gt).toMatchObject({ name: `${tag}-adm`, description: 'by the contract suite', isPublic: true });
      expect(gt.groupSpecs).toEqual([{ key: 'consistent_group_snapshot_enabled', value: '<is> True' }]);
      const upd = await t.facade.ok<any>(
        `mutation($id: ID!, $name: String!) { updateGroupType(input: { id: $id, name: $name, isPublic: false }) { groupType { name isPublic description } } }`,
        { id: gt.id, name: `${tag}-adm2` },
      );
      expect(upd.updateGroupType.groupType).toEqual({ name: `${tag}-adm2`, isPublic: false, description: 'by the contract suite' });
      const set = await t.facade.ok<any>(
        `mutation($id: ID!) { setGroupTypeSpecs(input: { id: $id, specs: [{ key: "gg:a", value: "1" }, { key: "gg.b", value: "2" }] }) { groupType { groupSpecs { key value } } } }`,
        { id: gt.id },
      );
      expect(set.setGroupTypeSpecs.groupType.groupSpecs.map((s: any) => s.key).sort()).toEqual(['consistent_group_snapshot_enabled', 'gg.b', 'gg:a']);
      const unset = await t.facade.ok<any>(
        `mutation($id: ID!) { unsetGroupTypeSpecs(input: { id: $id, keys: ["gg:a", "gg.b"] }) { groupType { groupSpecs { key } } } }`,
        { id: gt.id },
      );
      expect(unset.unsetGroupTypeSpecs.groupType.groupSpecs).toEqual([{ key: 'consistent_group_snapshot_enabled' }]);
      const again = await t.facade.gql(`mutation($id: ID!) { unsetGroupTypeSpecs(input: { id: $id, keys: ["gg:a"] }) { groupType { id } } }`, { id: gt.id });
      expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const taken = await t.facade.gql(`mutation($id: ID!, $name: String!) { updateGroupType(input: { id: $id, name: $name }) { groupType { id } } }`, {
        id: gt.id,
        name: `${tag}-gt`,
      });
      expect(taken.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { status: 409 } });
      // This run's type has groups: Cinder refuses with a bare 400, which is a wrong state.
      const inUse = await t.facade.gql(`mutation($id: ID!) { deleteGroupType(input: { id: $id }) { id } }`, { id: groupTypeId });
      expect(inUse.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { status: 400 } });
      expect(inUse.errors?.[0]?.message).toMatch(/^Target group type is still in use\./);
      const del = await t.facade.ok<any>(`mutation($id: ID!) { deleteGroupType(input: { id: $id }) { id groupType { id } } }`, { id: gt.id });
      expect(del.deleteGroupType).toEqual({ id: gt.id, groupType: null });
    });

    it('pickers: volume types, and the default group type as Cinder answers it (null when none is set)', async () => {
      const d = await t.facade.ok<any>(`{ volumeTypes { id name } defaultGroupType { id name } }`);
      expect(d.volumeTypes).toContainEqual({ id: volumeTypeId, name: `${tag}-vt` });
      const def = await t.rest('GET', '/group_types/default').then(
        (r) => r.json.group_type as { id: string; name: string },
        () => null,
      );
      expect(d.defaultGroupType).toEqual(def ? { id: def.id, name: def.name } : null);
    });

    it('a volume over the gigabytes quota is BAD_USER_INPUT with Cinder\'s reason, and nothing is made', async () => {
      const q = await t.facade.ok<any>('{ quotas { gigabytes { limit inUse reserved } } }');
      const { limit, inUse, reserved } = q.quotas.gigabytes;
      expect(limit).not.toBeNull();
      const name = `${tag}-over-quota`;
      const r = await t.facade.gql(`mutation($in: CreateVolumeInput!) { createVolume(input: $in) { volume { id } } }`, {
        in: { name, size: limit - inUse - reserved + 1, volumeTypeId },
      });
      expect(r.errors?.[0]?.extensions?.code, r.raw).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(/VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota/);
      const listed = await t.facade.ok<any>('query($name: String) { volumes(filter: { name: $name }) { nodes { id } } }', { name });
      expect(listed.volumes.nodes).toEqual([]);
    });

    it('quotas and zones as Cinder reports them: limit (-1 as null), in use and reserved', async () => {
      const path = `/os-quota-sets/${t.projectId}`;
      const before = (await t.rest('GET', path)).json.quota_set.gigabytes as number;
      await t.rest('PUT', path, { quota_set: { gigabytes: -1 } });
      try {
        const ctx = createContext(t.facade.app.upstreams, { services: [] }, t.token ?? null);
        const [groups, volumes, gigabytes, groupSnapshots, zones] = await Promise.all([
          cinderQuotaFields.groups(null, {}, ctx),
          cinderQuotaFields.volumes(null, {}, ctx),
          cinderQuotaFields.gigabytes(null, {}, ctx),
          cinderQuotaFields.groupSnapshots(null, {}, ctx),
          cinderZones(ctx),
        ]);
        const q = (await t.rest('GET', `${path}?usage=True`)).json.quota_set;
        const as = (e: { limit: number; in_use: number; reserved: number }) => ({ limit: e.limit < 0 ? null : e.limit, inUse: e.in_use, reserved: e.reserved });
        expect(groups).toEqual(as(q.groups));
        expect(volumes).toEqual(as(q.volumes));
        expect(gigabytes).toEqual({ ...as(q.gigabytes), limit: null });
        // Cinder has no group-snapshot quota: no limit, and in use is the project's group snapshots.
        expect(q.group_snapshots).toBeUndefined();
        expect(groupSnapshots.limit).toBeNull();
        expect(groupSnapshots.inUse).toBe((await t.rest('GET', '/group_snapshots?limit=1000')).json.group_snapshots.length);
        const listed = (await t.rest('GET', '/os-availability-zone')).json.availabilityZoneInfo as { zoneName: string; zoneState: { available: boolean } }[];
        expect(zones).toEqual(listed.map((z) => ({ name: z.zoneName, service: 'cinder', available: z.zoneState.available })));
      } finally {
        await t.rest('PUT', path, { quota_set: { gigabytes: before } });
      }
    });

    it('sorts groups and group snapshots by name, pages holding every one once, unnamed ones last ascending', async () => {
      const named = [`${tag}-sort-b`, `${tag}-sort-a`];
      for (const name of named) await createGroupViaFacade(name);
      // Unnamed groups: Cinder's own marker paging sorted by name skips them on PostgreSQL.
      for (let i = 0; i < 2; i++) {
        await t.facade.ok(`mutation($t: ID!, $v: [ID!]!) { createGroup(input: { groupTypeId: $t, volumeTypeIds: $v }) { group { id } } }`, {
          t: groupTypeId,
          v: [volumeTypeId],
        });
      }
      for (const field of ['groups', 'groupSnapshots'] as const) {
        for (const direction of ['ASC', 'DESC'] as const) {
          const total: number = (await t.facade.ok<any>(`{ ${field}(first: 1) { totalCount } }`))[field].totalCount;
          const size = Math.max(2, Math.ceil(total / 15));
          const names: (string | null)[] = [];
          const ids: string[] = [];
          let after: string | null = null;
          for (let pages = 0; pages < 100; pages++) {
            const d: any = await t.facade.ok(
              `query($a: String, $n: Int) { page: ${field}(first: $n, after: $a, sort: { key: NAME, direction: ${direction} }) { nodes { id name } pageInfo { hasNextPage endCursor } } }`,
              { a: after, n: size },
            );
            names.push(...d.page.nodes.map((n: any) => n.name));
            ids.push(...d.page.nodes.map((n: any) => n.id));
            if (!d.page.pageInfo.hasNextPage) break;
            after = d.page.pageInfo.endCursor;
          }
          expect(ids.length, `${field} ${direction}`).toBe(total);
          expect(new Set(ids).size).toBe(total);
          const firstNull = names.indexOf(null);
          const nulls = names.filter((n) => n === null).length;
          if (field === 'groups') expect(nulls).toBeGreaterThanOrEqual(2);
          // NULLs sort last ascending, first descending (PostgreSQL; the simulator does the same).
          if (nulls > 0) expect(firstNull).toBe(direction === 'ASC' ? total - nulls : 0);
          if (field === 'groups') {
            const mine = names.filter((n) => n === named[0] || n === named[1]);
            expect(mine).toEqual(direction === 'ASC' ? [named[1], named[0]] : [named[0], named[1]]);
          }
        }
      }
    });

    it('lists group types, including the one made for this run', async () => {
      const d = await t.facade.ok<any>(`{ groupTypes { id name isPublic } }`);
      expect(d.groupTypes).toContainEqual({ id: groupTypeId, name: `${tag}-gt`, isPublic: true });
      const one = await t.facade.ok<any>(`query($id: ID!) { groupType(id: $id) { name groupSpecs { key value } } }`, {
        id: groupTypeId,
      });
      expect(one.groupType.groupSpecs).toContainEqual({ key: 'consistent_group_snapshot_enabled', value: '<is> True' });
    });
  });
}
