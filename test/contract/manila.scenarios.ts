// GraphQL scenarios over Manila that must hold against the simulator (npm test) and against a real Manila
// (npm run test:openstack). Fixtures (share type, share group type, share network, shares) go through Manila's own
// REST API; where real Manila has no scheduler or share service, the target's hooks write what a scheduler would
// have (real) or just wait for the simulator's own transitions.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Facade } from '../helpers/facade.js';
import { waitFor } from '../helpers/facade.js';
import type { RestCall } from '../helpers/rest.js';
import { createContext } from '../../src/context.js';
import { manilaQuotaFields, manilaZones } from '../../src/resolvers/manila/portal.js';

export interface ManilaTarget {
  kind: 'simulator' | 'real';
  facade: Facade;
  /** Admin REST access to the same Manila, at microversion 2.73. */
  rest: RestCall;
  /** The project of the facade's Manila endpoint, and the token the facade's requests carry (null: none). */
  projectId: string;
  token: string | null;
  /**
   * Make share groups look placed, as Manila's services would have: the scheduler's `host`, and the availability
   * zone the share manager gives a group created without one (shares join only a group that has a zone).
   */
  afterScheduling(shareGroupIds: string[]): Promise<void>;
  /** A share network for the run, created through Manila's API (`POST /share-networks`) on both targets. */
  shareNetwork(name: string): Promise<{ id: string; name: string; description: string | null }>;
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

      // first: 0 shows none of them, counts them, and says whether any lie ahead (none after the last).
      const zero = `query($after: String, $f: ShareGroupFilter) { shareGroups(first: 0, after: $after, filter: $f) {
        totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`;
      const f = { nameContains: `${tag}-page-` };
      const none = await t.facade.ok<any>(zero, { f });
      expect(none.shareGroups).toEqual({ totalCount: 8, nodes: [], pageInfo: { hasNextPage: true, endCursor: null } });
      const all = await t.facade.ok<any>(`query($f: ShareGroupFilter) { shareGroups(first: 8, filter: $f) { pageInfo { endCursor } } }`, { f });
      const atEnd = await t.facade.ok<any>(zero, { f, after: all.shareGroups.pageInfo.endCursor });
      expect(atEnd.shareGroups.pageInfo.hasNextPage).toBe(false);
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
      await t.afterScheduling([gid]);
      // A share joins a group only at creation.
      const share = await t.facade.ok<any>(
        `mutation($g: ID!) { createShare(input: { shareProtocol: NFS, size: 1, name: "${tag}-share", shareGroupId: $g }) { share { id status } } }`,
        { g: gid },
      );
      const shareId = share.createShare.share.id as string;
      await t.sharesAvailable([shareId]);

      const withShares = await t.facade.ok<any>(
        `query($id: ID!) { shareGroup(id: $id) { shares { id name protocol size status shareGroup { id } shareType { id } } } }`,
        { id: gid },
      );
      expect(withShares.shareGroup.shares).toEqual([
        { id: shareId, name: `${tag}-share`, protocol: 'NFS', size: 1, status: 'AVAILABLE', shareGroup: { id: gid }, shareType: { id: shareTypeId } },
      ]);

      const created = await t.facade.ok<any>(
        `mutation($gid: ID!) { createShareGroupSnapshot(input: { shareGroupId: $gid, name: "${tag}-sgs" }) {
          shareGroupSnapshot { id name status shareGroup { id } members { shareId share { id name } } } } }`,
        { gid },
      );
      const snap = created.createShareGroupSnapshot.shareGroupSnapshot;
      expect(snap).toMatchObject({ name: `${tag}-sgs`, shareGroup: { id: gid } });
      expect(['CREATING', 'AVAILABLE']).toContain(snap.status);
      expect(snap.members).toEqual([{ shareId, share: { id: shareId, name: `${tag}-share` } }]);

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

    const SHARE_FIELDS = `id name status rawStatus size protocol availabilityZone zone { name service available } projectId
      shareType { id } shareNetwork { id } shareGroup { id }`;

