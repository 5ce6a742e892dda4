import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { SEED, startCinderSimulator } from '../../src/simulator/cinder/index.js';

type Sim = Awaited<ReturnType<typeof startCinderSimulator>>;

const MV = (v: string) => ({ 'openstack-api-version': `volume ${v}` });

async function call(sim: Sim, method: string, url: string, opts: { headers?: Record<string, string>; body?: unknown } = {}) {
  const full = url.startsWith('http') ? url : url.startsWith('/v3') || url === '/' ? `${sim.origin}${url}` : `${sim.endpoint}${url}`;
  const res = await request(full, {
    method: method as 'GET',
    headers: { 'content-type': 'application/json', ...(opts.headers ?? MV('3.70')) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.body.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

async function waitFor(check: () => Promise<boolean>, ms = 1000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}

describe('Cinder simulator: read-only wire facts', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startCinderSimulator({ port: 0, transitionMs: 20 });
  });
  afterAll(() => sim.close());

  it('serves the version document: 300 at /, 200 at /v3/', async () => {
    const root = await call(sim, 'GET', '/');
    expect(root.status).toBe(300);
    expect(root.json.versions[0]).toMatchObject({ id: 'v3.0', status: 'CURRENT', version: '3.70', min_version: '3.0' });
    const v3 = await call(sim, 'GET', '/v3/');
    expect(v3.status).toBe(200);
    expect(v3.json.versions[0].version).toBe('3.70');
  });

  it('answers 404 itemNotFound to group APIs without a microversion header (3.0)', async () => {
    const res = await call(sim, 'GET', '/groups', { headers: {} });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ itemNotFound: { code: 404, message: 'The resource could not be found.' } });
    expect(res.headers['openstack-api-version']).toBe('volume 3.0');
    expect(res.headers.vary).toBe('OpenStack-API-Version');
    expect(String(res.headers['x-openstack-request-id'])).toMatch(/^req-[0-9a-f-]{36}$/);
  });

  it('answers 406 computeFault above the maximum and 400 to a malformed version', async () => {
    const res = await call(sim, 'GET', '/groups', { headers: MV('3.99') });
    expect(res.status).toBe(406);
    expect(res.json).toEqual({
      computeFault: { code: 406, message: 'Version 3.99 is not supported by the API. Minimum is 3.0 and maximum is 3.70.' },
    });
    expect((await call(sim, 'GET', '/groups', { headers: MV('3.x') })).json.badRequest.code).toBe(400);
    expect((await call(sim, 'GET', '/groups', { headers: MV('latest') })).headers['openstack-api-version']).toBe('volume 3.70');
  });

  it('pages groups with limit+marker, visiting each seeded group once; a full page always has a next link', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/groups?limit=2';
    let pages = 0;
    while (url && pages < 10) {
      const res = await call(sim, 'GET', url);
      expect(res.status).toBe(200);
      const ids = res.json.groups.map((g: { id: string }) => g.id);
      seen.push(...ids);
      url = res.json.group_links?.find((l: { rel: string }) => l.rel === 'next')?.href;
      if (url) expect(url).toBe(`${sim.endpoint}/groups?limit=2&marker=${ids[ids.length - 1]}`);
      pages++;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(Object.values(SEED.groups).sort());
    // default order is created_at desc
    expect(seen[0]).toBe(SEED.groups.emptyStaging);

    const full = await call(sim, 'GET', '/groups/detail?limit=5');
    expect(full.json.groups).toHaveLength(5);
    const next = full.json.group_links[0].href as string;
    expect(next).toContain('/groups?limit=5&marker=');
    const after = await call(sim, 'GET', next);
    expect(after.json.groups).toEqual([]);
    expect(after.json.group_links).toBeUndefined();
  });

  it('gates detail fields by microversion', async () => {
    const id = SEED.groups.dbClusterProd;
    const old = await call(sim, 'GET', `/groups/${id}?list_volume=true`, { headers: MV('3.13') });
    expect(old.json.group).not.toHaveProperty('replication_status');
    expect(old.json.group).not.toHaveProperty('volumes');
    expect(old.json.group).not.toHaveProperty('group_snapshot_id');
    const now = await call(sim, 'GET', `/groups/${id}?list_volume=true`);
    expect(now.json.group).toMatchObject({ replication_status: 'enabled', project_id: sim.state.projectId });
    expect(now.json.group.volumes).toHaveLength(3);
    expect(now.json.group.created_at).toBe('2025-03-14T09:26:53.000000');
  });

  it('rejects an unknown marker with the resource not-found fault and mixing sort styles with 400', async () => {
    const res = await call(sim, 'GET', '/groups?marker=nope');
    expect(res.status).toBe(404);
    expect(res.json.itemNotFound.message).toBe('Group nope could not be found.');
    const mixed = await call(sim, 'GET', '/groups?sort=name:asc&sort_key=id');
    expect(mixed.status).toBe(400);
  });

  it('ignores group snapshot query params below 3.29 but still emits the looping next link', async () => {
    const res = await call(sim, 'GET', '/group_snapshots?limit=4&status=error', { headers: MV('3.28') });
    expect(res.json.group_snapshots).toHaveLength(4);
    const href = res.json.group_snapshot_links[0].href as string;
    const again = await call(sim, 'GET', href, { headers: MV('3.28') });
    expect(again.json.group_snapshots.map((s: { id: string }) => s.id)).toEqual(
      res.json.group_snapshots.map((s: { id: string }) => s.id),
    );
    const filtered = await call(sim, 'GET', '/group_snapshots/detail?status=error');
    expect(filtered.json.group_snapshots.map((s: { id: string }) => s.id)).toEqual([SEED.groupSnapshots.drBaseline]);
  });

  it('returns list_replication_targets as an array with 200 (admin sees extra keys)', async () => {
    const res = await call(sim, 'POST', `/groups/${SEED.groups.dbClusterProd}/action`, {
      body: { list_replication_targets: {} },
    });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.json.replication_targets)).toBe(true);
    expect(res.json.replication_targets[0]).toMatchObject({ backend_id: 'vendor-id-1' });
    expect(res.json.replication_targets[0]).toHaveProperty('san_password');
    const below = await call(sim, 'POST', `/groups/${SEED.groups.dbClusterProd}/action`, {
      headers: MV('3.37'),
      body: { list_replication_targets: {} },
    });
    expect(below.status).toBe(404);
  });

  it('answers a plain-text router 404 for a non-hex project and unknown paths; serves routes without project', async () => {
    const res = await call(sim, 'GET', '/v3/proj1/groups');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('The resource could not be found.');
    expect((await call(sim, 'GET', `/v3/${sim.state.projectId}/nothing-here`)).headers['content-type']).toMatch(/^text\/plain/);
    const noProject = await call(sim, 'GET', '/v3/groups');
    expect(noProject.status).toBe(200);
    expect(noProject.json.groups).toHaveLength(5);
  });

  it('filters volumes by group_id only from 3.10', async () => {
    const q = `/volumes/detail?group_id=${SEED.groups.webTier}`;
    const res = await call(sim, 'GET', q);
    expect(res.json.volumes).toHaveLength(2);
    expect(res.json.volumes[0].group_id).toBe(SEED.groups.webTier);
    const old = await call(sim, 'GET', q, { headers: MV('3.9') });
    expect(old.json.volumes).toHaveLength(10);
  });
});

