// Issue 17 for subscriptions: a log line for each one when it ends, and for each refused subscribe, over both
// transports, with its request id, operation, outcome, results sent and the Keystone user; never the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { type Line, logCapture } from '../helpers/logs.js';
import { sseSubscribe, wsConnection } from '../helpers/live.js';

const FOLLOW = 'subscription Follow($id: ID!) { group(id: $id) { id name } }';
const token = `member:${DEMO_PROJECT.id}`;
const logs = logCapture();
let f: Facade;
let groupId: string;

beforeAll(async () => {
  f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', SUBSCRIPTION_POLL_MAX_MS: '300' }, undefined, undefined, { logDestination: logs.stream });
  groupId = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }', undefined, { token })).groups.nodes[0].id;
});
afterAll(() => f.close());

async function lineOf(requestId: string, msg: string): Promise<Line> {
  return (await waitFor(async () => logs.lines.find((l) => l.requestId === requestId && l.msg === msg), (l) => l !== undefined, 5_000, 20))!;
}

describe('subscription log lines', () => {
  it('over SSE: the request id of the HTTP request, the outcome, the results sent and who subscribed', async () => {
    const feed = await sseSubscribe(f.url, FOLLOW, { id: groupId }, { 'x-request-id': 'sse-follow-1', 'x-auth-token': token });
    expect((await feed.next()).data.group.id).toBe(groupId);
    feed.close();
    const line = await lineOf('sse-follow-1', 'graphql subscription');
    expect(line).toMatchObject({ client: '127.0.0.1', transport: 'sse', operationName: 'Follow', operationType: 'subscription', outcome: 'client_closed', results: 1, project: 'demo', projectId: DEMO_PROJECT.id });
    expect(line.user).toBeTruthy();
    expect(line.durationMs).toBeGreaterThan(0);
  });

  it('over WebSocket: a request id per subscription, and the refused subscribe of a bad document', async () => {
    const conn = wsConnection(f.url, { 'X-Auth-Token': token });
    const before = logs.lines.length;
    const feed = conn.subscribe(FOLLOW, { id: groupId });
    expect((await feed.next()).data.group.id).toBe(groupId);
    const bad = conn.subscribe('subscription Nope { nope }');
    await bad.completed;
    conn.dispose();
    const ended = (await waitFor(
      async () => logs.lines.slice(before).find((l) => l.msg === 'graphql subscription' && l.transport === 'ws'),
      (l) => l !== undefined,
      5_000,
      20,
    ))!;
    expect(ended).toMatchObject({ operationName: 'Follow', outcome: 'client_closed', results: 1, project: 'demo' });
    expect(ended.requestId).toMatch(/^req-[0-9a-f-]{36}$/);
    const refused = logs.lines.slice(before).find((l) => l.msg === 'graphql subscription refused');
    expect(refused).toMatchObject({ client: '127.0.0.1', transport: 'ws', status: 400, outcome: 'refused', errorCodes: ['GRAPHQL_VALIDATION_FAILED'] });
  });

  it('a poll that fails logs the subscription\'s request id and the id the upstream got (they were missing)', async () => {
    const sim = f.app.simulators.cinder!;
    const feed = await sseSubscribe(f.url, FOLLOW, { id: groupId }, { 'x-request-id': 'sse-poll-fails', 'x-auth-token': token });
    expect((await feed.next()).data.group.id).toBe(groupId);
    sim.resetCalls();
    sim.injectFault({ status: 503, times: 2, urlIncludes: `/groups/${groupId}`, json: { serviceUnavailable: { code: 503, message: 'poll down' } } });
    const failed = await waitFor(async () => logs.lines.find((l) => l.upstreamMessage === 'poll down'), (l) => l !== undefined, 5_000, 20);
    feed.close();
    expect(failed).toMatchObject({ requestId: 'sse-poll-fails', service: 'cinder', status: 503 });
    const sent = sim.calls.filter((c) => c.path.includes(`/groups/${groupId}`)).map((c) => c.headers['x-openstack-request-id']);
    expect(sent).toContain(failed!.sentRequestId);
  });

  it('a subscribe refused at the gate is one line with its code; no token is ever written', async () => {
    const refused = await sseSubscribe(f.url, FOLLOW, { id: groupId }, { 'x-request-id': 'sse-no-token', 'x-auth-token': 'not-a-keystone-token-canary' });
    expect(refused.status).toBe(401);
    expect(await lineOf('sse-no-token', 'graphql subscription refused')).toMatchObject({ transport: 'sse', status: 401, errorCodes: ['UNAUTHENTICATED'] });
    expect(logs.raw()).not.toContain('not-a-keystone-token-canary');
    expect(logs.raw()).not.toContain(token);
  });

  it('a subscribe whose arguments are refused (a bad id) is one refused line; its error carries the request id', async () => {
    const overSse = await sseSubscribe(f.url, FOLLOW, { id: '../x' }, { 'x-request-id': 'sse-bad-id', 'x-auth-token': token });
    const sent = await overSse.next();
    expect(sent.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', requestId: 'sse-bad-id' });
    expect(await lineOf('sse-bad-id', 'graphql subscription refused')).toMatchObject({ transport: 'sse', operationName: 'Follow', outcome: 'refused', errorCodes: ['BAD_USER_INPUT'] });

    const conn = wsConnection(f.url, { 'X-Auth-Token': token });
    const before = logs.lines.length;
    const overWs = conn.subscribe(FOLLOW, { id: '../x' });
    const result = await overWs.next();
    conn.dispose();
    const requestId = result.errors[0].extensions.requestId;
    expect(requestId).toMatch(/^req-[0-9a-f-]{36}$/);
    const refused = (await waitFor(async () => logs.lines.slice(before).find((l) => l.msg === 'graphql subscription refused'), (l) => l !== undefined, 5_000, 20))!;
    expect(refused).toMatchObject({ requestId, transport: 'ws', operationName: 'Follow', errorCodes: ['BAD_USER_INPUT'] });
  });

  it('a subscription ended by a drain says so', async () => {
    const own = logCapture();
    const g = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: '300' }, undefined, undefined, { logDestination: own.stream });
    const id = (await g.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes[0].id;
    const feed = await sseSubscribe(g.url, FOLLOW, { id }, { 'x-request-id': 'sse-drained' });
    await feed.next();
    expect(await g.app.drain(5_000)).toBe(0);
    await feed.completed;
    const line = own.lines.find((l) => l.requestId === 'sse-drained' && l.msg === 'graphql subscription');
    expect(line).toMatchObject({ transport: 'sse', outcome: 'shutting_down', results: 1 });
  });
});
