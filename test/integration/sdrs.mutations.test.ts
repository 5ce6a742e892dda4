// SDRS writes through the facade: one POST per mutation and never a retry, refusals with the upstream code,
// jobs followed to SUCCESS/FAIL with waitSeconds, the group re-read as the job left it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SDRS_SEED_GROUPS as G, SDRS_SIM_DOMAIN, type startSdrsSimulator } from '../../src/simulator/sdrs/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';

type SdrsSim = Awaited<ReturnType<typeof startSdrsSimulator>>;
const NO_CINDER = { CINDER_URL: 'http://127.0.0.1:9/v3/8a1f2c3d4e5f40718293a4b5c6d7e8f9' };
const STEP_MS = 100;

const PAYLOAD = `jobId job { id jobType status finished errorCode failReason endTime protectionGroup { id } }
  protectionGroup { id status rawStatus protectionState priorityStation productionAvailabilityZone allowedActions }`;

const START = `mutation($id: ID!, $w: Int) { startProtection(input: { id: $id, waitSeconds: $w }) { ${PAYLOAD} } }`;
const STOP = `mutation($id: ID!, $w: Int) { stopProtection(input: { id: $id, waitSeconds: $w }) { ${PAYLOAD} } }`;
const FAILOVER = `mutation($id: ID!, $w: Int) { failoverProtectionGroup(input: { id: $id, waitSeconds: $w }) { ${PAYLOAD} } }`;
const REVERSE = `mutation($id: ID!, $p: PriorityStation!, $w: Int) {
  reverseProtectionGroup(input: { id: $id, priorityStation: $p, waitSeconds: $w }) { ${PAYLOAD} } }`;

