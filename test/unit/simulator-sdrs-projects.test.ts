// The SDRS simulator with projects and roles: `role:project` tokens, one project's protection groups and jobs per
// project, readers refused writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { SDRS_SEED_GROUPS, SDRS_SEED_JOBS, SDRS_SIM_DOMAIN, startSdrsSimulator } from '../../src/simulator/sdrs/index.js';
import { BETA_PROJECT, DEMO_PROJECT } from '../../src/simulator/identity.js';

type Sim = Awaited<ReturnType<typeof startSdrsSimulator>>;

const A = DEMO_PROJECT.id;
const B = BETA_PROJECT.id;

interface Res {
  status: number;
  text: string;
  json: any;
}

let sim: Sim;

async function call(token: string | null, method: string, project: string, path: string, body?: unknown): Promise<Res> {
  const headers: Record<string, string> = {};
  if (token) headers['x-auth-token'] = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${sim.origin}/v1/${project}${path}`, {
    method: method as 'GET',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: text ? JSON.parse(text) : undefined };
}

const createBody = {
  server_group: {
    name: 'beta-pg',
    source_availability_zone: SDRS_SIM_DOMAIN.availability_zones[0],
    target_availability_zone: SDRS_SIM_DOMAIN.availability_zones[1],
    domain_id: SDRS_SIM_DOMAIN.id,
    source_vpc_id: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9',
  },
};

describe('SDRS simulator: projects and roles', () => {
  let betaGroup: string;
  let betaJob: string;

  beforeAll(async () => {
    sim = await startSdrsSimulator({ jobStepMs: 5 });
    const created = await call(`member:${B}`, 'POST', B, '/server-groups', createBody);
    expect(created.status, created.text).toBe(200);
    betaJob = created.json.job_id;
    betaGroup = (await call(`member:${B}`, 'GET', B, `/jobs/${betaJob}`)).json.entities.server_group_id;
  });
  afterAll(() => sim.close());

  it('each project lists its own protection groups; tokens naming no role act for the URL project', async () => {
    const beta = await call(`reader:${B}`, 'GET', B, '/server-groups');
    expect(beta.json.server_groups.map((g: { id: string }) => g.id)).toEqual([betaGroup]);
    expect(beta.json.count).toBe(1);
    const demo = await call(`reader:${A}`, 'GET', A, '/server-groups');
    expect(demo.json.count).toBe(Object.keys(SDRS_SEED_GROUPS).length);
    expect((await call('bench-token', 'GET', B, '/server-groups')).json.count).toBe(1);
    expect((await call(null, 'GET', A, '/server-groups')).json.count).toBe(Object.keys(SDRS_SEED_GROUPS).length);
  });

  it("another project's URL, or a malformed project id, is 400 SDRS.0001", async () => {
    const other = await call(`admin:${B}`, 'GET', A, '/server-groups');
    expect([other.status, other.json.error.code]).toEqual([400, 'SDRS.0001']);
    const malformed = await call(null, 'GET', 'proj1', '/server-groups');
    expect([malformed.status, malformed.json.error.code]).toEqual([400, 'SDRS.0001']);
  });

  it("another project's group and job are unknown (SDRS.1013, SDRS.0408), even to an admin", async () => {
    const g = await call(`admin:${B}`, 'GET', B, `/server-groups/${SDRS_SEED_GROUPS.hrPortal}`);
    expect([g.status, g.json.error.code]).toEqual([400, 'SDRS.1013']);
    const j = await call(`admin:${B}`, 'GET', B, `/jobs/${SDRS_SEED_JOBS.hrPortalFailover}`);
    expect([j.status, j.json.itemNotFound.code]).toEqual([404, 'SDRS.0408']);
    expect((await call(`member:${A}`, 'GET', A, `/jobs/${betaJob}`)).status).toBe(404);
    expect((await call(`member:${A}`, 'PUT', A, `/server-groups/${betaGroup}`, { server_group: { name: 'x' } })).json.error.code).toBe('SDRS.1013');
  });

  it('a reader cannot write (SDRS.0004), a member can', async () => {
    const denied = { error: { code: 'SDRS.0004', message: 'Incorrect API invoking permissions' } };
    const rename = await call(`reader:${B}`, 'PUT', B, `/server-groups/${betaGroup}`, { server_group: { name: 'renamed' } });
    expect([rename.status, rename.json]).toEqual([400, denied]);
    expect((await call(`reader:${B}`, 'POST', B, '/server-groups', createBody)).json).toEqual(denied);
    expect((await call(`reader:${B}`, 'DELETE', B, `/server-groups/${betaGroup}`)).json).toEqual(denied);
    expect((await call(`reader:${B}`, 'POST', B, `/server-groups/${betaGroup}/action`, { 'stop-server-group': {} })).json).toEqual(denied);
    expect((await call(`reader:${B}`, 'GET', B, `/server-groups/${betaGroup}`)).json.server_group.name).toBe('beta-pg');
    const ok = await call(`member:${B}`, 'PUT', B, `/server-groups/${betaGroup}`, { server_group: { name: 'renamed' } });
    expect([ok.status, ok.json.server_group.name]).toEqual([200, 'renamed']);
  });
});
