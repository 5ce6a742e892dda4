// A mutation document's root fields run one after another (graphql-js, as the specification says): bad input in a
// later field was refused only when its turn came, after the fields before it had written upstream. Now every root
// field's input is checked first, with the very checks its resolver makes; one refusal and nothing runs, nothing is
// sent upstream, and the answer names each refused field by its path. Checks that need the upstream (a group that
// does not exist) still happen when their field runs (mutation-documents.test.ts).
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/seed.js';
import type { CinderState } from '../../src/simulator/cinder/state.js';
import { SEED_IDS } from '../../src/simulator/manila/seed.js';
import type { ManilaState } from '../../src/simulator/manila/state.js';
import { SDRS_SEED_GROUPS, SDRS_SIM_DOMAIN } from '../../src/simulator/sdrs/seed.js';
import type { SdrsState } from '../../src/simulator/sdrs/state.js';
import { type Facade, type GqlResult, startFacade } from '../helpers/facade.js';

let f: Facade;
const upstreamCalls = () => Object.values(f.app.simulators).flatMap((s) => s.calls.map((c) => `${c.method} ${c.path}`));
const stateOf = <S>(service: 'cinder' | 'manila' | 'sdrs') => (f.app.simulators[service] as unknown as { state: S }).state;
/** How many objects the simulators hold that a write would add: a write that slipped through changes one. */
const stored = () => ({
  groupSnapshots: stateOf<CinderState>('cinder').groupSnapshots.size,
  volumes: stateOf<CinderState>('cinder').volumes.size,
  shareGroupSnapshots: stateOf<ManilaState>('manila').shareGroupSnapshots.size,
  sdrsJobs: stateOf<SdrsState>('sdrs').jobs.size,
});

beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());
beforeEach(() => {
  for (const s of Object.values(f.app.simulators)) s.resetCalls();
});

/**
 * Sends the document and checks it was refused whole: HTTP 400, no data, one BAD_USER_INPUT per refused field at
 * its path (in document order, matching `messages`), not one upstream call and nothing stored.
 */
async function expectRefusedWhole(query: string, variables: Record<string, unknown> | undefined, refused: [path: string, message: RegExp][]): Promise<GqlResult> {
  const before = stored();
  const r = await f.gql(query, variables);
  const context = `query: ${query}\nvariables: ${JSON.stringify(variables)}\nstatus: ${r.status}\nbody: ${r.raw}`;
  expect(r.errors?.map((e) => [e.path, e.extensions?.code]), context).toEqual(refused.map(([path]) => [[path], 'BAD_USER_INPUT']));
  refused.forEach(([, message], i) => expect(r.errors?.[i]?.message, context).toMatch(message));
  expect(r.data, context).toBeNull();
  expect(r.status, context).toBe(400);
  expect(upstreamCalls(), context).toEqual([]);
  expect(stored(), context).toEqual(before);
  return r;
}

const GROUP = SEED.groups.dbClusterProd;
const SNAPSHOT = '{ groupSnapshot { id name } }';

