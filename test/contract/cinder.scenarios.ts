// GraphQL scenarios over Cinder that must hold against the simulator (npm test) and against a real Cinder
// (npm run test:openstack). Fixtures go through Cinder's own REST API; where real Cinder has no scheduler or
// backend, the target's `afterScheduling` hook writes what a scheduler would have (real) or nothing (simulator).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Facade } from '../helpers/facade.js';
import { waitFor } from '../helpers/facade.js';
import type { RestCall } from '../helpers/rest.js';

export interface CinderTarget {
  kind: 'simulator' | 'real';
  facade: Facade;
  /** Admin REST access to the same Cinder, at microversion 3.70. */
  rest: RestCall;
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

      // A group with snapshots cannot be deleted: Cinder says 400, the facade says BAD_USER_INPUT.
      const refused = await t.facade.gql(`mutation($id: ID!) { deleteGroup(input: { id: $id }) { id } }`, { id: gid });
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
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
