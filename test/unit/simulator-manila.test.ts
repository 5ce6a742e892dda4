import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { SEED_DEFAULTS, SEED_IDS, startManilaSimulator } from '../../src/simulator/manila/index.js';

type Sim = Awaited<ReturnType<typeof startManilaSimulator>>;

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

async function call(
  url: string,
  opts: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; version?: string; experimental?: boolean; body?: unknown } = {},
): Promise<Res> {
  const headers: Record<string, string> = { 'x-auth-token': 'admin:8a1f2c3d4e5f40718293a4b5c6d7e8f9' };
  if (opts.version) headers['x-openstack-manila-api-version'] = opts.version;
  if (opts.experimental) headers['x-openstack-manila-api-experimental'] = 'True';
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(url, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** Fails with the response body in the message, so a broken scenario explains itself. */
function expectStatus(res: Res, status: number): void {
  expect(res.status, `body: ${res.text}`).toBe(status);
}

async function waitForStatus(url: string, version: string, key: string, want: string): Promise<any> {
  for (let i = 0; i < 50; i++) {
    const res = await call(url, { version });
    if (res.json?.[key]?.status === want) return res.json[key];
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${url} never reached ${want}`);
}

describe('Manila simulator (Zed)', () => {
  let sim: Sim;
  const V = '2.55';

  beforeAll(async () => {
    sim = await startManilaSimulator({ transitionMs: 40 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('answers GET / with the 300 versions document', async () => {
    const res = await call(`${sim.origin}/`);
    expectStatus(res, 300);
    const [v1, v2] = res.json.versions;
    expect(v1).toMatchObject({ id: 'v1.0', status: 'DEPRECATED', version: '' });
    expect(v2).toMatchObject({ id: 'v2.0', status: 'CURRENT', version: '2.73', min_version: '2.0' });
  });

  it('hides share groups at 2.40 without the experimental header, and serves them with it', async () => {
    const hidden = await call(`${sim.endpoint}/share-groups`, { version: '2.40' });
    expectStatus(hidden, 404);
    expect(hidden.json).toEqual({ itemNotFound: { code: 404, message: 'The resource could not be found.' } });

    const shown = await call(`${sim.endpoint}/share-groups`, { version: '2.40', experimental: true });
    expectStatus(shown, 200);
    expect(shown.headers['x-openstack-manila-api-experimental']).toBe('True');
    expect(shown.headers['x-openstack-manila-api-version']).toBe('2.40');
    expect(shown.headers['x-compute-request-id']).toMatch(/^req-[0-9a-f-]{36}$/);
  });

  it('serves share groups from 2.55 without the experimental header', async () => {
    const res = await call(`${sim.endpoint}/share-groups`, { version: V });
    expectStatus(res, 200);
    expect(res.headers['x-openstack-manila-api-experimental']).toBeUndefined();
    expect(res.headers.vary).toBe('X-OpenStack-Manila-API-Version');
    expect(res.json.share_groups.length).toBeGreaterThanOrEqual(4);
    expect(Object.keys(res.json.share_groups[0]).sort()).toEqual(['id', 'links', 'name']);
  });

  it('routes the project-less form too', async () => {
    const res = await call(`${sim.origin}/v2/share-groups/${SEED_IDS.shareGroups.dbCluster}`, { version: V });
    expectStatus(res, 200);
    expect(res.json.share_group.name).toBe('db-cluster');
  });

  it('answers /share_groups with a plain-text router 404', async () => {
    const res = await call(`${sim.endpoint}/share_groups`, { version: V });
    expectStatus(res, 404);
    expect(String(res.headers['content-type'])).toMatch(/^text\/plain/);
    expect(res.json).toBeUndefined();
  });

  it('rejects the `latest` keyword with 400 and too-high versions with the unformatted 406', async () => {
    const latest = await call(`${sim.endpoint}/share-groups`, { version: 'latest' });
    expectStatus(latest, 400);
    expect(latest.json.badRequest.code).toBe(400);

    const high = await call(`${sim.endpoint}/share-groups`, { version: '2.74' });
    expectStatus(high, 406);
    expect(high.json).toEqual({
      computeFault: {
        code: 406,
        message: 'Version %(req_ver)s is not supported by the API. Minimum is %(min_ver)s and maximum is %(max_ver)s.',
      },
    });
  });

  it('walks every seeded share group exactly once with limit/offset', async () => {
    const all = await call(`${sim.endpoint}/share-groups`, { version: V });
    const expected = all.json.share_groups.map((g: { id: string }) => g.id);
    expect(expected).toContain(SEED_IDS.shareGroups.dbCluster);
    const seen: string[] = [];
    for (let offset = 0; offset < 100; offset += 2) {
      const page = await call(`${sim.endpoint}/share-groups/detail?limit=2&offset=${offset}`, { version: V });
      expectStatus(page, 200);
      const items = page.json.share_groups as { id: string }[];
      seen.push(...items.map((g) => g.id));
      if (items.length < 2) break;
    }
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('rejects marker with 400 and builds next links on the broken underscore path', async () => {
    const marker = await call(`${sim.endpoint}/share-groups?marker=${SEED_IDS.shareGroups.dbCluster}`, { version: V });
    expectStatus(marker, 400);
    expect(marker.json.badRequest.message).toBe(
      "Invalid input received: Share groups cannot be filtered using 'marker' key.",
    );

    const page = await call(`${sim.endpoint}/share-groups?limit=2`, { version: V });
    const next = page.json.share_groups_links[0];
    const last = page.json.share_groups[1];
    expect(next.rel).toBe('next');
    expect(next.href).toBe(`${sim.endpoint}/share_groups?limit=2&marker=${last.id}`);
    expect(last.links[0].href).toBe(`${sim.endpoint}/share_groups/${last.id}`);
  });

  it('creates a share group with 202 and full detail, which becomes available', async () => {
    const res = await call(`${sim.endpoint}/share-groups`, {
      method: 'POST',
      version: V,
      body: { share_group: { name: 'created-by-test' } },
    });
    expectStatus(res, 202);
    const g = res.json.share_group;
    expect(g).toMatchObject({
      name: 'created-by-test',
      status: 'creating',
      share_group_type_id: SEED_IDS.shareGroupTypes.default,
      share_types: [SEED_IDS.shareTypes.defaultNfs],
      availability_zone: null,
      // The API never sets it; the (simulated) share manager does, below.
      consistent_snapshot_support: null,
    });
    expect(g.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const done = await waitForStatus(`${sim.endpoint}/share-groups/${g.id}`, V, 'share_group', 'available');
    expect(done.id).toBe(g.id);
    expect(done.consistent_snapshot_support).toBe('pool');
  });

  it('refuses to delete a group that holds shares, with the unformatted Zed template', async () => {
    const res = await call(`${sim.endpoint}/share-groups/${SEED_IDS.shareGroups.webAssets}`, { method: 'DELETE', version: V });
    expectStatus(res, 409);
    expect(res.json).toEqual({ conflictingRequest: { code: 409, message: 'Invalid share group: %(reason)s' } });
  });

  it('answers 400 for a snapshot of a missing group and rejects os-reset_status', async () => {
    const snap = await call(`${sim.endpoint}/share-group-snapshots`, {
      method: 'POST',
      version: V,
      body: { share_group_snapshot: { share_group_id: '00000000-0000-4000-8000-000000000000' } },
    });
    expectStatus(snap, 400);
    const reset = await call(`${sim.endpoint}/share-groups/${SEED_IDS.shareGroups.analytics}/action`, {
      method: 'POST',
      version: V,
      body: { 'os-reset_status': { status: 'available' } },
    });
    expectStatus(reset, 400);
    expect(reset.json.badRequest.message).toBe('There is no such action: os-reset_status');
  });

  it('lists snapshot members on the hyphenated path', async () => {
    const res = await call(`${sim.endpoint}/share-group-snapshots/${SEED_IDS.shareGroupSnapshots.dbNightly}/members`, { version: V });
    expectStatus(res, 200);
    expect(res.json.share_group_snapshot_members).toHaveLength(3);
    expect(Object.keys(res.json.share_group_snapshot_members[0]).sort()).toEqual(
      ['created_at', 'id', 'project_id', 'share_group_snapshot_id', 'share_id', 'share_protocol', 'size'],
    );
  });

  it('does not serve the consistency-group API', async () => {
    const res = await call(`${sim.endpoint}/consistency-groups`, { version: '2.30', experimental: true });
    expectStatus(res, 404);
    expect(String(res.headers['content-type'])).toMatch(/^text\/plain/);
  });
});

// What a real Zed manila-api (2.73) answered for each case below, recorded with curl; the simulator must agree.
describe('Manila simulator (Zed): rules checked against a real manila-api', () => {
  const V = '2.73';
  const T = SEED_IDS.shareTypes;
  const G = SEED_IDS.shareGroupTypes;
  const N = SEED_IDS.shareNetworks;
  const MISSING = '00000000-0000-4000-8000-000000000000';
  let sim: Sim;
  let bare: Sim;

  const post = (s: Sim, path: string, body: unknown) => call(`${s.endpoint}${path}`, { method: 'POST', version: V, body });
  const createGroup = (s: Sim, sg: Record<string, unknown>) => post(s, '/share-groups', { share_group: sg });
  function expectBadRequest(res: Res, message: string): void {
    expectStatus(res, 400);
    expect(res.json).toEqual({ badRequest: { code: 400, message } });
  }

  beforeAll(async () => {
    sim = await startManilaSimulator({ transitionMs: 40 });
    // Like the test manila-api: neither default_share_type nor default_share_group_type is configured.
    bare = await startManilaSimulator({ transitionMs: 40, defaultShareType: null, defaultShareGroupType: null });
  });
  afterAll(async () => {
    await sim.close();
    await bare.close();
  });

  it('refuses a share network for DHSS=false share types and requires one for DHSS=true types', async () => {
    expectBadRequest(
      await createGroup(sim, { share_types: [T.defaultNfs], share_group_type_id: G.default, share_network_id: N.prod }),
      'Invalid input received: When using a share types with the driver_handles_share_servers extra spec as False, a share_network_id must not be provided.',
    );
    expectBadRequest(
      await createGroup(sim, { share_types: [T.goldDhss], share_group_type_id: G.replicated }),
      'Invalid input received: When using a share type with the driver_handles_share_servers extra spec as True, a share_network_id must be provided.',
    );
    // Mixed types: the False type comes first, so with a network its rule fires before the conflict is seen.
    expectBadRequest(
      await createGroup(sim, { share_types: [T.defaultNfs, T.goldDhss], share_group_type_id: G.default, share_network_id: N.prod }),
      'Invalid input received: When using a share types with the driver_handles_share_servers extra spec as False, a share_network_id must not be provided.',
    );
    expectBadRequest(
      await createGroup(sim, { share_types: [T.defaultNfs, T.goldDhss], share_group_type_id: G.default }),
      'Invalid input received: The specified share_types cannot have conflicting values for the driver_handles_share_servers extra spec.',
    );
    expectBadRequest(
      await createGroup(sim, { share_types: [T.goldDhss], share_group_type_id: G.replicated, share_network_id: MISSING }),
      'Invalid input received: The specified share network does not exist.',
    );
    const ok = await createGroup(sim, { share_types: [T.goldDhss], share_group_type_id: G.replicated, share_network_id: N.prod });
    expectStatus(ok, 202);
    expect(ok.json.share_group).toMatchObject({ share_network_id: N.prod, share_types: [T.goldDhss], host: null });
  });

  it('reports missing share types, missing group types and unsupported types as 400', async () => {
    expectBadRequest(
      await createGroup(sim, { share_types: [MISSING], share_group_type_id: G.default }),
      `Share type with id ${MISSING} could not be found.`,
    );
    expectBadRequest(
      await createGroup(sim, { share_types: [T.defaultNfs], share_group_type_id: MISSING }),
      `Invalid input received: The specified share group type ${MISSING} does not exist.`,
    );
    expectBadRequest(
      await createGroup(sim, { share_types: [T.cephfs], share_group_type_id: G.default }),
      'Invalid input received: The specified share types must be a subset of the share types supported by the share group type.',
    );
  });

  it('has no default types when the options are unset, and says so like Manila', async () => {
    const sgt = await call(`${bare.endpoint}/share-group-types/default`, { version: V });
    expectStatus(sgt, 404);
    expect(sgt.json).toEqual({ itemNotFound: { code: 404, message: 'Default share group type not found.' } });
    const st = await call(`${bare.endpoint}/types/default`, { version: V });
    expectStatus(st, 404);
    expect(st.json).toEqual({ itemNotFound: { code: 404, message: 'Default share type not found' } });
    // Seeded rows are still there, but none of them is the default: the flag follows the option, not the row.
    const all = await call(`${bare.endpoint}/share-group-types`, { version: V });
    expect(all.json.share_group_types.map((t: any) => t.is_default)).toEqual(all.json.share_group_types.map(() => false));

    expectBadRequest(await createGroup(bare, {}), 'Must specify at least one share type as a default share type has not been configured.');
    expectBadRequest(
      await createGroup(bare, { share_types: [T.defaultNfs] }),
      'Must specify a share group type as a default share group type has not been configured.',
    );
  });

  it('follows the configured default type by name', async () => {
    const seeded = await call(`${sim.endpoint}/share-group-types/default`, { version: V });
    expectStatus(seeded, 200);
    expect(seeded.json.share_group_type).toMatchObject({ id: G.default, name: SEED_DEFAULTS.shareGroupType, is_default: true });
    const other = await startManilaSimulator({ defaultShareGroupType: 'dhss_group_type', defaultShareType: 'gold_dhss' });
    try {
      const d = await call(`${other.endpoint}/share-group-types/default`, { version: V });
      expect(d.json.share_group_type).toMatchObject({ id: G.replicated, is_default: true });
      const t = await call(`${other.endpoint}/types/default`, { version: V });
      expect(t.json.share_type).toMatchObject({ id: T.goldDhss, is_default: true });
      const old = await call(`${other.endpoint}/share-group-types/${G.default}`, { version: V });
      expect(old.json.share_group_type.is_default).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('does not inherit the group type from a source snapshot: it takes the default, or answers 400 without one', async () => {
    // A snapshot of the seeded DHSS=false group without a network (db-cluster's network could not come with it).
    const snapshotOfEmpty = async (s: Sim) => {
      const made = await post(s, '/share-group-snapshots', { share_group_snapshot: { share_group_id: SEED_IDS.shareGroups.emptyAvailable } });
      expectStatus(made, 202);
      const id = made.json.share_group_snapshot.id as string;
      await waitForStatus(`${s.endpoint}/share-group-snapshots/${id}`, V, 'share_group_snapshot', 'available');
      return id;
    };
    const snap = await snapshotOfEmpty(bare);
    expectBadRequest(
      await createGroup(bare, { source_share_group_snapshot_id: snap }),
      'Must specify a share group type as a default share group type has not been configured.',
    );
    // The default-type check comes before the snapshot is even looked up.
    expectBadRequest(
      await createGroup(bare, { source_share_group_snapshot_id: MISSING }),
      'Must specify a share group type as a default share group type has not been configured.',
    );
    expectBadRequest(
      await createGroup(bare, { source_share_group_snapshot_id: MISSING, share_group_type_id: G.default }),
      `Share group snapshot ${MISSING} could not be found.`,
    );
    // A type that cannot hold the source's share types.
    expectBadRequest(
      await createGroup(bare, { source_share_group_snapshot_id: snap, share_group_type_id: G.replicated }),
      'Invalid input received: The specified share types must be a subset of the share types supported by the share group type.',
    );
    const made = await createGroup(bare, { source_share_group_snapshot_id: snap, share_group_type_id: G.default });
    expectStatus(made, 202);
    // The source group's host (and network, zone, share server) come along at once.
    expect(made.json.share_group).toMatchObject({
      share_group_type_id: G.default, source_share_group_snapshot_id: snap, share_types: [T.defaultNfs],
      host: 'manila-sim@generic1#pool0', share_network_id: null, availability_zone: 'nova',
      consistent_snapshot_support: null,
    });
    // With a default configured, the default is used, whatever the source group's type was.
    const src = await createGroup(sim, { share_types: [T.goldDhss], share_group_type_id: G.replicated, share_network_id: N.dev });
    const srcId = src.json.share_group.id as string;
    await waitForStatus(`${sim.endpoint}/share-groups/${srcId}`, V, 'share_group', 'available');
    const srcSnap = await post(sim, '/share-group-snapshots', { share_group_snapshot: { share_group_id: srcId } });
    const srcSnapId = srcSnap.json.share_group_snapshot.id as string;
    await waitForStatus(`${sim.endpoint}/share-group-snapshots/${srcSnapId}`, V, 'share_group_snapshot', 'available');
    const dflt = await createGroup(sim, { source_share_group_snapshot_id: srcSnapId });
    expectStatus(dflt, 202);
    expect(dflt.json.share_group).toMatchObject({ share_group_type_id: G.default, share_types: [T.goldDhss], share_network_id: N.dev });
    // The seeded db-cluster (DHSS=True types on prod-net) can be copied: its network and types come along.
    const copy = await createGroup(sim, { source_share_group_snapshot_id: SEED_IDS.shareGroupSnapshots.dbNightly });
    expectStatus(copy, 202);
    expect(copy.json.share_group).toMatchObject({ share_types: [T.goldDhss], share_network_id: N.prod });
  });

  it('creates and deletes share networks with the 2.73 shapes', async () => {
    const none = await post(sim, '/share-networks', {});
    expectStatus(none, 422);
    expect(none.json).toEqual({ computeFault: { code: 422, message: 'Unable to process the contained instructions' } });
    for (const bad of ['x', null, []]) {
      expectBadRequest(
        await post(sim, '/share-networks', { share_network: bad }),
        'The server could not comply with the request since it is either malformed or otherwise incorrect.',
      );
    }
    expectBadRequest(
      await post(sim, '/share-networks', { share_network: { neutron_net_id: 'abc' } }),
      'When creating a new share network subnet you need to specify both neutron_net_id and neutron_subnet_id or none of them.',
    );
    expectBadRequest(await post(sim, '/share-networks', { share_network: { nova_net_id: 'abc' } }), 'nova networking is not supported starting in Ocata.');
    expectBadRequest(
      await post(sim, '/share-networks', { share_network: { availability_zone: 'nowhere' } }),
      'The provided availability zone nowhere does not exist.',
    );

    const empty = await post(sim, '/share-networks', { share_network: {} });
    expectStatus(empty, 200);
    expect(empty.json.share_network).toMatchObject({ name: null, description: null });

    const res = await post(sim, '/share-networks', { share_network: { name: 'unit-net', description: 'unit', foo: 1 } });
    expectStatus(res, 200);
    const n = res.json.share_network;
    expect(Object.keys(n)).toEqual([
      'id', 'name', 'project_id', 'created_at', 'updated_at', 'description', 'share_network_subnets', 'status',
      'security_service_update_support', 'network_allocation_update_support',
    ]);
    expect(n).toMatchObject({
      name: 'unit-net', description: 'unit', project_id: '8a1f2c3d4e5f40718293a4b5c6d7e8f9', updated_at: null, status: 'active',
      security_service_update_support: true, network_allocation_update_support: true,
    });
    expect(n.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(n.share_network_subnets).toHaveLength(1);
    const [subnet] = n.share_network_subnets;
    expect(Object.keys(subnet)).toEqual([
      'id', 'availability_zone', 'created_at', 'updated_at', 'segmentation_id', 'neutron_net_id', 'neutron_subnet_id',
      'ip_version', 'cidr', 'network_type', 'mtu', 'gateway',
    ]);
    expect(subnet).toMatchObject({ availability_zone: null, neutron_net_id: null, segmentation_id: null, cidr: null, mtu: null });
    const read = await call(`${sim.endpoint}/share-networks/${n.id}`, { version: V });
    expect(read.json).toEqual(res.json);

    const g = await createGroup(sim, { share_types: [T.goldDhss], share_group_type_id: G.replicated, share_network_id: n.id });
    expectStatus(g, 202);
    const busy = await call(`${sim.endpoint}/share-networks/${n.id}`, { method: 'DELETE', version: V });
    expectStatus(busy, 409);
    expect(busy.json).toEqual({
      conflictingRequest: { code: 409, message: `Can not delete share network ${n.id}, it has 1 share group(s).` },
    });
    await post(sim, `/share-groups/${g.json.share_group.id}/action`, { force_delete: null });
    const del = await call(`${sim.endpoint}/share-networks/${n.id}`, { method: 'DELETE', version: V });
    expectStatus(del, 202);
    expect(del.text).toBe('');
    const again = await call(`${sim.endpoint}/share-networks/${n.id}`, { method: 'DELETE', version: V });
    expectStatus(again, 404);
    expect(again.json).toEqual({ itemNotFound: { code: 404, message: `Share network ${n.id} could not be found.` } });
  });

  it('leaves consistent_snapshot_support null on create and after reset_status; only the manager sets it', async () => {
    const res = await createGroup(sim, { share_types: [T.defaultNfs], share_group_type_id: G.default });
    expectStatus(res, 202);
    const id = res.json.share_group.id;
    expect(res.json.share_group.consistent_snapshot_support).toBeNull();
    expectStatus(await post(sim, `/share-groups/${id}/action`, { reset_status: { status: 'available' } }), 202);
    await new Promise((r) => setTimeout(r, 80));
    const after = await call(`${sim.endpoint}/share-groups/${id}`, { version: V });
    expect(after.json.share_group).toMatchObject({ status: 'available', consistent_snapshot_support: null, host: null });
  });
});

describe('Manila simulator (legacy, max 2.30)', () => {
  let sim: Sim;

  beforeAll(async () => {
    sim = await startManilaSimulator({ legacy: true, transitionMs: 40 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('advertises 2.30 and serves /consistency-groups with the experimental header', async () => {
    const versions = await call(`${sim.origin}/`);
    expect(versions.json.versions[1].version).toBe('2.30');

    const without = await call(`${sim.endpoint}/consistency-groups`, { version: '2.30' });
    expectStatus(without, 404);

    const res = await call(`${sim.endpoint}/consistency-groups/detail`, { version: '2.30', experimental: true });
    expectStatus(res, 200);
    const names = res.json.consistency_groups.map((g: { name: string }) => g.name);
    expect(names).toEqual(expect.arrayContaining(['legacy-db', 'legacy-logs']));
    expect(res.json.consistency_groups[0]).toHaveProperty('source_cgsnapshot_id');
  });

  it('has no share-group API and refuses versions above 2.30', async () => {
    const sg = await call(`${sim.endpoint}/share-groups`, { version: '2.30', experimental: true });
    expectStatus(sg, 404);
    const high = await call(`${sim.endpoint}/consistency-groups`, { version: '2.31', experimental: true });
    expectStatus(high, 406);
  });

  it('refuses to delete a consistency group that holds shares', async () => {
    const res = await call(`${sim.endpoint}/consistency-groups/${SEED_IDS.consistencyGroups.legacyLogs}`, {
      method: 'DELETE',
      version: '2.30',
      experimental: true,
    });
    expectStatus(res, 409);
    expect(res.json.conflictingRequest.message).toMatch(/^Invalid consistency group: /);
  });
});
