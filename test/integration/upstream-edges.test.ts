// Upstreams that misbehave in ways a probe found. A version document sent a byte at a time held every request to
// that service forever (the shared read had no deadline and nobody waited on it less than forever), filled the
// in-flight slots, and held the shutdown. A version that is not major.minor made every field of the service an
// INTERNAL_SERVER_ERROR, cached for five minutes. A Keystone catalog of another shape (a URL that is not one, no
// endpoint list) made the whole request a 500.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCinderSimulator } from '../../src/simulator/cinder/index.js';
import { createSdrsSimulator } from '../../src/simulator/sdrs/index.js';
import { type RunningSimulator, serveSimulator } from '../../src/simulator/server.js';
import { createAgent } from '../../src/upstreams/http.js';
import { SdrsClient } from '../../src/upstreams/sdrs/client.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type FaultyProxy, answer, faultyProxy, forwardThen, trickle } from '../helpers/faultyProxy.js';
import { sseSubscribe } from '../helpers/live.js';
import { logCapture } from '../helpers/logs.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const VERSION_DOCUMENT = /^GET \/$/;

let sim: RunningSimulator | undefined;
let proxy: FaultyProxy | undefined;
let f: Facade | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await f?.close();
  for (const c of closers.splice(0)) await c();
  await proxy?.close();
  await sim?.close();
  f = proxy = sim = undefined;
});

async function cinderBehindProxy(env: Record<string, string> = {}) {
  sim = await serveSimulator(createCinderSimulator({}).handler);
  proxy = await faultyProxy(sim.origin);
  return proxy;
}

const startOn = (p: FaultyProxy, env: Record<string, string> = {}) => startFacade({ CINDER_URL: `${p.origin}/v3/${PROJECT}`, ...env });

describe('a version document that never ends', () => {
  it('each request waits on it no longer than its deadline, and the facade still closes at once', async () => {
    const p = await cinderBehindProxy();
    p.misbehave(VERSION_DOCUMENT, trickle);
    f = await startOn(p, { REQUEST_DEADLINE_MS: '1500' });
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const r = await f.gql('{ groups(first: 1) { nodes { id } } }');
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
      expect(r.errors?.[0]?.message).toMatch(/Cinder did not send its version document before the request deadline/);
    }
    // Both requests shared the one read (the start-up's) rather than starting more.
    expect(p.seen.filter((s) => VERSION_DOCUMENT.test(s))).toHaveLength(1);
    const closing = Date.now();
    await f.close();
    f = undefined;
    expect(Date.now() - closing).toBeLessThan(3_000);
  });
});

