import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SDRS_SEED_GROUPS as G,
  SDRS_SEED_JOBS as J,
  SDRS_SIM_DOMAIN,
  startSdrsSimulator,
  type SdrsJobWire,
  type SdrsProtectionGroupWire,
} from '../../src/simulator/sdrs/index.js';

type Sim = Awaited<ReturnType<typeof startSdrsSimulator>>;
let sim: Sim;

interface Reply {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read arbitrary wire shapes
}

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await request(url.startsWith('http') ? url : `${sim.endpoint}${url}`, {
    method: method as 'GET',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text === '' ? undefined : JSON.parse(text) };
}

async function group(id: string): Promise<SdrsProtectionGroupWire> {
  const r = await call('GET', `/server-groups/${id}`);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.server_group as SdrsProtectionGroupWire;
}

/** Polls a job until SUCCESS/FAIL; returns the final job and every status seen on the way. */
async function waitJob(jobId: string): Promise<{ job: SdrsJobWire; seen: string[] }> {
  const seen: string[] = [];
  const deadline = Date.now() + 2_000;
  for (;;) {
    const r = await call('GET', `/jobs/${jobId}`);
    expect(r.status).toBe(200);
    const job = r.json as SdrsJobWire;
    if (seen.at(-1) !== job.status) seen.push(job.status);
    if (job.status === 'SUCCESS' || job.status === 'FAIL') return { job, seen };
    if (Date.now() > deadline) throw new Error(`job ${jobId} stuck in ${job.status}`);
    await new Promise((r2) => setTimeout(r2, 5));
  }
}

async function act(id: string, body: unknown): Promise<Reply> {
  return call('POST', `/server-groups/${id}/action`, body);
}

beforeEach(async () => {
  sim = await startSdrsSimulator({ port: 0, jobStepMs: 30 });
});
afterEach(async () => {
  await sim.close();
});

