// A rename's answer is shown only when it is the renamed group; any other answer (another shape, another group's
// id, no name) is not trusted and the group is read afresh. The rename was accepted either way: a failed re-read
// says the change was made. Before, such answers crashed at `protectionGroup.id`/`.name` (INTERNAL_SERVER_ERROR,
// logged as an error) or showed another group as the renamed one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { logCapture } from '../helpers/logs.js';
import { type FakeSdrs, startFakeSdrs } from './sdrs-writes-fake.js';

const RENAME = 'mutation($id: ID!) { renameProtectionGroup(input: { id: $id, name: "billing-dr" }) { protectionGroup { id name status } } }';

describe('renameProtectionGroup with unexpected SDRS answers', () => {
  let sdrs: FakeSdrs;
  let f: Facade;
  const logs = logCapture();
  const calls = () => sdrs.calls.map((c) => c.method);

  beforeAll(async () => {
    sdrs = await startFakeSdrs();
    f = await startFacade({ SDRS_URL: sdrs.url }, undefined, undefined, { logDestination: logs.stream });
  });
  afterAll(async () => {
    await f.close();
    await sdrs.close();
  });
  beforeEach(() => {
    sdrs.calls.length = 0;
    sdrs.group = { ...sdrs.group, name: 'billing-db' };
    sdrs.failGroupReads = 0;
    logs.lines.length = 0;
  });

  it('a rename that answers the renamed group shows it without another read', async () => {
    sdrs.renameAnswer = (group) => ({ server_group: group });
    const d = await f.ok<any>(RENAME, { id: sdrs.group.id });
    expect(d.renameProtectionGroup.protectionGroup).toEqual({ id: sdrs.group.id, name: 'billing-dr', status: 'PROTECTED' });
    expect(calls()).toEqual(['PUT']);
  });

  it.each<[string, (group: Record<string, unknown>) => unknown]>([
    ['a number', () => ({ server_group: 5 })],
    ['a list', () => ({ server_group: [] })],
    ['an object without an id', () => ({ server_group: { name: 'x' } })],
    ['the group without its name and status', (g) => ({ server_group: { id: g.id } })],
    ['the group with its old name', (g) => ({ server_group: { ...g, name: 'billing-db' } })],
    ['no server_group', () => ({})],
  ])('an answer with %s is not trusted: the group is read afresh', async (_what, answer) => {
    sdrs.renameAnswer = answer;
    const r = await f.gql(RENAME, { id: sdrs.group.id });
    expect(r.errors).toBeUndefined();
    expect(r.data?.renameProtectionGroup.protectionGroup).toEqual({ id: sdrs.group.id, name: 'billing-dr', status: 'PROTECTED' });
    expect(calls()).toEqual(['PUT', 'GET']);
    expect(logs.lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it("an answer naming another group's id never shows that group as the renamed one", async () => {
    const other = randomUUID();
    sdrs.renameAnswer = () => ({ server_group: { id: other, name: 'billing-dr', status: 'available' } });
    const d = await f.ok<any>(RENAME, { id: sdrs.group.id });
    expect(d.renameProtectionGroup.protectionGroup).toEqual({ id: sdrs.group.id, name: 'billing-dr', status: 'PROTECTED' });
    expect(calls()).toEqual(['PUT', 'GET']);
  });

  it.each<[string, (group: Record<string, unknown>) => unknown]>([
    ['no server_group', () => ({})],
    ["another group's id", () => ({ server_group: { id: randomUUID(), name: 'billing-dr', status: 'available' } })],
  ])('an answer with %s and a failed re-read: the error says the change was made, never a plain failure', async (_what, answer) => {
    sdrs.renameAnswer = answer;
    sdrs.failGroupReads = 1;
    const r = await f.gql(RENAME, { id: sdrs.group.id });
    expect(r.errors).toHaveLength(1);
    const [e] = r.errors!;
    expect(e!.path).toEqual(['renameProtectionGroup']);
    expect(e!.message).toMatch(/^The change was made, .*do not send the change again/);
    expect(e!.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { service: 'sdrs', status: 500, code: 'SDRS.0013' } });
    expect(calls()).toEqual(['PUT', 'GET']);
    expect(sdrs.group.name).toBe('billing-dr');
  });
});
