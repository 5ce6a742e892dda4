// Issue 1's rule, on cases a probe found: deeply nested variables (declared or not) are a 400 on every transport
// and hold no slot; a subscription sent as a query is refused instead of answering null; the per-connection
// subscription limit counts subscriptions, not subscribes still waiting at the door.
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { wsConnection } from '../helpers/live.js';

const GROUP = 'subscription Follow($id: ID!) { group(id: $id) { id name } }';

/**
 * A request body whose variables hold `depth` arrays inside each other (as a variable the document may not
 * declare), written as text: JSON.stringify itself overflows the stack on such a value, which was the defect.
 */
function deepBody(query: string, variables: Record<string, unknown>, depth: number): string {
  const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  return `{"query":${JSON.stringify(query)},"variables":${JSON.stringify(variables).replace(/}$/, `${Object.keys(variables).length ? ',' : ''}"x":${deep}}`)}}`;
}

let f: Facade | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await f?.close();
  f = undefined;
});

async function post(facade: Facade, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await request(facade.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
  return { status: res.statusCode, body: (await res.body.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

describe('variables nested thousands deep', () => {
  it('a query: 400 BAD_USER_INPUT naming the limit, not a 500 with the stack overflow', async () => {
    f = await startFacade({});
    for (const depth of [65, 20_000]) {
      const r = await post(f, deepBody('{ __typename }', {}, depth));
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.body.errors?.[0]?.message).toMatch(/nested more than 64 levels/);
    }
    // At the limit, still served.
    expect((await post(f, deepBody('{ __typename }', {}, 63))).status).toBe(200);
  });

  it('a subscription over SSE: a 400 answer, and its slot given back at once', async () => {
    f = await startFacade({ MAX_IN_FLIGHT_PER_CALLER: '2' });
    for (let i = 0; i < 3; i++) {
      const refused = await post(f, deepBody(GROUP, { id: '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b05' }, 20_000), { accept: 'text/event-stream' });
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    // Three refusals past a per-caller limit of 2: none of them held a slot.
    expect(f.app.server.inFlight()).toBe(0);
    expect((await f.gql('{ groups(first: 1) { totalCount } }')).status).toBe(200);
  });

  it('a subscription over WebSocket: an error for that subscription; the socket and its other subscriptions go on', async () => {
    f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: '300' });
    const id = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes[0].id;
    // A raw graphql-transport-ws socket: the client libraries cannot send such a message (they JSON.stringify it).
    const ws = new WebSocket(f.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    closers.push(() => ws.terminate());
    const messages: any[] = [];
    let closed: number | undefined;
    ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
    ws.on('close', (code) => (closed = code));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await waitFor(async () => messages.length, (n) => n === 1, 2_000, 10);
    ws.send(JSON.stringify({ id: 'good', type: 'subscribe', payload: { query: GROUP, variables: { id } } }));
    await waitFor(async () => messages.some((m) => m.id === 'good' && m.type === 'next'), (seen) => seen, 5_000, 10);
    ws.send(`{"id":"deep","type":"subscribe","payload":${deepBody(GROUP, { id }, 20_000)}}`);
    const refused = await waitFor(async () => messages.find((m) => m.id === 'deep'), (m) => m !== undefined, 5_000, 10);
    expect(refused).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    expect(closed).toBeUndefined();
    expect(messages.some((m) => m.id === 'good' && m.type === 'complete')).toBe(false);
    await waitFor(async () => f!.app.server.inFlight(), (n) => n === 0, 2_000, 20);
    expect(f.app.server.inFlight()).toBe(0);
  });
});

describe('a subscription sent as a query', () => {
  it('is refused with 400 BAD_REQUEST saying where subscriptions go, before any upstream call', async () => {
    f = await startFacade({});
    const id = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes[0].id;
    const calls = f.app.simulators.cinder!.calls.length;
    const r = await post(f, { query: GROUP, variables: { id } });
    expect(r.status).toBe(400);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(r.body.errors?.[0]?.message).toMatch(/SSE .* or WebSocket/);
    expect(f.app.simulators.cinder!.calls.length).toBe(calls);
  });
});

describe('MAX_SUBSCRIPTIONS_PER_CONNECTION', () => {
  it('counts the subscriptions a connection holds, not the subscribes still waiting for a slot', async () => {
    // Four subscribes at once, two a caller at a time: two wait at the door while the first two start.
    f = await startFacade({ MAX_SUBSCRIPTIONS_PER_CONNECTION: '3', MAX_IN_FLIGHT_PER_CALLER: '2', SUBSCRIPTION_POLL_MAX_MS: '300' });
    const id = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes[0].id;
    const conn = wsConnection(f.url);
    closers.push(() => conn.dispose());
    const subs = [0, 1, 2, 3].map(() => conn.subscribe(GROUP, { id }));
    await waitFor(async () => subs.filter((s) => s.results.length > 0 || s.isComplete()).length, (n) => n === 4, 10_000, 20);
    const started = subs.filter((s) => s.results.length > 0);
    const refused = subs.filter((s) => s.errors.length > 0);
    expect(started.length).toBe(3);
    expect(refused.length).toBe(1);
    expect(refused[0]!.errors[0]).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'TOO_MANY_SUBSCRIPTIONS' }) })]);
  });
});

