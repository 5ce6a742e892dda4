// Input is checked before it leaves (issue 18): strings with control characters or over MAX_STRING_LENGTH, ids
// that are not of their kind's format (route words such as `detail` and `default` included), empty filter ids and
// the ids of createProtectionGroup are BAD_USER_INPUT, and not one upstream call is made for them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/seed.js';
import { SDRS_SEED_JOBS, SDRS_SIM_DOMAIN } from '../../src/simulator/sdrs/seed.js';
import { type Facade, type GqlResult, startFacade } from '../helpers/facade.js';

let f: Facade;
const upstreamCalls = () => Object.values(f.app.simulators).flatMap((s) => s.calls.map((c) => `${c.method} ${c.url}`));

beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());
beforeEach(() => {
  for (const s of Object.values(f.app.simulators)) s.resetCalls();
});

/** The request was refused as a whole before anything ran: HTTP 400, one BAD_USER_INPUT, no data, no call. */
function expectRefused(r: GqlResult, message: RegExp) {
  const context = `body: ${r.raw}`;
  expect(r.status, context).toBe(400);
  expect(r.errors?.map((e) => e.extensions?.code), context).toEqual(['BAD_USER_INPUT']);
  expect(r.errors?.[0]?.message, context).toMatch(message);
  expect(r.data, context).toBeNull();
  expect(upstreamCalls()).toEqual([]);
}

/** A resolver refused its field: BAD_USER_INPUT at that field, and no upstream call. */
function expectFieldRefused(r: GqlResult, message: RegExp) {
  const context = `body: ${r.raw}`;
  expect(r.errors?.map((e) => e.extensions?.code), context).toEqual(['BAD_USER_INPUT']);
  expect(r.errors?.[0]?.message, context).toMatch(message);
  expect(upstreamCalls()).toEqual([]);
}

const GROUPS_BY_NAME = 'query($n: String) { groups(filter: { name: $n }) { nodes { id } } }';

describe('strings with control characters are refused before any upstream call', () => {
  it('the NUL byte that made real Cinder answer 500', async () => {
    const r = await f.gql(GROUPS_BY_NAME, { n: 'x\u0000' });
    expectRefused(r, /\$n.*control character U\+0000/);
    expect(r.raw).not.toContain('\\u0000');
  });

  it.each([
    ['CR', '\r'],
    ['LF', '\n'],
    ['TAB', '\t'],
    ['ESC', '\u001b'],
    ['US', '\u001f'],
    ['DEL', '\u007f'],
  ])('%s', async (_, c) => {
    const r = await f.gql(GROUPS_BY_NAME, { n: `db${c}prod` });
    expectRefused(r, /control character/);
    expect(r.raw).not.toContain(JSON.stringify(c).slice(1, -1));
  });

  it('in a variable nested in an input object and a list', async () => {
    const r = await f.gql('mutation($in: UpdateGroupInput!) { updateGroup(input: $in) { group { id } } }', {
      in: { id: SEED.groups.webTier, addVolumeIds: [SEED.volume(1), 'x\u0000y'] },
    });
    expectRefused(r, /\$in\.addVolumeIds\[1\]/);
  });

  it('in a string literal argument, inside an input-object literal', async () => {
    const r = await f.gql('{ groups(filter: { name: "x\\u0000" }) { nodes { id } } }');
    expectRefused(r, /groups\(filter\.name\)/);
  });

  it('in a list literal', async () => {
    const r = await f.gql(`mutation { updateGroup(input: { id: "${SEED.groups.webTier}", addVolumeIds: ["${SEED.volume(1)}", "a\\nb"] }) { group { id } } }`);
    expectRefused(r, /updateGroup\(input\.addVolumeIds\[1\]\)/);
  });

  it('in a fragment the operation uses', async () => {
    const r = await f.gql('query { ...F } fragment F on Query { shareGroups(filter: { nameContains: "a\\rb" }) { nodes { id } } }');
    expectRefused(r, /shareGroups\(filter\.nameContains\)/);
  });

  it("in a variable's default value", async () => {
    const r = await f.gql('query($n: String = "a\\u0000") { groups(filter: { name: $n }) { nodes { id } } }');
    expectRefused(r, /\$n/);
  });
});

describe('strings over MAX_STRING_LENGTH (255 characters)', () => {
  it('a 256-character name is refused; 255 characters pass', async () => {
    expectRefused(await f.gql(GROUPS_BY_NAME, { n: 'a'.repeat(256) }), /\$n.*256 characters.*255/);
    const ok = await f.gql(GROUPS_BY_NAME, { n: 'a'.repeat(255) });
    expect(ok.errors, ok.raw).toBeUndefined();
    expect(ok.data).toEqual({ groups: { nodes: [] } });
  });

  it('characters are counted, not UTF-16 units: 255 emoji pass, 256 do not', async () => {
    const ok = await f.gql(GROUPS_BY_NAME, { n: '🙂'.repeat(255) });
    expect(ok.errors, ok.raw).toBeUndefined();
    for (const s of Object.values(f.app.simulators)) s.resetCalls();
    expectRefused(await f.gql(GROUPS_BY_NAME, { n: '🙂'.repeat(256) }), /256 characters/);
  });

  it('a long description in a mutation literal', async () => {
    const r = await f.gql(`mutation { createGroupSnapshot(input: { groupId: "${SEED.groups.webTier}", description: "${'d'.repeat(300)}" }) { groupSnapshot { id } } }`);
    expectRefused(r, /createGroupSnapshot\(input\.description\).*300 characters/);
  });
});

