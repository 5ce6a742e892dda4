// GraphQL scenarios over Manila that must hold against the simulator (npm test) and against a real Manila
// (npm run test:openstack). Fixtures (share type, share group type, share network, shares) go through Manila's own
// REST API; where real Manila has no scheduler or share service, the target's hooks write what a scheduler would
// have (real) or just wait for the simulator's own transitions.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Facade } from '../helpers/facade.js';
import { waitFor } from '../helpers/facade.js';
import type { RestCall } from '../helpers/rest.js';

export interface ManilaTarget {
  kind: 'simulator' | 'real';
  facade: Facade;
  /** Admin REST access to the same Manila, at microversion 2.73. */
  rest: RestCall;
  /** Make share groups look scheduled (their `host` set), as Manila's scheduler would. */
  afterScheduling(shareGroupIds: string[]): Promise<void>;
  /** A share network for the run, created through Manila's API (`POST /share-networks`) on both targets. */
  shareNetwork(name: string): Promise<{ id: string; name: string; description: string | null }>;
  /**
   * Whether shares can be created in a share group. Real manila-api without a share service has no availability
   * zone at all, so a share create in a group answers 404 "Availability zone None could not be found".
   */
  canCreateShares: boolean;
  /** Bring new shares to `available`, as the share service would. */
  sharesAvailable(shareIds: string[]): Promise<void>;
  close(): Promise<void>;
}

const GROUP_FIELDS = `id name description status rawStatus createdAt projectId availabilityZone consistentSnapshotSupport
  shareGroupType { id name } shareTypes { id name driverHandlesShareServers } shareNetwork { id name }`;