describe('a version document that does not read as versions', () => {
  it('is UPSTREAM_ERROR, not an internal error, and is read again by the next request', async () => {
    const p = await cinderBehindProxy();
    p.misbehave(VERSION_DOCUMENT, answer(200, { versions: [{ id: 'v3.0', status: 'CURRENT', version: 'banana', min_version: '3.0' }] }));
    f = await startOn(p);
    const r = await f.gql('{ groups(first: 1) { nodes { id } } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/Cinder advertised its v3 API at a version that is not major.minor/);
    p.heal();
    const healed = await f.gql('{ groups(first: 1) { nodes { id } } }');
    expect(healed.errors).toBeUndefined();
  });
});

describe('a Keystone whose token answers carry a malformed catalog', () => {
  /** A Keystone that accepts any token as an admin of PROJECT, with `catalog` as given. */
  async function keystoneWith(catalog: unknown) {
    const server = createServer((req, res) => {
      if (!req.url?.startsWith('/v3/auth/tokens')) return void res.writeHead(404).end();
      const token = { user: { id: 'u1', name: 'alice' }, project: { id: PROJECT, name: 'demo' }, roles: [{ name: 'admin' }], expires_at: new Date(Date.now() + 3_600_000).toISOString(), catalog };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
  }

  it("costs the caller that service's fields (UPSTREAM_UNAVAILABLE), not the request a 500", async () => {
    const volume = (url: unknown) => [{ type: 'volumev3', endpoints: [{ interface: 'public', url }] }];
    for (const catalog of [volume('not a url'), volume(123), volume('ftp://x/v3'), [{ type: 'volumev3', endpoints: null }], {}, 'x', [null, 5]]) {
      f = await startFacade({ KEYSTONE_URL: await keystoneWith(catalog) });
      const r = await f.gql('{ viewer { user { name } } groups(first: 1) { nodes { id } } }', undefined, { token: 'any-token' });
      expect(r.status, JSON.stringify(catalog)).toBe(200);
      expect(r.data?.viewer).toEqual({ user: { name: 'alice' } });
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(catalog)).toBe('UPSTREAM_UNAVAILABLE');
      await f.close();
      f = undefined;
    }
  });
});

describe('answers of another shape than the API', () => {
  it('a listing or an object that is not one is UPSTREAM_ERROR on its field, never an empty list or null', async () => {
    const p = await cinderBehindProxy();
    f = await startOn(p);
    const group = '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01';
    for (const body of [null, 'a string', [1, 2], { groups: 5 }, { groups: { a: 1 } }, { groups: [null] }, { groups: [{ name: 'no id' }] }]) {
      p.heal();
      p.misbehave(/^GET \/v3\/[^/]+\/groups\/detail/, answer(200, body));
      const r = await f.gql('{ groups(first: 2) { nodes { id } } }');
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(body)).toBe('UPSTREAM_ERROR');
      expect(r.errors?.[0]?.message).toMatch(/^Cinder answered HTTP 200 with (no "groups" list|an item of "groups" without an id)\.$/);
    }
    p.heal();
    p.misbehave(/^GET \/v3\/[^/]+\/groups\/9c4a/, answer(200, {}));
    const lookup = await f.gql(`{ group(id: "${group}") { id } }`);
    expect(lookup.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
  });

  it('a create the upstream accepted with an answer that names no object is OUTCOME_UNKNOWN, and nothing is read at a made-up id', async () => {
    const p = await cinderBehindProxy();
    f = await startOn(p);
    for (const body of [{}, { group_snapshot: { id: { a: 1 } } }]) {
      p.heal();
      p.misbehave(/^POST \/v3\/[^/]+\/group_snapshots$/, answer(202, body));
      const seen = p.seen.length;
      const r = await f.gql('mutation { createGroupSnapshot(input: { groupId: "9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01", name: "x" }) { groupSnapshot { id } } }');
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(body)).toBe('OUTCOME_UNKNOWN');
      expect(r.errors?.[0]?.message).toMatch(/accepted the change \(HTTP 202\).*re-read the object before trying again/);
      expect(p.seen.slice(seen).filter((s) => s.includes('object%20Object'))).toEqual([]);
    }
  });
});

describe('what of an upstream error reaches the client', () => {
  it("a server error's text stays in the log; a refusal's is cut short; a request id that is not one is dropped", async () => {
    const p = await cinderBehindProxy();
    f = await startOn(p);
    const traceback = 'Traceback (most recent call last): password=hunter2 host=db.internal';
    p.misbehave(/^GET \/v3\/[^/]+\/groups\/detail/, (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'x-openstack-request-id': '<html>tok-abc</html>' });
      res.end(JSON.stringify({ computeFault: { code: 500, message: traceback } }));
    });
    const failed = await f.gql('{ groups(first: 1) { nodes { id } } }');
    expect(failed.raw).not.toContain('hunter2');
    expect(failed.raw).not.toContain('tok-abc');
    expect(failed.errors?.[0]?.message).toBe('Cinder failed (HTTP 500).');
    expect(failed.errors?.[0]?.extensions?.upstream).toMatchObject({ status: 500, requestId: null });

    p.heal();
    p.misbehave(/^GET \/v3\/[^/]+\/groups\/detail/, answer(400, { badRequest: { code: 400, message: `Invalid filter\u0000 ${'x'.repeat(20_000)}` } }));
    const refused = await f.gql('{ groups(first: 1) { nodes { id } } }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message.length).toBeLessThanOrEqual(501);
    expect(refused.errors?.[0]?.message).toMatch(/^Invalid filter x+…$/);
  });
});