describe('writes with blank names, zones or type references', () => {
  it('are refused with BAD_USER_INPUT before any upstream call', async () => {
    f = await startFacade({});
    const sims = f.app.simulators;
    const calls = () => sims.cinder!.calls.length + sims.manila!.calls.length + sims.sdrs!.calls.length;
    const group = '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01';
    const uuid = '046852ef-c49d-409b-8389-546aaaa5701f';
    const writes = [
      'mutation { createGroupType(input: { name: "" }) { groupType { id } } }',
      'mutation { createGroupType(input: { name: "   " }) { groupType { id } } }',
      `mutation { updateGroupType(input: { id: "${group}", name: " " }) { groupType { id } } }`,
      'mutation { createGroup(input: { groupTypeId: "", volumeTypeIds: ["lvm"] }) { group { id } } }',
      'mutation { createGroup(input: { groupTypeId: "generic", volumeTypeIds: [""] }) { group { id } } }',
      'mutation { createGroup(input: { groupTypeId: "generic", volumeTypeIds: ["lvm"], availabilityZone: "" }) { group { id } } }',
      'mutation { createVolume(input: { size: 1, availabilityZone: " " }) { volume { id } } }',
      'mutation { createShare(input: { size: 1, shareProtocol: NFS, availabilityZone: "" }) { share { id } } }',
      `mutation { renameProtectionGroup(input: { id: "${group}", name: "" }) { protectionGroup { id } } }`,
      `mutation { renameProtectionGroup(input: { id: "${group}", name: "a b/c" }) { protectionGroup { id } } }`,
      `mutation { createProtectionGroup(input: { name: "${'x'.repeat(65)}", sourceAvailabilityZone: "az1", targetAvailabilityZone: "az2", domainId: "${uuid}", sourceVpcId: "${uuid}" }) { job { id } } }`,
      `mutation { createProtectionGroup(input: { name: "ok", description: "<b>", sourceAvailabilityZone: "az1", targetAvailabilityZone: "az2", domainId: "${uuid}", sourceVpcId: "${uuid}" }) { job { id } } }`,
    ];
    const before = calls();
    for (const write of writes) {
      const r = await f.gql(write);
      expect(r.errors?.[0]?.extensions?.code, `${write}\n${r.raw}`).toBe('BAD_USER_INPUT');
    }
    expect(calls()).toBe(before);
  });

  it('a blank failover backend and spec keys that would be dot segments: refused before any call', async () => {
    f = await startFacade({});
    const sims = f.app.simulators;
    const calls = () => sims.cinder!.calls.length + sims.manila!.calls.length;
    const group = '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01';
    const groupType = '7b2e9c40-3f1d-4a8e-b6c5-2d9e0f1a2b03';
    const shareGroupType = '7c3e5a91-2b4d-4f6a-8c0e-1a2b3c4d5e02';
    const writes = [
      // Before: sent without secondary_backend_id, a failover to Cinder's default backend.
      `mutation { failoverGroupReplication(input: { id: "${group}", secondaryBackendId: "" }) { group { id } } }`,
      `mutation { failoverGroupReplication(input: { id: "${group}", secondaryBackendId: "  " }) { group { id } } }`,
      // Before: DELETE …/group_specs/.. and …/group_specs/.
      `mutation { unsetGroupTypeSpecs(input: { id: "${groupType}", keys: [".."] }) { groupType { id } } }`,
      `mutation { unsetGroupTypeSpecs(input: { id: "${groupType}", keys: ["."] }) { groupType { id } } }`,
      `mutation { setGroupTypeSpecs(input: { id: "${groupType}", specs: [{ key: "..", value: "x" }] }) { groupType { id } } }`,
      // Before: Manila's unset read the type first, and sent any key as it came when the type did not exist.
      `mutation { unsetShareGroupTypeSpecs(input: { id: "${shareGroupType}", keys: ["a/b"] }) { shareGroupType { id } } }`,
      `mutation { unsetShareGroupTypeSpecs(input: { id: "00000000-0000-4000-8000-000000000000", keys: [".."] }) { shareGroupType { id } } }`,
      `mutation { unsetShareGroupTypeSpecs(input: { id: "00000000-0000-4000-8000-000000000000", keys: [""] }) { shareGroupType { id } } }`,
    ];
    for (const write of writes) {
      const before = calls();
      const r = await f.gql(write);
      expect(r.errors?.[0]?.extensions?.code, `${write}\n${r.raw}`).toBe('BAD_USER_INPUT');
      expect(calls(), write).toBe(before);
    }
    // A key of a type that does not exist: NOT_FOUND, and no DELETE.
    const missing = await f.gql(`mutation { unsetShareGroupTypeSpecs(input: { id: "00000000-0000-4000-8000-000000000000", keys: ["k"] }) { shareGroupType { id } } }`);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(sims.manila!.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);
  });
});

