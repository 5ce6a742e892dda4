import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { SEED_IDS, startManilaSimulator } from '../../src/simulator/manila/index.js';

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
      consistent_snapshot_support: 'pool',
    });
    expect(g.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const done = await waitForStatus(`${sim.endpoint}/share-groups/${g.id}`, V, 'share_group', 'available');
    expect(done.id).toBe(g.id);
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