describe('a write that was made, then could not be read back', () => {
  it("its error says the change was made, so that nobody sends it again; the write went out once", async () => {
    const p = await cinderBehindProxy();
    f = await startOn(p);
    p.misbehave(/^GET \/v3\/[^/]+\/group_snapshots\/[0-9a-f-]{36}$/, answer(500, { computeFault: { code: 500, message: 'db down' } }));
    const r = await f.gql('mutation { createGroupSnapshot(input: { groupId: "9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01", name: "made" }) { groupSnapshot { id } } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(r.errors?.[0]?.message).toBe('The change was made, but reading the object back failed, so it is not shown here (do not send the change again): Cinder failed (HTTP 500).');
    expect(p.seen.filter((s) => /^POST .*\/group_snapshots$/.test(s))).toHaveLength(1);
  });
});

describe('an SDRS job whose status is not a string', () => {
  it('is UNKNOWN and unfinished, and a subscription to it goes on: it killed the process', async () => {
    sim = await serveSimulator(createSdrsSimulator({}).handler);
    proxy = await faultyProxy(sim.origin);
    const job = 'ff8080828f3a61c00195a1b2c3d40001';
    proxy.misbehave(new RegExp(`^GET /v1/[^/]+/jobs/${job}$`), answer(200, { job_id: job, status: 7, job_type: 'x', begin_time: null, end_time: null, error_code: null, fail_reason: null, entities: {} }));
    f = await startFacade({ SDRS_URL: `${proxy.origin}/v1/${PROJECT}` });
    const read = await f.gql(`{ job(id: "${job}") { id status finished } }`);
    expect(read.errors).toBeUndefined();
    expect(read.data?.job).toMatchObject({ status: 'UNKNOWN', finished: false });
    const sub = await sseSubscribe(f.url, `subscription { job(id: "${job}") { id status } }`);
    expect((await sub.next()) as unknown).toMatchObject({ data: { job: { status: 'UNKNOWN' } } });
    sub.close();
    // Still up: the poller judged the object inside its own error handling.
    await new Promise((r) => setTimeout(r, 300));
    expect((await f.gql('{ __typename }')).status).toBe(200);
  });
});

describe('more answers of another shape (a second probe)', () => {
  const crmWeb = 'c4d8a1f6-2e7b-4c90-b5d3-6e1f2a3b4c52';

  it('SDRS: listings, lookups and accepted actions', async () => {
    sim = await serveSimulator(createSdrsSimulator({}).handler);
    proxy = await faultyProxy(sim.origin);
    f = await startFacade({ SDRS_URL: `${proxy.origin}/v1/${PROJECT}` });
    proxy.misbehave(/^GET \/v1\/[^/]+\/server-groups\?/, answer(200, { server_groups: [null, 5], count: 2 }));
    expect((await f.gql('{ protectionGroups { nodes { id } } }')).errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    proxy.heal();
    proxy.misbehave(/^GET \/v1\/[^/]+\/server-groups\/c4d8/, answer(200, {}));
    expect((await f.gql(`{ protectionGroup(id: "${crmWeb}") { id } }`)).errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    proxy.heal();
    proxy.misbehave(/^GET \/v1\/[^/]+\/protected-instances/, answer(200, { protected_instances: 'nope', count: 0 }));
    const members = await f.gql(`{ protectionGroup(id: "${crmWeb}") { protectedInstances { totalCount } } }`);
    expect(members.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    proxy.heal();
    // An action SDRS accepted (202) without a job id: the work may have started.
    proxy.misbehave(/^POST \/v1\/[^/]+\/server-groups\/c4d8.*\/action$/, answer(202, {}));
    const start = await f.gql(`mutation { startProtection(input: { id: "${crmWeb}" }) { job { id } } }`);
    expect(start.errors?.[0]?.extensions).toMatchObject({ code: 'OUTCOME_UNKNOWN', upstream: { status: 202 } });
  });

  it('Cinder: a created group type with no object, zones that are not objects, an error code that is no code', async () => {
    const p = await cinderBehindProxy();
    f = await startOn(p);
    p.misbehave(/^POST \/v3\/[^/]+\/group_types$/, answer(202, {}));
    const created = await f.gql('mutation { createGroupType(input: { name: "t1" }) { groupType { id } } }');
    expect(created.errors?.[0]?.extensions?.code).toBe('OUTCOME_UNKNOWN');
    p.heal();
    p.misbehave(/^GET \/v3\/[^/]+\/os-availability-zone/, answer(200, { availabilityZoneInfo: [null, { zoneName: 'nova', zoneState: { available: true } }] }));
    const zones = await f.gql('{ availabilityZones { name } }');
    expect(zones.errors).toBeUndefined();
    expect(zones.data?.availabilityZones).toEqual([expect.objectContaining({ name: 'nova' })]);
    p.heal();
    p.misbehave(/^GET \/v3\/[^/]+\/groups\/detail/, answer(400, { [`${'K'.repeat(20_000)}\u0001<script>`]: { message: 'x' } }));
    const refused = await f.gql('{ groups(first: 1) { nodes { id } } }');
    expect(refused.errors?.[0]?.extensions?.upstream?.code).toBeNull();
    expect(refused.raw.length).toBeLessThan(2_000);
  });
});

describe("SDRS's version document (start-up's log only)", () => {
  it('read within its own deadline when sent a byte at a time, and by type when it is of another shape', async () => {
    sim = await serveSimulator(createSdrsSimulator({}).handler);
    proxy = await faultyProxy(sim.origin);
    const agent = createAgent();
    closers.push(() => agent.close());
    const client = new SdrsClient(`${proxy.origin}/v1/${PROJECT}`, agent);
    proxy.misbehave(VERSION_DOCUMENT, trickle);
    const started = Date.now();
    await expect(client.apiVersions(300)).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2_000);
    proxy.heal();
    proxy.misbehave(VERSION_DOCUMENT, answer(200, { versions: [null, { id: 7 }, { id: 'v1', status: { x: 1 } }, 'v2'] }));
    expect(await client.apiVersions()).toEqual([{ id: 'v1', status: 'unknown' }]);
    proxy.heal();
    for (const garbage of [{ versions: 'v1' }, {}, [null], { versions: [{ id: { a: 1 } }] }]) {
      proxy.heal();
      proxy.misbehave(VERSION_DOCUMENT, answer(200, garbage));
      // A document that names no version is the upstream's error, not a version list that happens to be empty.
      await expect(client.apiVersions()).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    }
  });
});

describe('writes answered in a way that does not say whether they happened (a third probe)', () => {
  const CREATE_GROUP = `mutation { createGroup(input: { name: "made", groupTypeId: "7b2e9c40-3f1d-4a8e-b6c5-2d9e0f1a2b03", volumeTypeIds: ["0d5c7f1e-8a4b-4c3d-9e2f-1a0b3c4d5e02"] }) { group { id } } }`;

  it.each([
    [502, '<html>Bad Gateway</html>'],
    [504, '<html>Gateway Time-out</html>'],
    [202, 'Accepted'],
    // Real Cinder: create-from-src waits for the scheduler after writing the group, and times out with a 500.
    [500, '{"computeFault": {"code": 500, "message": "The server has either erred or is incapable of performing the requested operation."}}'],
  ])('HTTP %i after the write went through is OUTCOME_UNKNOWN, sent once', async (status, body) => {
    const p = await cinderBehindProxy();
    f = await startOn(p);
    p.misbehave(/^POST \/v3\/[^/]+\/groups$/, forwardThen(sim!.origin, status, body));
    const r = await f.gql(CREATE_GROUP);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'OUTCOME_UNKNOWN', upstream: { status } });
    expect(r.errors?.[0]?.message).toMatch(/^Cinder may have made this change/);
    expect(p.seen.filter((s) => /^POST .*\/groups$/.test(s))).toHaveLength(1);
    // It did happen.
    p.heal();
    const made = await f.ok<{ groups: { nodes: { name: string }[] } }>('{ groups(first: 50) { nodes { name } } }');
    expect(made.groups.nodes.map((g) => g.name)).toContain('made');
  });

  it("a 500 to Cinder's list_replication_targets (a POST that only reads) is a read's UPSTREAM_ERROR, not OUTCOME_UNKNOWN", async () => {
    const p = await cinderBehindProxy();
    f = await startOn(p);
    // Real Cinder with no volume service answers this action 500 after its RPC timeout.
    p.misbehave(/^POST \/v3\/[^/]+\/groups\/[^/]+\/action$/, answer(500, { computeFault: { code: 500, message: 'The server has either erred or is incapable of performing the requested operation.' } }));
    const r = await f.gql('{ group(id: "9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01") { name replicationTargets { backendId } } }');
    expect(r.errors?.[0]).toMatchObject({ path: ['group', 'replicationTargets'], extensions: { code: 'UPSTREAM_ERROR', upstream: { status: 500 } } });
  });

  it('a long refusal that echoes the token loses the token before it is cut to length, and a code or id holding it is dropped', async () => {
    const token = `gAAAAAB${'x7Lp2Zr9K'.repeat(20)}`;
    const p = await cinderBehindProxy();
    f = await startOn(p);
    p.misbehave(/^GET \/v3\/[^/]+\/groups\/detail/, (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json', 'x-openstack-request-id': `req-${token}` });
      res.end(JSON.stringify({ [token]: { code: 400, message: `${'a'.repeat(420)} token=${token} rest` } }));
    });
    const r = await f.gql('{ groups(first: 1) { nodes { id } } }', undefined, { token });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.raw).not.toContain(token.slice(0, 16));
    expect(r.raw).not.toContain(token.slice(-16));
    expect(r.errors?.[0]?.extensions?.upstream).toMatchObject({ code: null, requestId: null });
  });
});