describe('a later root field with bad input: nothing runs, nothing is sent upstream', () => {
  it('Cinder: a second createGroupSnapshot with a groupId that is no UUID', async () => {
    await expectRefusedWhole(
      `mutation {
        a: createGroupSnapshot(input: { groupId: "${GROUP}", name: "first" }) ${SNAPSHOT}
        b: createGroupSnapshot(input: { groupId: "not-a-uuid", name: "second" }) ${SNAPSHOT}
      }`,
      undefined,
      [['b', /Invalid groupId "not-a-uuid"/]],
    );
  });

  it('Manila: a share group snapshot, then a status reset to UNKNOWN (an enum value no reset takes)', async () => {
    await expectRefusedWhole(
      `mutation {
        snap: createShareGroupSnapshot(input: { shareGroupId: "${SEED_IDS.shareGroups.emptyAvailable}", name: "first" }) { shareGroupSnapshot { id } }
        reset: resetShareGroupStatus(input: { id: "${SEED_IDS.shareGroups.dbCluster}", status: UNKNOWN }) { shareGroup { id } }
      }`,
      undefined,
      [['reset', /cannot be reset to UNKNOWN/]],
    );
  });

  it('SDRS: an action, then a protection group whose two sites are one zone', async () => {
    const zone = SDRS_SIM_DOMAIN.availability_zones[0];
    await expectRefusedWhole(
      `mutation($domain: ID!, $vpc: ID!) {
        start: startProtection(input: { id: "${SDRS_SEED_GROUPS.crmWeb}" }) { jobId }
        create: createProtectionGroup(input: { name: "pg-1", sourceAvailabilityZone: "${zone}", targetAvailabilityZone: "${zone}", domainId: $domain, sourceVpcId: $vpc }) { jobId }
      }`,
      { domain: SDRS_SIM_DOMAIN.id, vpc: '046852ef-c49d-409b-8389-546aaaa5701f' },
      [['create', /must differ/]],
    );
  });

  it('inputs given as variables: a volume of size 0 after a good one', async () => {
    await expectRefusedWhole(
      'mutation($a: CreateVolumeInput!, $b: CreateVolumeInput!) { a: createVolume(input: $a) { id } b: createVolume(input: $b) { id } }',
      { a: { size: 1, name: 'first' }, b: { size: 0, name: 'second' } },
      [['b', /size must be a whole number of GiB, at least 1; got 0/]],
    );
  });

  it('every refused field is named, across services, each at its path', async () => {
    await expectRefusedWhole(
      `mutation {
        a: createGroupSnapshot(input: { groupId: "${GROUP}" }) ${SNAPSHOT}
        b: updateShareGroup(input: { id: "${SEED_IDS.shareGroups.dbCluster}" }) { shareGroup { id } }
        c: renameProtectionGroup(input: { id: "${SDRS_SEED_GROUPS.crmWeb}", name: "a b/c" }) { protectionGroup { id } }
      }`,
      undefined,
      [
        ['b', /updateShareGroup needs at least one of name and description/],
        ['c', /Invalid protection group name/],
      ],
    );
  });

  it('fields in named and inline fragments, by their aliases', async () => {
    await expectRefusedWhole(
      `mutation {
        a: createGroupSnapshot(input: { groupId: "${GROUP}" }) ${SNAPSHOT}
        ... on Mutation { b: deleteVolume(input: { id: "detail" }) { id } }
        ...Later
      }
      fragment Later on Mutation { c: resetGroupSnapshotStatus(input: { id: "${SEED.groupSnapshots.webRelease}", status: UNKNOWN }) { groupSnapshot { id } } }`,
      undefined,
      [
        ['b', /Invalid id "detail"/],
        ['c', /cannot be reset to UNKNOWN/],
      ],
    );
  });

  it('a null given for a non-null input through a variable with a default (graphql-js refused it only on its turn)', async () => {
    await expectRefusedWhole(
      `mutation($later: CreateGroupSnapshotInput = { groupId: "${GROUP}" }) {
        a: createGroupSnapshot(input: { groupId: "${GROUP}" }) ${SNAPSHOT}
        b: createGroupSnapshot(input: $later) ${SNAPSHOT}
      }`,
      { later: null },
      [['b', /must not be null/]],
    );
  });
});

describe('documents the preflight lets through', () => {
  const posts = () => f.app.simulators.cinder!.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/group_snapshots'));

  it('two good mutations both run, in order', async () => {
    const r = await f.ok<any>(
      `mutation($second: CreateGroupSnapshotInput!) {
        a: createGroupSnapshot(input: { groupId: "${GROUP}", name: "pf-first" }) ${SNAPSHOT}
        b: createGroupSnapshot(input: $second) ${SNAPSHOT}
      }`,
      { second: { groupId: SEED.groups.webTier, name: 'pf-second' } },
    );
    expect(r.a.groupSnapshot).toMatchObject({ id: expect.any(String), name: 'pf-first' });
    expect(r.b.groupSnapshot).toMatchObject({ id: expect.any(String), name: 'pf-second' });
    expect(posts().map((c) => JSON.parse(c.body).group_snapshot.name)).toEqual(['pf-first', 'pf-second']);
  });

  it('a bad field that @skip or @include leaves out is not checked: it never runs', async () => {
    const r = await f.ok<any>(
      `mutation($skip: Boolean!) {
        a: createGroupSnapshot(input: { groupId: "${GROUP}", name: "pf-kept" }) ${SNAPSHOT}
        b: createGroupSnapshot(input: { groupId: "not-a-uuid" }) @skip(if: $skip) ${SNAPSHOT}
        ... @include(if: false) { c: deleteVolume(input: { id: "detail" }) { id } }
      }`,
      { skip: true },
    );
    expect(r).toEqual({ a: { groupSnapshot: { id: expect.any(String), name: 'pf-kept' } } });
    expect(posts()).toHaveLength(1);
  });

  it('a mutation over GET is refused before anything runs', async () => {
    const query = `mutation { a: createGroupSnapshot(input: { groupId: "${GROUP}" }) { id } }`;
    const res = await request(`${f.url}?query=${encodeURIComponent(query)}`, { headers: { 'apollo-require-preflight': '1' } });
    await res.body.text();
    expect(res.statusCode).toBe(405);
    expect(upstreamCalls()).toEqual([]);
  });

  it('a mutation asked for as an event stream is refused before anything runs', async () => {
    const before = stored();
    const query = `mutation { a: createGroupSnapshot(input: { groupId: "${GROUP}" }) { id } b: deleteVolume(input: { id: "detail" }) { id } }`;
    const res = await request(f.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query }),
    });
    const body = await res.body.text();
    expect(res.statusCode, body).toBeGreaterThanOrEqual(400);
    expect(upstreamCalls(), body).toEqual([]);
    expect(stored(), body).toEqual(before);
  });
});