    it('creates a share on its own (CREATING until a share service made it), finds it by filters, and deletes it once it may', async () => {
      const made = await t.facade.ok<any>(
        `mutation($st: ID!) { createShare(input: { shareProtocol: NFS, size: 1, name: "${tag}-solo", description: "solo", shareTypeId: $st }) {
          share { ${SHARE_FIELDS} } } }`,
        { st: shareTypeId },
      );
      const share = made.createShare.share;
      expect(share).toMatchObject({ name: `${tag}-solo`, size: 1, protocol: 'NFS', shareType: { id: shareTypeId }, shareNetwork: null, shareGroup: null });
      expect(['CREATING', 'AVAILABLE']).toContain(share.status);
      expect(share.status).toBe(share.rawStatus.toUpperCase());

      const list = async (filter: Record<string, unknown>) =>
        (await t.facade.ok<any>(`query($f: ShareFilter) { shares(filter: $f) { totalCount nodes { id } } }`, { f: filter })).shares;
      expect(await list({ nameContains: `${tag}-solo` })).toEqual({ totalCount: 1, nodes: [{ id: share.id }] });
      expect(await list({ name: `${tag}-solo`, shareTypeId })).toEqual({ totalCount: 1, nodes: [{ id: share.id }] });
      expect(await list({ nameContains: `${tag}-solo`, status: 'ERROR' })).toEqual({ totalCount: 0, nodes: [] });

      if (t.kind === 'real') {
        // Still CREATING (nothing makes it): Manila refuses with 403 "Invalid share: %(reason)s.", one code for it.
        const busy = await t.facade.gql(`mutation($id: ID!) { deleteShare(input: { id: $id }) { id } }`, { id: share.id });
        expect(busy.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { service: 'manila', status: 403 } });
        expect(busy.errors?.[0]?.message).toMatch(/cannot be deleted now/);
        expect(busy.raw).not.toMatch(NO_PLACEHOLDER);
      }
      await t.sharesAvailable([share.id]);
      const del = await t.facade.ok<any>(`mutation($id: ID!) { deleteShare(input: { id: $id }) { id share { status } } }`, { id: share.id });
      expect(del.deleteShare.id).toBe(share.id);
      // Gone at once where no share service ever placed it (real), DELETING where one did (simulator).
      if (del.deleteShare.share) expect(del.deleteShare.share.status).toBe('DELETING');
    });

    it('fills a share group: a share created into it takes its zone and is listed as its member; a group not AVAILABLE is CONFLICT', async () => {
      const gid = await createShareGroup(`${tag}-fill`);
      await makeAvailable(gid);
      await t.afterScheduling([gid]);
      const reset = (status: string) =>
        t.facade.ok(`mutation($g: ID!, $s: ShareGroupStatus!) { resetShareGroupStatus(input: { id: $g, status: $s }) { shareGroup { id } } }`, { g: gid, s: status });
      await reset('ERROR');
      const refused = await t.facade.gql(`mutation($g: ID!) { createShare(input: { shareProtocol: NFS, size: 1, shareGroupId: $g }) { share { id } } }`, { g: gid });
      expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(refused.errors?.[0]?.message).toMatch(/is ERROR: a share can join it only while it is AVAILABLE/);
      await reset('AVAILABLE');
      const made = await t.facade.ok<any>(
        `mutation($g: ID!) { createShare(input: { shareProtocol: NFS, size: 1, name: "${tag}-member", shareGroupId: $g }) {
          share { ${SHARE_FIELDS} shareGroup { id zone { name } shares { id } } } } }`,
        { g: gid },
      );
      const share = made.createShare.share;
      expect(share).toMatchObject({ name: `${tag}-member`, shareType: { id: shareTypeId }, shareGroup: { id: gid } });
      expect(share.shareGroup.shares.map((x: any) => x.id)).toContain(share.id);
      expect(share.availabilityZone).toEqual(share.shareGroup.zone.name);
      expect(share.zone).toEqual({ name: share.shareGroup.zone.name, service: 'manila', available: true });
      const listed = await t.facade.ok<any>(`query($g: ID!) { shares(filter: { shareGroupId: $g }) { nodes { id shareGroup { id } } } }`, { g: gid });
      expect(listed.shares.nodes).toEqual([{ id: share.id, shareGroup: { id: gid } }]);

      // The facade sends the group's id along (Manila refuses the delete of a group member without it).
      await t.sharesAvailable([share.id]);
      const del = await t.facade.ok<any>(`mutation($id: ID!) { deleteShare(input: { id: $id }) { id share { status } } }`, { id: share.id });
      expect(del.deleteShare.share?.status ?? 'DELETING').toBe('DELETING');
    });

    it('lists share networks to pick from, with filters', async () => {
      const d = await t.facade.ok<any>(`query($n: String) { shareNetworks(filter: { name: $n }) { id name description subnets { id } } }`, { n: net.name });
      expect(d.shareNetworks).toEqual([{ id: shareNetworkId, name: net.name, description: net.description, subnets: [{ id: expect.any(String) }] }]);
      const like = await t.facade.ok<any>(`query($n: String) { shareNetworks(filter: { nameContains: $n }) { id } }`, { n: `${tag}-ne` });
      expect(like.shareNetworks).toEqual([{ id: shareNetworkId }]);
    });

    it('administers share group types as admin: create, specs, project access, delete; a type in use is CONFLICT', async () => {
      const TYPE = 'id name isPublic groupSpecs { key value } shareTypes { id }';
      const made = await t.facade.ok<any>(
        `mutation($st: ID!) { createShareGroupType(input: { name: "${tag}-admin-sgt", shareTypeIds: [$st], isPublic: false,
          groupSpecs: [{ key: "consistent_snapshot_support", value: "host" }] }) { shareGroupType { ${TYPE} } } }`,
        { st: shareTypeId },
      );
      const type = made.createShareGroupType.shareGroupType;
      expect(type).toEqual({
        id: expect.any(String), name: `${tag}-admin-sgt`, isPublic: false,
        groupSpecs: [{ key: 'consistent_snapshot_support', value: 'host' }], shareTypes: [{ id: shareTypeId }],
      });
      const dup = await t.facade.gql(
        `mutation($st: ID!) { createShareGroupType(input: { name: "${tag}-admin-sgt", shareTypeIds: [$st] }) { shareGroupType { id } } }`,
        { st: shareTypeId },
      );
      expect(dup.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { service: 'manila', status: 409 } });
      expect(dup.raw).not.toMatch(NO_PLACEHOLDER);

      const set = await t.facade.ok<any>(
        `mutation($id: ID!) { setShareGroupTypeSpecs(input: { id: $id, specs: [{ key: "tier", value: "gold" }] }) { shareGroupType { groupSpecs { key value } } } }`,
        { id: type.id },
      );
      expect(set.setShareGroupTypeSpecs.shareGroupType.groupSpecs).toEqual(
        expect.arrayContaining([{ key: 'consistent_snapshot_support', value: 'host' }, { key: 'tier', value: 'gold' }]),
      );
      const unset = await t.facade.ok<any>(
        `mutation($id: ID!) { unsetShareGroupTypeSpecs(input: { id: $id, keys: ["consistent_snapshot_support"] }) { shareGroupType { groupSpecs { key value } } } }`,
        { id: type.id },
      );
      expect(unset.unsetShareGroupTypeSpecs.shareGroupType.groupSpecs).toEqual([{ key: 'tier', value: 'gold' }]);

      const project = randomUUID().replace(/-/g, '');
      const added = await t.facade.ok<any>(
        `mutation($id: ID!, $p: ID!) { addShareGroupTypeAccess(input: { id: $id, projectId: $p }) { projectIds shareGroupType { id } } }`,
        { id: type.id, p: project },
      );
      expect(added.addShareGroupTypeAccess).toEqual({ projectIds: [project], shareGroupType: { id: type.id } });
      const removed = await t.facade.ok<any>(
        `mutation($id: ID!, $p: ID!) { removeShareGroupTypeAccess(input: { id: $id, projectId: $p }) { projectIds } }`,
        { id: type.id, p: project },
      );
      expect(removed.removeShareGroupTypeAccess.projectIds).toEqual([]);
      const publicAccess = await t.facade.gql(
        `mutation($id: ID!, $p: ID!) { addShareGroupTypeAccess(input: { id: $id, projectId: $p }) { projectIds } }`,
        { id: shareGroupTypeId, p: project },
      );
      expect(publicAccess.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { service: 'manila', status: 409 } });

      // The run's own group type holds share groups: Manila says 400 "... is still in use.", the facade CONFLICT.
      const inUse = await t.facade.gql(`mutation($id: ID!) { deleteShareGroupType(input: { id: $id }) { id } }`, { id: shareGroupTypeId });
      expect(inUse.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { service: 'manila', status: 400 } });
      expect(inUse.errors?.[0]?.message).toMatch(/still in use/);

      const del = await t.facade.ok<any>(`mutation($id: ID!) { deleteShareGroupType(input: { id: $id }) { id } }`, { id: type.id });
      expect(del.deleteShareGroupType).toEqual({ id: type.id });
      expect((await t.facade.ok<any>(`query($id: ID!) { shareGroupType(id: $id) { id } }`, { id: type.id })).shareGroupType).toBeNull();
    });

    it('force-deletes a share group snapshot whatever its state', async () => {
      const gid = await createShareGroup(`${tag}-force-snap`);
      await makeAvailable(gid);
      await t.afterScheduling([gid]);
      const snap = await t.facade.ok<any>(
        `mutation($g: ID!) { createShareGroupSnapshot(input: { shareGroupId: $g, name: "${tag}-doomed" }) { shareGroupSnapshot { id } } }`,
        { g: gid },
      );
      const id = snap.createShareGroupSnapshot.shareGroupSnapshot.id;
      await t.facade.ok(`mutation($id: ID!) { resetShareGroupSnapshotStatus(input: { id: $id, status: ERROR_DELETING }) { shareGroupSnapshot { id } } }`, { id });
      const d = await t.facade.ok<any>(`mutation($id: ID!) { forceDeleteShareGroupSnapshot(input: { id: $id }) { id shareGroupSnapshot { id } } }`, { id });
      expect(d.forceDeleteShareGroupSnapshot).toEqual({ id, shareGroupSnapshot: null });
      const gone = await t.facade.ok<any>(`query($g: ID!) { shareGroup(id: $g) { snapshots { totalCount } } }`, { g: gid });
      expect(gone.shareGroup.snapshots.totalCount).toBe(0);
    });

    it('reads the project\'s share quotas (limit, in use, reserved; -1 as a null limit) and its zones', async () => {
      const project = t.projectId;
      const before = (await t.rest('GET', `/quota-sets/${project}/detail`)).json.quota_set;
      await t.rest('PUT', `/quota-sets/${project}`, { quota_set: { share_group_snapshots: -1 } });
      try {
        const wire = (await t.rest('GET', `/quota-sets/${project}/detail`)).json.quota_set;
        const ctx = createContext(t.facade.app.upstreams, { services: [] }, t.token);
        const q = manilaQuotaFields;
        const [groups, snaps, shares, gigabytes] = await Promise.all([
          q.shareGroups({}, {}, ctx), q.shareGroupSnapshots({}, {}, ctx), q.shares({}, {}, ctx), q.shareGigabytes({}, {}, ctx),
        ]);
        const map = (w: any) => ({ limit: w.limit === -1 ? null : w.limit, inUse: w.in_use, reserved: w.reserved });
        expect(groups).toEqual(map(wire.share_groups));
        expect(groups.inUse).toBeGreaterThan(0);
        expect(snaps).toEqual({ ...map(wire.share_group_snapshots), limit: null });
        expect(shares).toEqual(map(wire.shares));
        expect(gigabytes).toEqual(map(wire.gigabytes));
        expect(await manilaZones(ctx)).toContainEqual({ name: 'nova', service: 'manila', available: true });
      } finally {
        await t.rest('PUT', `/quota-sets/${project}`, { quota_set: { share_group_snapshots: before.share_group_snapshots.limit } });
      }
    });

    it('a share over the gigabytes quota is BAD_USER_INPUT with Manila\'s reason, and nothing is made', async () => {
      const q = await t.facade.ok<any>('{ quotas { shareGigabytes { limit inUse reserved } } }');
      const { limit, inUse, reserved } = q.quotas.shareGigabytes;
      expect(limit).not.toBeNull();
      const name = `${tag}-over-quota`;
      const r = await t.facade.gql(`mutation($in: CreateShareInput!) { createShare(input: $in) { share { id } } }`, {
        in: { name, size: limit - inUse - reserved + 1, shareProtocol: 'NFS' },
      });
      expect(r.errors?.[0]?.extensions?.code, r.raw).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(/ShareSizeExceedsAvailableQuota: Requested share exceeds allowed project\/user or share type gigabytes quota/);
      const listed = await t.facade.ok<any>('query($n: String) { shares(filter: { nameContains: $n }) { nodes { id } } }', { n: name });
      expect(listed.shares.nodes).toEqual([]);
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