describe("Keystone's version document at start-up", () => {
  it('one that names no version is logged as unreadable (UPSTREAM_ERROR), not as a version of null', async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"version":{"id":{"x":[1]},"status":42}}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const logs = logCapture();
    f = await startFacade({ KEYSTONE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3` }, undefined, undefined, { logDestination: logs.stream });
    const line = logs.lines.find((l) => String(l.msg).startsWith('upstream version document') && l.service === 'keystone');
    expect(line).toMatchObject({ msg: 'upstream version document could not be read; starting anyway', code: 'UPSTREAM_ERROR' });
  });
});

describe('a create whose object cannot be read back whole', () => {
  it("answers the new object's id in the payload, whatever became of the object's fields (the id was lost with them)", async () => {
    const p = await cinderBehindProxy();
    f = await startOn(p);
    p.misbehave(/^GET \/v3\/[^/]+\/volumes\/detail/, answer(500, { computeFault: { code: 500, message: 'db down' } }));
    const r = await f.gql(
      'mutation { createGroup(input: { name: "read-back-fails", groupTypeId: "7b2e9c40-3f1d-4a8e-b6c5-2d9e0f1a2b03", volumeTypeIds: ["0d5c7f1e-8a4b-4c3d-9e2f-1a0b3c4d5e02"] }) { id group { id volumes { id } } } }',
    );
    expect(r.errors?.[0]).toMatchObject({ path: ['createGroup', 'group', 'volumes'], extensions: { code: 'UPSTREAM_ERROR' } });
    expect(r.data?.createGroup?.id).toMatch(/^[0-9a-f-]{36}$/);
    // Only the failed link is null: the group read back stays (volumes is nullable for that).
    expect(r.data?.createGroup?.group).toEqual({ id: r.data?.createGroup?.id, volumes: null });
    p.heal();
    expect((await f.ok<any>(`{ group(id: "${r.data!.createGroup.id}") { name } }`)).group).toEqual({ name: 'read-back-fails' });
  });
});