describe('ids are checked against the format of the id they stand for', () => {
  it.each([
    ['volume', 'detail'],
    ['group', 'detail'],
    ['groupType', 'default'],
    ['groupSnapshot', 'detail'],
    ['shareGroup', 'detail'],
    ['shareGroupType', 'default'],
    ['shareType', 'default'],
    ['share', 'detail'],
    ['shareGroupSnapshot', 'detail'],
    ['protectionGroup', 'detail'],
  ])('%s(id: %j) sends nothing', async (field, id) => {
    const r = await f.gql(`query($id: ID!) { ${field}(id: $id) { id } }`, { id });
    expectFieldRefused(r, /expected a UUID/);
  });

  it('an SDRS job id is 32 hex digits: a UUID or a route word is refused, a well-formed id is asked for', async () => {
    expectFieldRefused(await f.gql('query($id: ID!) { job(id: $id) { id } }', { id: SEED.groups.webTier }), /32 hex digits/);
    expectFieldRefused(await f.gql('query($id: ID!) { job(id: $id) { id } }', { id: 'detail' }), /32 hex digits/);
    const ok = await f.ok<any>('query($id: ID!) { job(id: $id) { id } }', { id: SDRS_SEED_JOBS.sandboxCreate });
    expect(ok.job.id).toBe(SDRS_SEED_JOBS.sandboxCreate);
  });

  it.each([
    ['deleteGroup', '{ id: "detail" }', 'id'],
    ['deleteGroupSnapshot', '{ id: "detail" }', 'id'],
    ['createGroupSnapshot', '{ groupId: "detail" }', 'groupId'],
    ['updateGroup', `{ id: "${SEED.groups.webTier}", removeVolumeIds: ["detail"] }`, 'volume id'],
    ['createGroupFromSource', '{ sourceGroupId: "detail" }', 'sourceGroupId'],
    ['deleteShareGroup', '{ id: "detail" }', 'id'],
    ['createShareGroupSnapshot', '{ shareGroupId: "detail" }', 'shareGroupId'],
    ['createShareGroup', '{ shareTypeIds: ["default"] }', 'shareTypeIds'],
    ['deleteConsistencyGroup', '{ id: "detail" }', 'id'],
    ['startProtection', '{ id: "detail" }', 'id'],
    ['deleteProtectionGroup', '{ id: "detail" }', 'id'],
    ['renameProtectionGroup', '{ id: "detail", name: "x" }', 'id'],
  ])('%s with a route word for an id sends nothing', async (mutation, input, what) => {
    const r = await f.gql(`mutation { ${mutation}(input: ${input}) { __typename } }`);
    expectFieldRefused(r, new RegExp(`Invalid ${what} "(detail|default)": expected a UUID`));
  });
});

describe('an empty filter id is refused, not dropped', () => {
  it.each([
    ['groupSnapshots', 'groupId'],
    ['shareGroupSnapshots', 'shareGroupId'],
    ['shareGroups', 'shareGroupTypeId'],
    ['shareGroups', 'shareNetworkId'],
  ])('%s(filter: { %s: "" })', async (field, key) => {
    const r = await f.gql(`{ ${field}(filter: { ${key}: "" }) { nodes { id } } }`);
    expectFieldRefused(r, new RegExp(`Invalid ${key} ""`));
  });
});

describe('createProtectionGroup checks its domain and VPC ids before calling SDRS', () => {
  const CREATE = 'mutation($in: CreateProtectionGroupInput!) { createProtectionGroup(input: $in) { jobId } }';
  const input = (over: Record<string, string>) => ({
    name: 'pg-1', sourceAvailabilityZone: 'cn-north-4a', targetAvailabilityZone: 'cn-north-4b',
    domainId: SDRS_SIM_DOMAIN.id, sourceVpcId: '7d2e9f41-3a6b-4c8d-9e0f-1a2b3c4d5e6f', ...over,
  });

  it.each([
    ['domainId', 'my-domain'],
    ['domainId', ''],
    ['sourceVpcId', 'vpc-1'],
    ['sourceVpcId', '../servers'],
  ])('%s %j', async (key, value) => {
    const r = await f.gql(CREATE, { in: input({ [key]: value }) });
    expectFieldRefused(r, new RegExp(`Invalid ${key} .*expected a UUID`));
  });

  it('well-formed ids reach SDRS (one POST)', async () => {
    const d = await f.ok<any>(CREATE, { in: input({}) });
    expect(d.createProtectionGroup.jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(upstreamCalls().filter((c) => c.startsWith('POST'))).toHaveLength(1);
  });
});