describe('SDRS simulator: reads', () => {
  it('serves version documents at / and /v1', async () => {
    const root = await call('GET', `${sim.origin}/`);
    expect(root.json.versions[0]).toMatchObject({ id: 'v1', status: 'CURRENT', version: '', min_version: '' });
    const v1 = await call('GET', `${sim.origin}/v1`);
    expect(v1.json.version.links[0].href).toBe(`${sim.origin}/v1`);
  });

  it('lists with count, created_at desc, and offset/limit pages', async () => {
    const all = await call('GET', '/server-groups');
    expect(all.status).toBe(200);
    expect(all.json.count).toBe(7);
    const groups = all.json.server_groups as SdrsProtectionGroupWire[];
    expect(groups.map((g) => g.created_at)).toEqual([...groups.map((g) => g.created_at)].sort().reverse());
    expect(groups[0]?.id).toBe(G.sandboxEmpty);
    expect(Object.keys(groups[0] ?? {})).toHaveLength(25);

    const page1 = await call('GET', '/server-groups?limit=3&offset=0');
    const page3 = await call('GET', '/server-groups?limit=3&offset=6');
    expect(page1.json.count).toBe(7);
    expect(page1.json.server_groups.map((g: SdrsProtectionGroupWire) => g.id)).toEqual(groups.slice(0, 3).map((g) => g.id));
    expect(page3.json.server_groups).toHaveLength(1);
    expect((await call('GET', '/server-groups?limit=0')).json).toEqual({ server_groups: [], count: 7 });
  });

  it('filters by status, fuzzy name, query_type and current production AZ', async () => {
    const ids = async (q: string): Promise<string[]> =>
      ((await call('GET', `/server-groups?${q}`)).json.server_groups as SdrsProtectionGroupWire[]).map((g) => g.id).sort();
    expect(await ids('status=protected')).toEqual([G.erpProd, G.billingDb].sort());
    expect(await ids('name=PORTAL')).toEqual([G.hrPortal]);
    expect(await ids('query_type=status_abnormal')).toEqual([G.analyticsEtl]);
    expect(await ids('availability_zone=cn-north-4b')).toEqual([G.billingDb]);
    expect((await call('GET', '/server-groups?query_type=general')).json.count).toBe(7);
  });

  it('rejects bad limit and offset with SDRS.0221 / SDRS.0222', async () => {
    for (const q of ['limit=abc', 'limit=1001', 'limit=-1', 'limit=']) {
      const r = await call('GET', `/server-groups?${q}`);
      expect([r.status, r.json.error.code], q).toEqual([400, 'SDRS.0221']);
    }
    const r = await call('GET', '/server-groups?offset=-2');
    expect([r.status, r.json.error.code]).toEqual([400, 'SDRS.0222']);
  });

  it('shows every field; null status fields on the post-upgrade group; unknown id is 400 SDRS.1013', async () => {
    const sandbox = await group(G.sandboxEmpty);
    expect(sandbox).toMatchObject({ protected_status: null, replication_status: null, health_status: null, server_type: 'ECS' });
    expect(sandbox.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    const missing = await call('GET', '/server-groups/0d4c1a6e-0000-4000-8000-000000000000');
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe('SDRS.1013');
  });

  it('returns the seeded historical jobs and 404 itemNotFound for an unknown job', async () => {
    const ok = await call('GET', `/jobs/${J.hrPortalFailover}`);
    expect(ok.json).toMatchObject({ status: 'SUCCESS', error_code: null, fail_reason: null, job_type: 'failoverProtectionGroupNoCG' });
    expect(ok.json.entities.sub_jobs).toHaveLength(2);
    const failed = await call('GET', `/jobs/${J.analyticsStartFailed}`);
    expect(failed.json).toMatchObject({ status: 'FAIL', error_code: 'SDRS.1027' });
    const none = await call('GET', '/jobs/ff8080820000000000000000000000ff');
    expect([none.status, none.json.itemNotFound.code]).toEqual([404, 'SDRS.0408']);
  });
});

describe('SDRS simulator: actions and jobs', () => {
  it('refuses start on a protected group with SDRS.1002', async () => {
    const r = await act(G.erpProd, { 'start-server-group': {} });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('SDRS.1002');
  });

  it('enables an available group: job INIT/RUNNING -> SUCCESS, group starting -> protected', async () => {
    const r = await act(G.crmWeb, { 'start-server-group': {} });
    expect(r.status).toBe(200);
    expect(r.json.job_id).toMatch(/^[0-9a-f]{32}$/);
    expect((await group(G.crmWeb)).status).toBe('starting');
    const { job, seen } = await waitJob(r.json.job_id as string);
    expect(seen[0]).toMatch(/^(INIT|RUNNING)$/);
    expect(seen.at(-1)).toBe('SUCCESS');
    expect(['INIT', 'RUNNING', 'SUCCESS']).toEqual(expect.arrayContaining(seen));
    expect(job).toMatchObject({ job_type: 'startProtectionGroupNoCG', error_code: null, fail_reason: null });
    expect(job.end_time).not.toBeNull();
    expect(job.entities.server_group_id).toBe(G.crmWeb);
    expect(job.entities.sub_jobs?.[0]).toMatchObject({ job_type: 'startProtectionGroupRepNoCG', status: 'SUCCESS' });
    expect(await group(G.crmWeb)).toMatchObject({ status: 'protected', protected_status: 'started', replication_status: 'active', health_status: 'normal' });
  });

  it('failNextJob makes the next job FAIL and the group error-stopping', async () => {
    sim.state.failNextJob('SDRS.1028', 'Failed to disable protection.');
    const r = await act(G.erpProd, { 'stop-server-group': {} });
    const { job } = await waitJob(r.json.job_id as string);
    expect(job).toMatchObject({ status: 'FAIL', error_code: 'SDRS.1028', fail_reason: 'Failed to disable protection.' });
    expect(job.entities.sub_jobs?.at(-1)?.status).toBe('FAIL');
    expect(await group(G.erpProd)).toMatchObject({ status: 'error-stopping', health_status: 'abnormal' });
    expect(sim.state.groups.get(G.erpProd)?.status).toBe('error-stopping');
    // retry from error-stopping succeeds
    const retry = await act(G.erpProd, { 'stop-server-group': {} });
    expect((await waitJob(retry.json.job_id as string)).job.status).toBe('SUCCESS');
    expect((await group(G.erpProd)).status).toBe('available');
  });

  it('fails over, then re-protects with start-server-group', async () => {
    const fo = await act(G.erpProd, { 'failover-server-group': {} });
    expect((await waitJob(fo.json.job_id as string)).job.job_type).toBe('failoverProtectionGroupNoCG');
    expect(await group(G.erpProd)).toMatchObject({ status: 'failed-over', priority_station: 'target' });
    const rp = await act(G.erpProd, { 'start-server-group': {} });
    expect(rp.status).toBe(200);
    expect((await group(G.erpProd)).status).toBe('reprotecting');
    const { job } = await waitJob(rp.json.job_id as string);
    expect(job).toMatchObject({ status: 'SUCCESS', job_type: 'reprotectProtectionGroupNoCG' });
    expect(await group(G.erpProd)).toMatchObject({ status: 'protected', priority_station: 'target' });
  });

  it('reverses to the requested site and rejects a bad priority_station', async () => {
    const same = await act(G.billingDb, { 'reverse-server-group': { priority_station: 'target' } });
    expect([same.status, same.json.badrequest.code]).toEqual([400, 'SDRS.0201']);
    const r = await act(G.billingDb, { 'reverse-server-group': { priority_station: 'source' } });
    await waitJob(r.json.job_id as string);
    expect(await group(G.billingDb)).toMatchObject({ status: 'protected', priority_station: 'source' });
  });

  it('validates the action body: zero, several or unknown keys', async () => {
    expect((await act(G.crmWeb, {})).json.badrequest.code).toBe('SDRS.0201');
    expect((await act(G.crmWeb, { 'start-server-group': {}, 'stop-server-group': {} })).json.badrequest.code).toBe('SDRS.0206');
    const unknown = await act(G.crmWeb, { 'os-start': {} });
    expect([unknown.status, unknown.json.badrequest.code]).toEqual([400, 'SDRS.0206']);
  });

  it('creates, renames and deletes; delete is refused while members remain', async () => {
    const bad = await call('POST', '/server-groups', { server_group: { name: 'no spaces allowed' } });
    expect([bad.status, bad.json.badrequest.code]).toEqual([400, 'SDRS.0202']);
    const created = await call('POST', '/server-groups', {
      server_group: {
        name: 'payments-api-dr', source_availability_zone: 'cn-north-4a', target_availability_zone: 'cn-north-4b',
        domain_id: SDRS_SIM_DOMAIN.id, source_vpc_id: '5b6c7d8e-9f01-4234-8567-89abcdef0123', dr_type: 'migration',
      },
    });
    expect(created.status).toBe(200);
    const { job } = await waitJob(created.json.job_id as string);
    expect(job.job_type).toBe('createProtectionGroupNoCG');
    const id = job.entities.server_group_id as string;
    expect(await group(id)).toMatchObject({ status: 'available', name: 'payments-api-dr', priority_station: 'source' });
    const renamed = await call('PUT', `/server-groups/${id}`, { server_group: { name: 'payments-dr' } });
    expect(renamed.json.server_group.name).toBe('payments-dr');

    expect((await call('DELETE', `/server-groups/${G.crmWeb}`)).json.error.code).toBe('SDRS.1001');
    expect((await call('DELETE', `/server-groups/${G.legacyArchive}`)).json.error.code).toBe('SDRS.1003');
    const del = await call('DELETE', `/server-groups/${G.sandboxEmpty}`);
    expect(del.status).toBe(200);
    expect((await group(G.sandboxEmpty)).status).toBe('deleting');
    expect((await waitJob(del.json.job_id as string)).job.status).toBe('SUCCESS');
    expect((await call('GET', `/server-groups/${G.sandboxEmpty}`)).json.error.code).toBe('SDRS.1013');
    expect(sim.state.groups.has(G.sandboxEmpty)).toBe(false);
  });

  it('answers unknown paths with 404 and wrong project with SDRS.0001', async () => {
    const r = await call('GET', `${sim.origin}/v1/${sim.state.projectId}/server_groups`);
    expect([r.status, r.json.error_code]).toEqual([404, 'APIGW.0101']);
    const other = await call('GET', `${sim.origin}/v1/0000/server-groups`);
    expect([other.status, other.json.error.code]).toEqual([400, 'SDRS.0001']);
  });
});

describe('SDRS simulator: options', () => {
  it('requireToken, iso timestamps, extraGroups and seed:false', async () => {
    const s = await startSdrsSimulator({ requireToken: true, timestampFormat: 'iso', extraGroups: 25 });
    try {
      const anon = await request(`${s.endpoint}/server-groups`);
      expect(anon.statusCode).toBe(401);
      await anon.body.dump();
      const res = await request(`${s.endpoint}/server-groups?limit=1`, { headers: { 'x-auth-token': 'tok' } });
      const body = (await res.body.json()) as { count: number; server_groups: SdrsProtectionGroupWire[] };
      expect(body.count).toBe(32);
      expect(body.server_groups[0]?.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    } finally {
      await s.close();
    }
    const empty = await startSdrsSimulator({ seed: false });
    try {
      const res = await request(`${empty.endpoint}/server-groups`);
      expect(await res.body.json()).toEqual({ server_groups: [], count: 0 });
    } finally {
      await empty.close();
    }
  });
});