describe('Cinder simulator: writes and transitions', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startCinderSimulator({ port: 0, transitionMs: 20 });
  });
  afterAll(() => sim.close());

  it('creates a group: 202 with only {id,name}, creating then available', async () => {
    const res = await call(sim, 'POST', '/groups', {
      body: { group: { name: 'new-one', group_type: 'generic', volume_types: ['hdd-standard'] } },
    });
    expect(res.status).toBe(202);
    expect(Object.keys(res.json.group).sort()).toEqual(['id', 'name']);
    const id = res.json.group.id as string;
    const first = await call(sim, 'GET', `/groups/${id}`);
    expect(first.json.group.status).toBe('creating');
    await waitFor(async () => (await call(sim, 'GET', `/groups/${id}`)).json.group.status === 'available');
    const bad = await call(sim, 'POST', '/groups', { body: { group: { group_type: 'generic', volume_types: ['x'], bogus: 1 } } });
    expect(bad.status).toBe(400);
    expect(bad.json.badRequest.message).toContain("'bogus' was unexpected");
  });

  it('rejects add_volumes as an array, accepts the comma string and sets group_id', async () => {
    const gid = SEED.groups.emptyStaging;
    const vid = SEED.volume(9);
    const arr = await call(sim, 'PUT', `/groups/${gid}`, { body: { group: { add_volumes: [vid] } } });
    expect(arr.status).toBe(400);
    expect(arr.json.badRequest.code).toBe(400);
    const wrongType = await call(sim, 'PUT', `/groups/${gid}`, { body: { group: { add_volumes: vid } } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.badRequest.message).toContain('is not supported by the group');
    const web = SEED.groups.webTier;
    const okRes = await call(sim, 'PUT', `/groups/${web}`, { body: { group: { add_volumes: `${vid},` } } });
    expect(okRes.status).toBe(202);
    expect(okRes.text).toBe('');
    await waitFor(async () => (await call(sim, 'GET', `/volumes/${vid}`)).json.volume.group_id === web);
  });

  it('answers 500 computeFault to plain DELETE on a group; deletes via the action', async () => {
    const plain = await call(sim, 'DELETE', `/groups/${SEED.groups.analyticsScratch}`);
    expect(plain.status).toBe(500);
    expect(plain.json.computeFault.code).toBe(500);
    const blocked = await call(sim, 'POST', `/groups/${SEED.groups.webTier}/action`, { body: { delete: {} } });
    expect(blocked.status).toBe(400);
    expect(blocked.json.badRequest.message).toBe('Invalid Group: Group has existing snapshots.');
    const del = await call(sim, 'POST', `/groups/${SEED.groups.analyticsScratch}/action`, {
      body: { delete: { 'delete-volumes': true } },
    });
    expect(del.status).toBe(202);
    await waitFor(async () => (await call(sim, 'GET', `/groups/${SEED.groups.analyticsScratch}`)).status === 404);
    expect(sim.state.volumes.has(SEED.volume(6))).toBe(false);
  });

  it('validates reset_status and unknown actions like Cinder', async () => {
    const gid = SEED.groups.webTier;
    const inUse = await call(sim, 'POST', `/groups/${gid}/action`, { body: { reset_status: { status: 'in-use' } } });
    expect(inUse.status).toBe(400);
    expect(inUse.json.badRequest.message).toContain('Group status: in-use is invalid');
    const upper = await call(sim, 'POST', `/groups/${gid}/action`, { body: { reset_status: { status: 'ERROR' } } });
    expect(upper.status).toBe(202);
    expect(sim.state.groups.get(gid)?.status).toBe('error');
    const bogus = await call(sim, 'POST', `/groups/${gid}/action`, { body: { bogus: {} } });
    expect(bogus.json).toEqual({ badRequest: { code: 400, message: 'There is no such action: bogus' } });
  });

  it('enforces create-from-src XOR and replication transitions', async () => {
    const nul = await call(sim, 'POST', '/groups/action', {
      body: { 'create-from-src': { group_snapshot_id: SEED.groupSnapshots.dbNightly, source_group_id: null } },
    });
    expect(nul.status).toBe(400);
    const fromSnap = await call(sim, 'POST', '/groups/action', {
      body: { 'create-from-src': { group_snapshot_id: SEED.groupSnapshots.dbNightly, name: 'restored' } },
    });
    expect(fromSnap.status).toBe(202);
    expect(fromSnap.json.group.name).toBe('restored');

    const gid = SEED.groups.dbClusterProd;
    const dis = await call(sim, 'POST', `/groups/${gid}/action`, { body: { disable_replication: {} } });
    expect(dis.status).toBe(202);
    expect((await call(sim, 'GET', `/groups/${gid}`)).json.group.replication_status).toBe('disabling');
    await waitFor(async () => (await call(sim, 'GET', `/groups/${gid}`)).json.group.replication_status === 'disabled');
    const notRep = await call(sim, 'POST', `/groups/${SEED.groups.emptyStaging}/action`, { body: { enable_replication: {} } });
    expect(notRep.status).toBe(400);
    expect(notRep.json.badRequest.message).toContain('is not a replication group type');
  });

  it('creates and deletes a group snapshot', async () => {
    const res = await call(sim, 'POST', '/group_snapshots', { body: { group_snapshot: { group_id: SEED.groups.drFailoverDrill, name: 's1' } } });
    expect(res.status).toBe(202);
    expect(Object.keys(res.json.group_snapshot).sort()).toEqual(['group_type_id', 'id', 'name']);
    const empty = await call(sim, 'POST', '/group_snapshots', { body: { group_snapshot: { group_id: SEED.groups.emptyStaging } } });
    expect(empty.status).toBe(400);
    const sid = res.json.group_snapshot.id as string;
    await waitFor(async () => (await call(sim, 'GET', `/group_snapshots/${sid}`)).json.group_snapshot.status === 'available');
    expect((await call(sim, 'DELETE', `/group_snapshots/${sid}`)).status).toBe(202);
    await waitFor(async () => (await call(sim, 'GET', `/group_snapshots/${sid}`)).status === 404);
  });
});