describe('SDRS protection actions', () => {
  let f: Facade;
  const sim = () => f.app.simulators.sdrs as SdrsSim;
  const posts = () => sim().calls.filter((c) => c.method === 'POST');

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'sdrs', ...NO_CINDER }, { sdrs: { jobStepMs: STEP_MS } });
  });
  afterAll(() => f.close());
  beforeEach(() => sim().resetCalls());

  it('a 503 on the action is UPSTREAM_UNAVAILABLE after exactly one POST: never retried, never sent twice', async () => {
    sim().injectFault({ status: 503, json: { error: { code: 'SDRS.0006', message: 'busy' } }, methods: ['POST'] });
    const r = await f.gql(START, { id: G.crmWeb });
    expect(r.data).toEqual({ startProtection: null });
    expect(r.errors).toHaveLength(1);
    expect(r.errors?.[0]).toMatchObject({
      path: ['startProtection'],
      message: 'SDRS failed (HTTP 503). The change was not made; it may be sent again.', // its own text ('busy') goes to the log line
      extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'sdrs', status: 503, code: 'SDRS.0006' } },
    });
    expect(posts()).toHaveLength(1);
    expect(sim().calls).toHaveLength(1);
    expect(sim().state.groups.get(G.crmWeb)?.status).toBe('available');
  });

  it('a 500 on the action is not retried either (a retry would have reached the simulator and started a job)', async () => {
    sim().injectFault({ status: 500, json: { error: { code: 'SDRS.0401', message: 'internal' } }, methods: ['POST'] });
    const jobs = sim().state.jobs.size;
    const r = await f.gql(START, { id: G.crmWeb });
    // A server error after taking the write cannot say whether the job started: re-read before trying again.
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'OUTCOME_UNKNOWN', upstream: { code: 'SDRS.0401', status: 500 } } });
    expect(posts()).toHaveLength(1);
    expect(sim().state.jobs.size).toBe(jobs);
    expect(sim().state.groups.get(G.crmWeb)?.status).toBe('available');
  });

  it('a wrong-state refusal (SDRS.1002) is CONFLICT with the upstream code and message', async () => {
    const r = await f.gql(STOP, { id: G.sandboxEmpty });
    expect(r.errors?.[0]).toMatchObject({
      path: ['stopProtection'],
      extensions: { code: 'CONFLICT', upstream: { service: 'sdrs', status: 400, code: 'SDRS.1002' } },
    });
    expect(r.errors?.[0]?.message).toMatch(/Operation not allowed for the protection group in the current state/);
    expect(posts()).toHaveLength(1);
  });

  it('an action on an unknown group is NOT_FOUND with upstream code SDRS.1013', async () => {
    const r = await f.gql(START, { id: randomUUID() });
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND', upstream: { code: 'SDRS.1013', status: 400 } } });
  });

  it('enabling an available group: one POST with the documented body, job SUCCESS, group PROTECTED', async () => {
    const d = await f.ok<any>(START, { id: G.crmWeb, w: 10 });
    const p = d.startProtection;
    expect(p.job).toMatchObject({ id: p.jobId, jobType: 'startProtectionGroupNoCG', status: 'SUCCESS', finished: true, errorCode: null });
    expect(p.job.endTime).toMatch(/Z$/);
    expect(p.protectionGroup).toMatchObject({ id: G.crmWeb, status: 'PROTECTED', protectionState: 'PROTECTED' });
    expect(posts()).toHaveLength(1);
    expect(posts()[0]?.path).toBe(`/v1/${sim().state.projectId}/server-groups/${G.crmWeb}/action`);
    expect(JSON.parse(posts()[0]!.body)).toEqual({ 'start-server-group': {} });
    // polled, not hammered: a job of 2 x 100 ms needs only a few reads
    const jobReads = sim().calls.filter((c) => c.path.endsWith(`/jobs/${p.jobId}`));
    expect(jobReads.length).toBeGreaterThanOrEqual(1);
    expect(jobReads.length).toBeLessThanOrEqual(4);
  });

  it('without waitSeconds the job is read once, still running, and job(id, waitSeconds) follows it to the end', async () => {
    const d = await f.ok<any>(STOP, { id: G.crmWeb });
    const p = d.stopProtection;
    expect(['INIT', 'RUNNING']).toContain(p.job.status);
    expect(p.job.finished).toBe(false);
    expect(p.protectionGroup).toMatchObject({ status: 'STOPPING', protectionState: 'CHANGING', allowedActions: [] });
    expect(sim().calls.map((c) => c.method)).toEqual(['POST', 'GET', 'GET']);
    const { job } = await f.ok<any>(`query($id: ID!) { job(id: $id, waitSeconds: 10) { status finished protectionGroup { status } } }`, { id: p.jobId });
    expect(job).toEqual({ status: 'SUCCESS', finished: true, protectionGroup: { status: 'AVAILABLE' } });
  });

  it('waitSeconds: 0 reads the job once and returns it as it stands', async () => {
    const d = await f.ok<any>(START, { id: G.crmWeb });
    sim().resetCalls();
    const t0 = Date.now();
    const { job } = await f.ok<any>(`query($id: ID!) { job(id: $id, waitSeconds: 0) { status finished } }`, { id: d.startProtection.jobId });
    expect(Date.now() - t0).toBeLessThan(STEP_MS * 2);
    expect(job.finished).toBe(false);
    expect(sim().calls).toHaveLength(1);
    await f.ok(`query($id: ID!) { job(id: $id, waitSeconds: 10) { status } }`, { id: d.startProtection.jobId });
  });

  it('the wait is bounded: a job slower than waitSeconds comes back unfinished after about that long', async () => {
    const slow = await startFacade({ SIMULATE: 'sdrs', ...NO_CINDER }, { sdrs: { jobStepMs: 5_000 } });
    try {
      const t0 = Date.now();
      const d = await slow.ok<any>(START, { id: G.crmWeb, w: 1 });
      const took = Date.now() - t0;
      expect(d.startProtection.job).toMatchObject({ status: 'INIT', finished: false });
      expect(d.startProtection.protectionGroup.status).toBe('STARTING');
      expect(took).toBeGreaterThanOrEqual(1_000);
      expect(took).toBeLessThan(2_500);
      const reads = (slow.app.simulators.sdrs as SdrsSim).calls.filter((c) => c.path.includes('/jobs/'));
      // 250 ms polling for one second: about 5 reads, never a tight loop
      expect(reads.length).toBeGreaterThanOrEqual(3);
      expect(reads.length).toBeLessThanOrEqual(7);
    } finally {
      await slow.close();
    }
  });

  it('the wait also ends in time to answer within the request deadline (REQUEST_DEADLINE_MS)', async () => {
    const short = await startFacade({ SIMULATE: 'sdrs', ...NO_CINDER, REQUEST_DEADLINE_MS: '2500' }, { sdrs: { jobStepMs: 10_000 } });
    try {
      const t0 = Date.now();
      const r = await short.gql(START, { id: G.crmWeb, w: 30 });
      expect(r.errors).toBeUndefined();
      expect(r.data?.startProtection.job).toMatchObject({ finished: false });
      expect(r.data?.startProtection.protectionGroup.status).toBe('STARTING');
      expect(Date.now() - t0).toBeLessThan(2_500);
    } finally {
      await short.close();
    }
  });

  it('a failing job: FAIL with failReason and errorCode, the group in ERROR_STARTING', async () => {
    sim().state.failNextJob('SDRS.1027', 'Failed to enable protection: replication pair hr-data-01 could not start synchronization.');
    const d = await f.ok<any>(START, { id: G.analyticsEtl, w: 10 });
    expect(d.startProtection.job).toMatchObject({ status: 'FAIL', finished: true, errorCode: 'SDRS.1027' });
    expect(d.startProtection.job.failReason).toMatch(/hr-data-01/);
    expect(d.startProtection.protectionGroup).toMatchObject({
      status: 'ERROR_STARTING', rawStatus: 'error-starting', protectionState: 'ERROR', allowedActions: ['START_PROTECTION'],
    });
    const again = await f.ok<any>(START, { id: G.analyticsEtl, w: 10 });
    expect(again.startProtection.protectionGroup.status).toBe('PROTECTED');
  });

  it('failover, then startProtection re-protects: end to end', async () => {
    const fo = (await f.ok<any>(FAILOVER, { id: G.erpProd, w: 10 })).failoverProtectionGroup;
    expect(fo.job).toMatchObject({ jobType: 'failoverProtectionGroupNoCG', status: 'SUCCESS' });
    expect(fo.protectionGroup).toMatchObject({
      status: 'FAILED_OVER', protectionState: 'FAILED_OVER', priorityStation: 'TARGET', productionAvailabilityZone: 'cn-north-4b',
      allowedActions: ['REPROTECT'],
    });
    sim().resetCalls();
    const re = (await f.ok<any>(START, { id: G.erpProd, w: 10 })).startProtection;
    expect(re.job).toMatchObject({ jobType: 'reprotectProtectionGroupNoCG', status: 'SUCCESS' });
    expect(re.protectionGroup).toMatchObject({ status: 'PROTECTED', priorityStation: 'TARGET' });
    expect(JSON.parse(posts()[0]!.body)).toEqual({ 'start-server-group': {} });
  });

  it('reverse with priorityStation switches production back; the current station is refused', async () => {
    const same = await f.gql(REVERSE, { id: G.billingDb, p: 'TARGET' });
    expect(same.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', upstream: { code: 'SDRS.0201' } } });
    sim().resetCalls();
    const rv = (await f.ok<any>(REVERSE, { id: G.billingDb, p: 'SOURCE', w: 10 })).reverseProtectionGroup;
    expect(JSON.parse(posts()[0]!.body)).toEqual({ 'reverse-server-group': { priority_station: 'source' } });
    expect(rv.job).toMatchObject({ jobType: 'reverseProtectionGroupNoCG', status: 'SUCCESS' });
    expect(rv.protectionGroup).toMatchObject({ status: 'PROTECTED', priorityStation: 'SOURCE', productionAvailabilityZone: 'cn-north-4a' });
  });

  it('a payload with the job, its sub-jobs and the group reads each once (loader, no duplicates)', async () => {
    const d = await f.ok<any>(`mutation($id: ID!) { stopProtection(input: { id: $id }) {
      jobId job { id protectionGroup { id name } subJobs { id protectionGroup { id name } } }
      protectionGroup { id status } } }`, { id: G.billingDb });
    const p = d.stopProtection;
    expect(p.job.subJobs.length).toBeGreaterThan(0);
    for (const s of p.job.subJobs) expect(s.protectionGroup.id).toBe(G.billingDb);
    const list = sim().calls.map((c) => `${c.method} ${c.path}`);
    const proj = sim().state.projectId;
    expect(list.sort()).toEqual([
      `GET /v1/${proj}/jobs/${p.jobId}`,
      `GET /v1/${proj}/server-groups/${G.billingDb}`,
      `POST /v1/${proj}/server-groups/${G.billingDb}/action`,
    ]);
    await f.ok(`query($id: ID!) { job(id: $id, waitSeconds: 10) { status } }`, { id: p.jobId });
  });

  it('when reading the job after the action fails, the mutation still reports jobId and the group', async () => {
    const before = sim().state.jobs.size;
    // times 2: GETs get one retry for a 503 (HttpClient), so the job read fails only when both attempts do.
    sim().injectFault({ status: 503, json: { error: { code: 'SDRS.0006', message: 'busy' } }, methods: ['GET'], times: 2 });
    const r = await f.gql(START, { id: G.billingDb });
    expect(sim().state.jobs.size).toBe(before + 1);
    expect(r.data?.startProtection.jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(r.data?.startProtection.job).toBeNull();
    expect(r.data?.startProtection.protectionGroup).toMatchObject({ id: G.billingDb, status: 'STARTING' });
    expect(r.errors).toHaveLength(1);
    expect(r.errors?.[0]).toMatchObject({ path: ['startProtection', 'job'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    // As Cinder's and Manila's re-reads say it (write probe of 2026-12-08): the action was made.
    expect(r.errors?.[0]?.message).toMatch(/^The change was made, but reading the object back failed/);
    expect(posts()).toHaveLength(1);
    await f.ok(`query($id: ID!) { job(id: $id, waitSeconds: 10) { status } }`, { id: r.data?.startProtection.jobId });
  });
});

describe('SDRS create, rename and delete', () => {
  let f: Facade;
  const sim = () => f.app.simulators.sdrs as SdrsSim;

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'sdrs', ...NO_CINDER }, { sdrs: { jobStepMs: 50 } });
  });
  afterAll(() => f.close());

  const CREATE = `mutation($in: CreateProtectionGroupInput!) { createProtectionGroup(input: $in) {
    jobId job { jobType status entities { protectionGroupId } } protectionGroup { id name description status sourceAvailabilityZone } } }`;

  it('creates, renames and deletes a group, following each job', async () => {
    const c = (await f.ok<any>(CREATE, { in: {
      name: 'payroll-dr', description: 'Payroll batch servers', sourceAvailabilityZone: 'cn-north-4a',
      targetAvailabilityZone: 'cn-north-4b', domainId: SDRS_SIM_DOMAIN.id, sourceVpcId: '7d2e9f41-3a6b-4c8d-9e0f-1a2b3c4d5e6f', waitSeconds: 10,
    } })).createProtectionGroup;
    expect(c.job).toMatchObject({ jobType: 'createProtectionGroupNoCG', status: 'SUCCESS' });
    const id = c.job.entities.protectionGroupId;
    expect(c.protectionGroup).toEqual({
      id, name: 'payroll-dr', description: 'Payroll batch servers', status: 'AVAILABLE', sourceAvailabilityZone: 'cn-north-4a',
    });
    const sent = sim().calls.find((x) => x.method === 'POST');
    expect(JSON.parse(sent!.body)).toEqual({ server_group: {
      name: 'payroll-dr', description: 'Payroll batch servers', source_availability_zone: 'cn-north-4a',
      target_availability_zone: 'cn-north-4b', domain_id: SDRS_SIM_DOMAIN.id, source_vpc_id: '7d2e9f41-3a6b-4c8d-9e0f-1a2b3c4d5e6f',
      dr_type: 'migration',
    } });

    sim().resetCalls();
    const rn = await f.ok<any>('mutation($id: ID!) { renameProtectionGroup(input: { id: $id, name: "payroll-batch-dr" }) { protectionGroup { id name } } }', { id });
    expect(rn.renameProtectionGroup.protectionGroup).toEqual({ id, name: 'payroll-batch-dr' });
    expect(sim().calls.map((x) => x.method)).toEqual(['PUT']);
    expect(JSON.parse(sim().calls[0]!.body)).toEqual({ server_group: { name: 'payroll-batch-dr' } });

    sim().resetCalls();
    const del = (await f.ok<any>('mutation($id: ID!) { deleteProtectionGroup(input: { id: $id, waitSeconds: 10 }) { id jobId job { jobType status } protectionGroup { id } } }', { id })).deleteProtectionGroup;
    expect(del).toMatchObject({ id, job: { jobType: 'deleteProtectionGroupNoCG', status: 'SUCCESS' }, protectionGroup: null });
    expect(sim().calls.filter((x) => x.method === 'DELETE')).toHaveLength(1);
    expect((await f.ok<any>('query($id: ID!) { protectionGroup(id: $id) { id } }', { id })).protectionGroup).toBeNull();
  });

  it('an invalid create is BAD_USER_INPUT with the SDRS code (lower-case badrequest envelope)', async () => {
    // A zone outside the domain: only SDRS knows a domain's zones (a bad name, a blank zone or the same zone on
    // both sides is refused before any call).
    const r = await f.gql(CREATE, { in: {
      name: 'other-zone', sourceAvailabilityZone: 'cn-north-4a', targetAvailabilityZone: 'cn-north-4z',
      domainId: SDRS_SIM_DOMAIN.id, sourceVpcId: '7d2e9f41-3a6b-4c8d-9e0f-1a2b3c4d5e6f',
    } });
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', upstream: { code: 'SDRS.0203', status: 400 } } });
  });

  it.each([
    [G.crmWeb, 'SDRS.1001'],
    [G.legacyArchive, 'SDRS.1003'],
  ])('deleting %s is refused as CONFLICT %s', async (id, code) => {
    const r = await f.gql('mutation($id: ID!) { deleteProtectionGroup(input: { id: $id }) { jobId } }', { id });
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', upstream: { code } } });
  });

  it('renaming an unknown group is NOT_FOUND', async () => {
    const r = await f.gql(`mutation { renameProtectionGroup(input: { id: "${randomUUID()}", name: "x" }) { protectionGroup { id } } }`);
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND', upstream: { code: 'SDRS.1013' } } });
  });
});