const NO_PLACEHOLDER = /%\(/;

export function manilaScenarios(label: string, makeTarget: () => Promise<ManilaTarget>): void {
  describe(`Manila scenarios (${label})`, () => {
    let t: ManilaTarget;
    const tag = `gg-${randomUUID().slice(0, 8)}`;
    let shareTypeId: string;
    let shareGroupTypeId: string;
    let shareNetworkId: string;
    // Manila refuses a share network for DHSS=false types, so groups on a network use a DHSS=true type.
    let dhssTypeId: string;
    let dhssGroupTypeId: string;
    let net: { id: string; name: string; description: string | null };

    async function createShareGroup(name: string, extra: Record<string, unknown> = {}): Promise<string> {
      const data = await t.facade.ok<any>(
        `mutation($input: CreateShareGroupInput!) { createShareGroup(input: $input) { shareGroup { ${GROUP_FIELDS} } } }`,
        { input: { shareTypeIds: [shareTypeId], shareGroupTypeId, name, description: `made by ${tag}`, ...extra } },
      );
      const g = data.createShareGroup.shareGroup;
      expect(g.name).toBe(name);
      expect(['CREATING', 'AVAILABLE']).toContain(g.status);
      return g.id as string;
    }

    const onNetwork = () => ({ shareNetworkId, shareTypeIds: [dhssTypeId], shareGroupTypeId: dhssGroupTypeId });

    /** Real Manila has no scheduler, so a new share group stays `creating`: move it with the admin action. */
    async function makeAvailable(id: string): Promise<void> {
      await waitFor(
        () => t.facade.ok<any>(`query($id: ID!) { shareGroup(id: $id) { status } }`, { id }),
        (d) => d.shareGroup.status !== 'CREATING',
        t.kind === 'simulator' ? 3_000 : 200,
        20,
      );
      const data = await t.facade.ok<any>(
        `mutation($id: ID!) { resetShareGroupStatus(input: { id: $id, status: AVAILABLE }) { shareGroup { id status rawStatus } } }`,
        { id },
      );
      expect(data.resetShareGroupStatus.shareGroup).toEqual({ id, status: 'AVAILABLE', rawStatus: 'available' });
    }

    beforeAll(async () => {
      t = await makeTarget();
      // Send "false" as a string: a JSON false is stored as "False" but echoed as a boolean.
      const st = await t.rest('POST', '/types', {
        share_type: { name: `${tag}-st`, extra_specs: { driver_handles_share_servers: 'false' } },
      });
      shareTypeId = st.json.share_type.id;
      const sgt = await t.rest('POST', '/share-group-types', {
        share_group_type: { name: `${tag}-sgt`, share_types: [shareTypeId], group_specs: { consistent_snapshot_support: 'host' } },
      });
      shareGroupTypeId = sgt.json.share_group_type.id;
      const dhss = await t.rest('POST', '/types', {
        share_type: { name: `${tag}-st-dhss`, extra_specs: { driver_handles_share_servers: 'true' } },
      });
      dhssTypeId = dhss.json.share_type.id;
      const dsgt = await t.rest('POST', '/share-group-types', {
        share_group_type: { name: `${tag}-sgt-dhss`, share_types: [dhssTypeId] },
      });
      dhssGroupTypeId = dsgt.json.share_group_type.id;
      net = await t.shareNetwork(`${tag}-net`);
      shareNetworkId = net.id;
    });

    afterAll(async () => {
      await t?.close();
    });

    it('reports where Manila comes from', async () => {
      const data = await t.facade.ok<any>('{ about { services { name mode } } }');
      const manila = data.about.services.find((s: any) => s.name === 'manila');
      expect(manila.mode).toBe(t.kind === 'real' ? 'REAL' : 'SIMULATED');
    });

    it('creates a share group, reads it back with its links, and updates it', async () => {
      const id = await createShareGroup(`${tag}-create`, onNetwork());
      await makeAvailable(id);
      const read = await t.facade.ok<any>(
        `query($id: ID!) { shareGroup(id: $id) { ${GROUP_FIELDS} shares { id } sourceShareGroupSnapshot { id }
          snapshots(first: 5) { nodes { id } totalCount pageInfo { hasNextPage } } } }`,
        { id },
      );
      expect(read.shareGroup).toMatchObject({
        id,
        name: `${tag}-create`,
        description: `made by ${tag}`,
        status: 'AVAILABLE',
        shareGroupType: { id: dhssGroupTypeId, name: `${tag}-sgt-dhss` },
        shareTypes: [{ id: dhssTypeId, name: `${tag}-st-dhss`, driverHandlesShareServers: true }],
        shareNetwork: { id: shareNetworkId, name: net.name },
        shares: [],
        sourceShareGroupSnapshot: null,
        snapshots: { nodes: [], totalCount: 0, pageInfo: { hasNextPage: false } },
      });
      expect(read.shareGroup.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      // Set by the share manager from the backend, never by the API or reset_status: null on a real Manila without a
      // share service; the simulator's own manager fills it from the group type (which has no spec here).
      expect([null, 'HOST']).toContain(read.shareGroup.consistentSnapshotSupport);

      const upd = await t.facade.ok<any>(
        `mutation($id: ID!) { updateShareGroup(input: { id: $id, name: "${tag}-renamed", description: "new words" }) { shareGroup { id name description } } }`,
        { id },
      );
      expect(upd.updateShareGroup.shareGroup).toEqual({ id, name: `${tag}-renamed`, description: 'new words' });
    });

    it('returns null without an error for ids that do not exist', async () => {
      const r = await t.facade.gql(
        `query($id: ID!) { shareGroup(id: $id) { id } shareGroupSnapshot(id: $id) { id } shareGroupType(id: $id) { id } share(id: $id) { id } }`,
        { id: randomUUID() },
      );
      expect(r.errors).toBeUndefined();
      expect(r.data).toEqual({ shareGroup: null, shareGroupSnapshot: null, shareGroupType: null, share: null });
    });

    it('rejects a hostile id with BAD_USER_INPUT and still answers the sibling field', async () => {
      const id = await createShareGroup(`${tag}-sibling`);
      const r = await t.facade.gql(`query($id: ID!) { ok: shareGroup(id: $id) { id } bad: shareGroup(id: "../../x") { id } }`, { id });
      expect(r.data).toEqual({ ok: { id }, bad: null });
      expect(r.errors).toHaveLength(1);
      expect(r.errors?.[0]?.path).toEqual(['bad']);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('pages through 8 share groups 3 at a time, each exactly once, with the facade computing offsets', async () => {
      const mine = new Set<string>();
      for (let i = 0; i < 8; i++) mine.add(await createShareGroup(`${tag}-page-${i}`));
      const seen: string[] = [];
      const totals: (number | null)[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const d: any = await t.facade.ok(
          `query($after: String, $f: ShareGroupFilter) { shareGroups(first: 3, after: $after, filter: $f) {
            totalCount edges { cursor node { id name } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`,
          { after, f: { nameContains: `${tag}-page-` } },
        );
        totals.push(d.shareGroups.totalCount);
        expect(d.shareGroups.pageInfo.hasPreviousPage).toBe(pages > 0);
        seen.push(...d.shareGroups.edges.map((e: any) => e.node.id));
        after = d.shareGroups.pageInfo.hasNextPage ? d.shareGroups.pageInfo.endCursor : null;
        pages++;
        expect(pages).toBeLessThan(10);
      } while (after);
      expect(pages).toBe(3);
      expect(seen).toHaveLength(8);
      expect(new Set(seen)).toEqual(mine);
      expect(totals).toEqual([8, 8, 8]);
    });

    it('filters and sorts share groups on the server', async () => {
      const a = await createShareGroup(`${tag}-flt-b`, onNetwork());
      const b = await createShareGroup(`${tag}-flt-a`);
      await makeAvailable(a);
      const err = await t.facade.ok<any>(`mutation($id: ID!) { resetShareGroupStatus(input: { id: $id, status: ERROR }) { shareGroup { status } } }`, { id: b });
      expect(err.resetShareGroupStatus.shareGroup.status).toBe('ERROR');
      const q = `query($f: ShareGroupFilter, $s: ShareGroupSort) { shareGroups(filter: $f, sort: $s) { nodes { id name } } }`;
      const names = async (f: Record<string, unknown>, s?: Record<string, unknown>) =>
        (await t.facade.ok<any>(q, { f, s })).shareGroups.nodes.map((n: any) => n.name);
      expect(await names({ nameContains: `${tag}-flt-` }, { key: 'NAME', direction: 'ASC' })).toEqual([`${tag}-flt-a`, `${tag}-flt-b`]);
      expect(await names({ nameContains: `${tag}-flt-` }, { key: 'NAME', direction: 'DESC' })).toEqual([`${tag}-flt-b`, `${tag}-flt-a`]);
      expect(await names({ name: `${tag}-flt-a` })).toEqual([`${tag}-flt-a`]);
      expect(await names({ nameContains: `${tag}-flt-`, status: 'ERROR' })).toEqual([`${tag}-flt-a`]);
      expect(await names({ nameContains: `${tag}-flt-`, shareNetworkId })).toEqual([`${tag}-flt-b`]);
      expect(await names({ nameContains: `${tag}-flt-`, shareGroupTypeId: dhssGroupTypeId })).toEqual([`${tag}-flt-b`]);
      expect((await names({ descriptionContains: `made by ${tag}` })).length).toBeGreaterThanOrEqual(2);
    });

    it('snapshots a group with a share, links members to shares, and refuses conflicting deletes clearly', async () => {
      const gid = await createShareGroup(`${tag}-snap`);
      await makeAvailable(gid);
      let shareId: string | null = null;
      if (t.canCreateShares) {
        // A share joins a group only at creation; fixture through Manila's API.
        const share = await t.rest('POST', '/shares', {
          share: { share_proto: 'NFS', size: 1, name: `${tag}-share`, share_type: shareTypeId, share_group_id: gid },
        });
        shareId = share.json.share.id as string;
        await t.sharesAvailable([shareId]);
      }
      await t.afterScheduling([gid]);

      const withShares = await t.facade.ok<any>(
        `query($id: ID!) { shareGroup(id: $id) { shares { id name protocol size status shareGroup { id } shareType { id } } } }`,
        { id: gid },
      );
      expect(withShares.shareGroup.shares).toEqual(
        shareId
          ? [{ id: shareId, name: `${tag}-share`, protocol: 'NFS', size: 1, status: 'AVAILABLE', shareGroup: { id: gid }, shareType: { id: shareTypeId } }]
          : [],
      );

      const created = await t.facade.ok<any>(
        `mutation($gid: ID!) { createShareGroupSnapshot(input: { shareGroupId: $gid, name: "${tag}-sgs" }) {
          shareGroupSnapshot { id name status shareGroup { id } members { shareId share { id name } } } } }`,
        { gid },
      );
      const snap = created.createShareGroupSnapshot.shareGroupSnapshot;
      expect(snap).toMatchObject({ name: `${tag}-sgs`, shareGroup: { id: gid } });
      expect(['CREATING', 'AVAILABLE']).toContain(snap.status);
      expect(snap.members).toEqual(shareId ? [{ shareId, share: { id: shareId, name: `${tag}-share` } }] : []);

      const listed = await t.facade.ok<any>(
        `query($gid: ID!) { shareGroupSnapshots(filter: { shareGroupId: $gid }) { nodes { id } totalCount }
          shareGroup(id: $gid) { snapshots(first: 5) { nodes { id name } totalCount pageInfo { hasNextPage } } } }`,
        { gid },
      );
      expect(listed.shareGroupSnapshots).toEqual({ nodes: [{ id: snap.id }], totalCount: 1 });
      expect(listed.shareGroup.snapshots).toEqual({ nodes: [{ id: snap.id, name: `${tag}-sgs` }], totalCount: 1, pageInfo: { hasNextPage: false } });

      const upd = await t.facade.ok<any>(
        `mutation($id: ID!) { updateShareGroupSnapshot(input: { id: $id, description: "kept" }) { shareGroupSnapshot { id description } } }`,
        { id: snap.id },
      );
      expect(upd.updateShareGroupSnapshot.shareGroupSnapshot).toEqual({ id: snap.id, description: 'kept' });
      const reset = await t.facade.ok<any>(
        `mutation($id: ID!) { resetShareGroupSnapshotStatus(input: { id: $id, status: AVAILABLE }) { shareGroupSnapshot { status } } }`,
        { id: snap.id },
      );
      expect(reset.resetShareGroupSnapshotStatus.shareGroupSnapshot.status).toBe('AVAILABLE');

      // A new group from the snapshot inherits the source's share types (and, with shares, copies of them).
      const copy = await t.facade.ok<any>(
        `mutation($s: ID!) { createShareGroup(input: { sourceShareGroupSnapshotId: $s, name: "${tag}-from-snap" }) {
          shareGroup { id name shareTypes { id } sourceShareGroupSnapshot { id shareGroup { id } } } } }`,
        { s: snap.id },
      );
      expect(copy.createShareGroup.shareGroup).toMatchObject({
        name: `${tag}-from-snap`,
        shareTypes: [{ id: shareTypeId }],
        sourceShareGroupSnapshot: { id: snap.id, shareGroup: { id: gid } },
      });
      const inherited = await t.facade.gql(
        `mutation($s: ID!, $n: ID!) { createShareGroup(input: { sourceShareGroupSnapshotId: $s, shareNetworkId: $n }) { shareGroup { id } } }`,
        { s: snap.id, n: shareNetworkId },
      );
      expect(inherited.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', requestId: expect.any(String) });

      // A group holding a snapshot (and a share): Manila says 409 "Invalid share group: %(reason)s".
      const refused = await t.facade.gql(`mutation($id: ID!) { deleteShareGroup(input: { id: $id }) { id } }`, { id: gid });
      expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(refused.errors?.[0]?.extensions?.upstream).toMatchObject({ service: 'manila', status: 409 });
      expect(refused.errors?.[0]?.message).toMatch(new RegExp(`Share group ${gid} cannot be deleted now`));
      expect(refused.raw).not.toMatch(NO_PLACEHOLDER);

      const del = await t.facade.ok<any>(
        `mutation($id: ID!) { deleteShareGroupSnapshot(input: { id: $id }) { id shareGroupSnapshot { id status } } }`,
        { id: snap.id },
      );
      expect(del.deleteShareGroupSnapshot.id).toBe(snap.id);
      if (del.deleteShareGroupSnapshot.shareGroupSnapshot) expect(del.deleteShareGroupSnapshot.shareGroupSnapshot.status).toBe('DELETING');
    });

    it('a snapshot of a group that does not exist is NOT_FOUND with a clear message (Manila says 400)', async () => {
      const missing = randomUUID();
      const r = await t.facade.gql(`mutation($g: ID!) { createShareGroupSnapshot(input: { shareGroupId: $g }) { shareGroupSnapshot { id } } }`, {
        g: missing,
      });
      expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(r.errors?.[0]?.extensions?.upstream).toMatchObject({ service: 'manila', status: 400 });
      expect(r.errors?.[0]?.message).toContain(`Share group ${missing} does not exist`);
      expect(r.raw).not.toMatch(NO_PLACEHOLDER);
    });

    it('createShareGroup wants exactly one of share types and a source snapshot, checked before calling Manila', async () => {
      const none = await t.facade.gql(`mutation { createShareGroup(input: { name: "x" }) { shareGroup { id } } }`);
      const both = await t.facade.gql(
        `mutation($st: ID!, $s: ID!) { createShareGroup(input: { shareTypeIds: [$st], sourceShareGroupSnapshotId: $s }) { shareGroup { id } } }`,
        { st: shareTypeId, s: randomUUID() },
      );
      for (const r of [none, both]) expect(r.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', requestId: expect.any(String) });
    });

    it('deletes an empty group and force-deletes another', async () => {
      const id = await createShareGroup(`${tag}-delete`);
      await makeAvailable(id);
      const d = await t.facade.ok<any>(`mutation($id: ID!) { deleteShareGroup(input: { id: $id }) { id shareGroup { status } } }`, { id });
      expect(d.deleteShareGroup.id).toBe(id);
      if (d.deleteShareGroup.shareGroup) expect(d.deleteShareGroup.shareGroup.status).toBe('DELETING');

      const forced = await createShareGroup(`${tag}-force`);
      const f = await t.facade.ok<any>(`mutation($id: ID!) { forceDeleteShareGroup(input: { id: $id }) { id shareGroup { id } } }`, {
        id: forced,
      });
      expect(f.forceDeleteShareGroup).toEqual({ id: forced, shareGroup: null });
      const gone = await t.facade.ok<any>(`query($id: ID!) { shareGroup(id: $id) { id } }`, { id: forced });
      expect(gone.shareGroup).toBeNull();
    });

    it('lists share group types and share types, including the ones made for this run', async () => {
      const d = await t.facade.ok<any>(`{ shareGroupTypes { id name isPublic } shareTypes { id name } }`);
      expect(d.shareGroupTypes).toContainEqual({ id: shareGroupTypeId, name: `${tag}-sgt`, isPublic: true });
      expect(d.shareTypes).toContainEqual({ id: shareTypeId, name: `${tag}-st` });
      const one = await t.facade.ok<any>(
        `query($id: ID!) { shareGroupType(id: $id) { name isDefault groupSpecs { key value } shareTypes { id extraSpecs { key value } } } }`,
        { id: shareGroupTypeId },
      );
      expect(one.shareGroupType).toMatchObject({ name: `${tag}-sgt`, isDefault: false, shareTypes: [{ id: shareTypeId }] });
      expect(one.shareGroupType.groupSpecs).toContainEqual({ key: 'consistent_snapshot_support', value: 'host' });
    });

    it('reads a share network with its subnets (2.51+ shape)', async () => {
      const d = await t.facade.ok<any>(
        `query($id: ID!) { shareGroup(id: $id) { shareNetwork { id name description status subnets { id } } } }`,
        { id: await createShareGroup(`${tag}-net`, onNetwork()) },
      );
      expect(d.shareGroup.shareNetwork).toMatchObject({ id: shareNetworkId, name: net.name, description: net.description, status: 'active' });
      expect(d.shareGroup.shareNetwork.subnets).toHaveLength(1);
      expect(d.shareGroup.shareNetwork.subnets[0].id).toEqual(expect.any(String));
    });

    it('consistency groups answer NOT_SUPPORTED on this Manila (2.31+), pointing to share groups', async () => {
      const r = await t.facade.gql(`{ consistencyGroups { nodes { id } } consistencyGroup(id: "${randomUUID()}") { id } }`);
      expect(r.data).toEqual({ consistencyGroups: null, consistencyGroup: null });
      expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_SUPPORTED', 'NOT_SUPPORTED']);
      for (const e of r.errors ?? []) expect(e.message).toMatch(/share groups/);
      const m = await t.facade.gql(
        `mutation($st: ID!) { createConsistencyGroup(input: { shareTypeIds: [$st] }) { consistencyGroup { id } } }`,
        { st: shareTypeId },
      );
      expect(m.errors?.[0]?.extensions?.code).toBe('NOT_SUPPORTED');
      expect(m.errors?.[0]?.message).toMatch(/createShareGroup|share group mutations/);
    });
  });
}