describe('input a second probe found reaching an upstream', () => {
  it('is refused before any call', async () => {
    f = await startFacade({});
    const sims = f.app.simulators;
    const calls = () => sims.cinder!.calls.length + sims.manila!.calls.length + sims.sdrs!.calls.length;
    const cursor = (raw: string) => Buffer.from(raw).toString('base64url');
    const group = '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01';
    const reads = [
      // A nested cursor of the kind its field does not take: refused before the parent's read, not after it.
      `{ groups(first: 1) { nodes { snapshots(after: "${cursor('o:2')}") { nodes { id } } } } }`,
      `{ shareGroups(first: 1) { nodes { snapshots(after: "${cursor(`m:${group}`)}") { nodes { id } } } } }`,
      `{ protectionGroups(first: 1) { nodes { protectedInstances(after: "${cursor(`m:${group}`)}") { nodes { id } } } } }`,
      // The largest offset cursor sent offset=1000000000, past what SDRS takes.
      `{ protectionGroups(after: "${cursor('o:999999999')}") { nodes { id } } }`,
      // Past 99998999 a page's own cursors would have 9 digits, which the next request refused (probe of 2026-12-07).
      `{ groups(first: 2, after: "${cursor(`k:g:99999999:${group}`)}") { nodes { id } } }`,
      `{ shareGroups(first: 2, after: "${cursor(`o:e:99999000:${group}`)}") { nodes { id } } }`,
      `{ protectionGroups(first: 2, after: "${cursor('o:99999000')}") { nodes { id } } }`,
      '{ groupSnapshots(filter: { status: UNKNOWN }) { nodes { id } } }',
      `mutation { updateGroup(input: { id: "${group}", addVolumeIds: ["${group}"], removeVolumeIds: ["${group}"] }) { group { id } } }`,
      `mutation { createVolume(input: { size: 1, groupId: "${group}" }) { volume { id } } }`,
    ];
    for (const query of reads) {
      const before = calls();
      const r = await f.gql(query);
      expect(r.errors?.[0]?.extensions?.code, `${query}\n${r.raw}`).toBe('BAD_USER_INPUT');
      expect(calls(), query).toBe(before);
    }
  });
});