describe('Cinder simulator: options', () => {
  it('simulates an older Cinder and requires a token when asked', async () => {
    const sim = await startCinderSimulator({ port: 0, maxVersion: '3.30', requireToken: true, seed: false, extraGroups: 3 });
    try {
      expect((await call(sim, 'GET', '/')).json.versions[0].version).toBe('3.30');
      expect((await call(sim, 'GET', '/groups')).status).toBe(401);
      const res = await call(sim, 'GET', '/groups', { headers: { ...MV('3.30'), 'x-auth-token': 'admin:x' } });
      expect(res.json.groups).toHaveLength(3);
      const tooNew = await call(sim, 'GET', '/groups', { headers: { ...MV('3.38'), 'x-auth-token': 'admin:x' } });
      expect(tooNew.status).toBe(406);
    } finally {
      await sim.close();
    }
  });
});

describe('the simulator call log', () => {
  it('inside a facade, keeps the most recent calls only (a demo facade serves for as long as it runs)', async () => {
    const { serveSimulator, MAX_RECORDED_CALLS } = await import('../../src/simulator/server.js');
    const sim = await serveSimulator(async () => ({ status: 200, json: {} }), { keepCalls: MAX_RECORDED_CALLS });
    try {
      const total = 2 * MAX_RECORDED_CALLS + 10;
      for (let i = 0; i < total; i += 500) {
        await Promise.all(Array.from({ length: Math.min(500, total - i) }, (_, j) => request(`${sim.origin}/x/${i + j}`).then((r) => r.body.text())));
      }
      expect(sim.calls.length).toBeLessThan(2 * MAX_RECORDED_CALLS);
      expect(sim.calls.length).toBeGreaterThanOrEqual(MAX_RECORDED_CALLS);
      expect(sim.calls.some((c) => c.url === `/x/${total - 1}`)).toBe(true);
      // The count of what arrived is not capped: the bench's calls per query read it.
      expect(sim.received()).toBe(total);
    } finally {
      await sim.close();
    }
  }, 60_000);
});