describe('other HTTP methods on /graphql', () => {
  it.each(['HEAD', 'DELETE', 'PUT', 'PATCH'])('%s is 405 with Allow, not a CSRF message', async (method) => {
    f = await startFacade({});
    const res = await request(f.url, { method, headers: { 'content-type': 'application/json' } });
    const text = await res.body.text();
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, POST, OPTIONS');
    if (method !== 'HEAD') expect(JSON.parse(text).errors[0].message).toMatch(new RegExp(`^${method} is not served here`));
  });
});

describe("graphql-sse's own refusals", () => {
  it('are JSON errors with a code and the request id, as every other refusal', async () => {
    f = await startFacade({});
    for (const [body, contentType, status] of [
      ['', 'application/json', 400],
      ['not json', 'application/json', 400],
      ['{"variables":{}}', 'application/json', 400],
      ['x', 'text/plain', 415],
    ] as const) {
      const res = await request(f.url, { method: 'POST', headers: { 'content-type': contentType, accept: 'text/event-stream', 'x-request-id': 'sse-refused' }, body });
      const text = await res.body.text();
      expect(res.statusCode, text).toBe(status);
      const error = JSON.parse(text).errors[0];
      expect(error.extensions, text).toEqual({ code: 'BAD_REQUEST', requestId: 'sse-refused' });
      expect(error.message.length).toBeGreaterThan(0);
    }
  });
});

describe('a body with a UTF-8 byte order mark', () => {
  it('is read as the JSON after it (RFC 8259 lets a parser ignore the mark), over POST and SSE', async () => {
    f = await startFacade({});
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const query = await request(f.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat([bom, Buffer.from('{"query":"{ __typename }"}')]) });
    expect(await query.body.json()).toEqual({ data: { __typename: 'Query' }, extensions: expect.anything() });
    const id = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes[0].id;
    const sse = await request(f.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: Buffer.concat([bom, Buffer.from(JSON.stringify({ query: GROUP, variables: { id } }))]),
    });
    expect(sse.statusCode).toBe(200);
    expect(String(sse.headers['content-type'])).toContain('text/event-stream');
    sse.body.destroy();
  });
});

describe('a token no token can be', () => {
  const ksCalls = async (facade: Facade) => {
    const text = await (await request(`${facade.app.server.url}/metrics`)).body.text();
    return text.split('\n').filter((l) => l.startsWith('upstream_requests_total{') && l.includes('service="keystone"')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  };

  it('over HTTP (a tab, non-ASCII, two headers, kilobytes): 401 before Keystone is asked', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' });
    const before = await ksCalls(f);
    for (const headers of [
      { 'x-auth-token': 'member:a\tb' },
      { 'x-auth-token': Buffer.from('tok☃', 'utf8').toString('latin1') },
      { 'x-auth-token': ['member:x', 'member:y'] },
      { 'x-auth-token': 'c'.repeat(9_000) },
    ]) {
      const res = await request(f.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"query":"{ viewer { roles } }"}' });
      const body = (await res.body.json()) as { errors: { extensions: { code: string } }[] };
      expect(res.statusCode, JSON.stringify(body)).toBe(401);
      expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    }
    expect(await ksCalls(f)).toBe(before);
  });

  it('over WebSocket (CR LF in connection_init): refused as UNAUTHENTICATED, and Keystone\'s circuit stays closed for everyone', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' });
    const before = await ksCalls(f);
    for (let i = 0; i < 5; i++) {
      const conn = wsConnection(f.url, { 'X-Auth-Token': `member:8a1f2c3d4e5f40718293a4b5c6d7e8f9\r\nX-${i}: y` });
      closers.push(() => conn.dispose());
      const sub = conn.subscribe(GROUP, { id: '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b04' });
      await sub.completed;
      expect(sub.errors[0]).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })]);
    }
    expect(await ksCalls(f)).toBe(before);
    const ready = await request(`${f.app.server.url}/readyz`);
    expect(((await ready.body.json()) as { status: string }).status).toBe('ready');
  });
});
