// Mutation input handling (probe of mutation inputs): spec keys that are names of Object.prototype's members reach
// the upstream as given; a multi-key unset removes nothing when one key is missing and says what it removed when
// a DELETE fails midway; duplicate list entries, blank names and blank or equal SDRS zones are BAD_USER_INPUT; and
// every argument's form is checked before the first upstream read.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/seed.js';
import { SEED_IDS } from '../../src/simulator/manila/seed.js';
import { SDRS_SIM_DOMAIN } from '../../src/simulator/sdrs/seed.js';
import { type Facade, type GqlResult, startFacade } from '../helpers/facade.js';

let f: Facade;
const sim = (name: 'cinder' | 'manila' | 'sdrs') => f.app.simulators[name]!;
const upstreamCalls = () => Object.values(f.app.simulators).flatMap((s) => s.calls.map((c) => `${c.method} ${c.path}`));

beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());
beforeEach(() => {
  for (const s of Object.values(f.app.simulators)) s.resetCalls();
});

/** The mutation was refused with BAD_USER_INPUT (matching `message`) and not one upstream call, read or write, was made. */
function expectRefused(r: GqlResult, message: RegExp) {
  const context = `body: ${r.raw}`;
  expect(r.errors?.map((e) => e.extensions?.code), context).toEqual(['BAD_USER_INPUT']);
  expect(r.errors?.[0]?.message, context).toMatch(message);
  expect(upstreamCalls(), context).toEqual([]);
}

/** The bodies of the writes one simulator received, as sent. */
const writesTo = (name: 'cinder' | 'manila', method: string) => sim(name).calls.filter((c) => c.method === method).map((c) => c.body);

const ST = SEED_IDS.shareTypes.defaultNfs;
const VT = SEED.volumeTypes.ssdReplicated;

describe('spec keys named like members of Object.prototype reach the upstream as given', () => {
  it('Cinder setGroupTypeSpecs and createGroupType send __proto__ (it was dropped: {"group_specs":{}})', async () => {
    const set = await f.gql('mutation($id: ID!) { setGroupTypeSpecs(input: { id: $id, specs: [{ key: "__proto__", value: "x" }] }) { groupType { id groupSpecs { key value } } } }', {
      id: SEED.groupTypes.generic,
    });
    expect(set.errors, set.raw).toBeUndefined();
    expect(writesTo('cinder', 'POST')).toEqual(['{"group_specs":{"__proto__":"x"}}']);
    // Kept as a key by the simulator too, as Cinder's dict keeps it.
    expect(set.data!.setGroupTypeSpecs.groupType.groupSpecs).toContainEqual({ key: '__proto__', value: 'x' });
    sim('cinder').resetCalls();
    const made = await f.gql('mutation { createGroupType(input: { name: "proto-gt", groupSpecs: [{ key: "__proto__", value: "x" }, { key: "a", value: "1" }] }) { groupType { id } } }');
    expect(made.errors, made.raw).toBeUndefined();
    expect(JSON.parse(writesTo('cinder', 'POST')[0]!).group_type.group_specs).toEqual(JSON.parse('{"__proto__":"x","a":"1"}'));
  });

  it('Cinder still refuses __proto__ given twice', async () => {
    const r = await f.gql('mutation($id: ID!) { setGroupTypeSpecs(input: { id: $id, specs: [{ key: "__proto__", value: "x" }, { key: "__proto__", value: "y" }] }) { groupType { id } } }', {
      id: SEED.groupTypes.generic,
    });
    expectRefused(r, /twice/);
  });

  it('Manila takes constructor, toString, valueOf and __proto__ (they were "given twice")', async () => {
    const made = await f.gql(
      `mutation($st: ID!) { createShareGroupType(input: { name: "proto-sgt", shareTypeIds: [$st], groupSpecs: [
        { key: "constructor", value: "a" }, { key: "toString", value: "b" }, { key: "valueOf", value: "c" }] }) { shareGroupType { id groupSpecs { key value } } } }`,
      { st: ST },
    );
    expect(made.errors, made.raw).toBeUndefined();
    const type = made.data!.createShareGroupType.shareGroupType;
    expect(type.groupSpecs).toEqual(expect.arrayContaining([{ key: 'constructor', value: 'a' }, { key: 'toString', value: 'b' }, { key: 'valueOf', value: 'c' }]));
    sim('manila').resetCalls();
    const set = await f.gql('mutation($id: ID!) { setShareGroupTypeSpecs(input: { id: $id, specs: [{ key: "__proto__", value: "x" }] }) { shareGroupType { id } } }', {
      id: type.id,
    });
    expect(set.errors, set.raw).toBeUndefined();
    expect(writesTo('manila', 'POST')).toEqual(['{"group_specs":{"__proto__":"x"}}']);
    const read = await f.ok<any>('query($id: ID!) { shareGroupType(id: $id) { groupSpecs { key value } } }', { id: type.id });
    expect(read.shareGroupType.groupSpecs).toContainEqual({ key: '__proto__', value: 'x' });
  });
});

describe('Cinder unsetGroupTypeSpecs with several keys', () => {
  const UNSET = 'mutation($id: ID!, $keys: [String!]!) { unsetGroupTypeSpecs(input: { id: $id, keys: $keys }) { groupType { groupSpecs { key } } } }';
  const specKeys = async (id: string) =>
    ((await f.ok<any>('query($id: ID!) { groupType(id: $id) { groupSpecs { key } } }', { id })).groupType.groupSpecs as { key: string }[]).map((s) => s.key).sort();
  async function typeWith(name: string, keys: string[]): Promise<string> {
    const specs = keys.map((key) => ({ key, value: '1' }));
    const made = await f.ok<any>('mutation($name: String!, $specs: [GroupSpecInput!]) { createGroupType(input: { name: $name, groupSpecs: $specs }) { groupType { id } } }', {
      name,
      specs,
    });
    return made.createGroupType.groupType.id;
  }

  it('a key the type does not have: NOT_FOUND naming it, and nothing is removed (pk1 was)', async () => {
    const id = await typeWith('unset-missing', ['pk1', 'pk2']);
    sim('cinder').resetCalls();
    const r = await f.gql(UNSET, { id, keys: ['pk1', 'missingkey'] });
    expect(r.errors?.map((e) => e.extensions?.code), r.raw).toEqual(['NOT_FOUND']);
    expect(r.errors?.[0]?.message).toMatch(/missingkey.*nothing was removed/);
    expect(sim('cinder').calls.filter((c) => c.method !== 'GET'), r.raw).toEqual([]);
    expect(await specKeys(id)).toEqual(['pk1', 'pk2']);
  });

  it('a DELETE that fails midway: the error says which keys were removed and which were not sent; none is sent twice', async () => {
    const id = await typeWith('unset-midway', ['pk1', 'pk2', 'pk3']);
    sim('cinder').resetCalls();
    sim('cinder').injectFault({ status: 503, json: { serviceUnavailable: { code: 503, message: 'down' } }, methods: ['DELETE'], urlIncludes: '/group_specs/pk2' });
    const r = await f.gql(UNSET, { id, keys: ['pk1', 'pk2', 'pk3'] });
    expect(r.errors?.map((e) => e.extensions?.code), r.raw).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(r.errors?.[0]?.message).toMatch(/already removed: pk1\b/);
    expect(r.errors?.[0]?.message).toMatch(/pk2/);
    expect(r.errors?.[0]?.message).toMatch(/not sent: pk3\b/);
    expect(sim('cinder').calls.filter((c) => c.method === 'DELETE').map((c) => c.path.replace(/^.*\/group_specs\//, ''))).toEqual(['pk1', 'pk2']);
    expect(await specKeys(id)).toEqual(['pk2', 'pk3']);
  });

  it('keys that all exist are removed, after one read of the type', async () => {
    const id = await typeWith('unset-all', ['pk1', 'pk2', 'keep']);
    sim('cinder').resetCalls();
    const d = await f.ok<any>(UNSET, { id, keys: ['pk1', 'pk2'] });
    expect(d.unsetGroupTypeSpecs.groupType.groupSpecs).toEqual([{ key: 'keep' }]);
    expect(sim('cinder').calls.map((c) => `${c.method} ${c.path.replace(/^.*\/group_types\//, '')}`)).toEqual([
      `GET ${id}`,
      `DELETE ${id}/group_specs/pk1`,
      `DELETE ${id}/group_specs/pk2`,
      `GET ${id}`,
    ]);
  });

  it('a type that does not exist: NOT_FOUND without any DELETE', async () => {
    const r = await f.gql(UNSET, { id: '00000000-0000-4000-8000-000000000000', keys: ['a'] });
    expect(r.errors?.map((e) => e.extensions?.code), r.raw).toEqual(['NOT_FOUND']);
    expect(sim('cinder').calls.filter((c) => c.method === 'DELETE')).toEqual([]);
  });
});

describe('a list that names one thing twice is refused before any call', () => {
  it.each([
    ['createGroup volumeTypeIds', `mutation { createGroup(input: { groupTypeId: "generic", volumeTypeIds: ["${VT}", "${VT}"] }) { group { id } } }`],
    ['createShareGroup shareTypeIds', `mutation { createShareGroup(input: { shareTypeIds: ["${ST}", "${ST}"] }) { shareGroup { id } } }`],
    ['createShareGroup shareTypeIds, case aside', `mutation { createShareGroup(input: { shareTypeIds: ["${ST}", "${ST.toUpperCase()}"] }) { shareGroup { id } } }`],
    ['createShareGroupType shareTypeIds', `mutation { createShareGroupType(input: { name: "dup", shareTypeIds: ["${ST}", "${ST}"] }) { shareGroupType { id } } }`],
    // Probe of 2026-12-07: these went to Cinder, and a write before them in the document had run.
    ['createGroup volumeTypeIds, case aside', `mutation { createGroup(input: { groupTypeId: "generic", volumeTypeIds: ["${VT}", "${VT.toUpperCase()}"] }) { group { id } } }`],
    ['createGroup volumeTypeIds, names case aside', 'mutation { createGroup(input: { groupTypeId: "generic", volumeTypeIds: ["nvme-fast", "NVME-FAST"] }) { group { id } } }'],
  ])('%s', async (_, mutation) => {
    expectRefused(await f.gql(mutation), /twice/);
  });

  it('a write before such a list in the document does not run', async () => {
    const r = await f.gql(
      `mutation { ok: updateGroup(input: { id: "${SEED.groups.emptyStaging}", description: "p1" }) { group { id } } b: createGroup(input: { groupTypeId: "generic", volumeTypeIds: ["${VT}", "${VT.toUpperCase()}"] }) { group { id } } }`,
    );
    expectRefused(r, /twice/);
  });
});

describe('ids in name-or-id fields are sent in lower case, as every id', () => {
  it('createGroup with an upper-cased group type id and volume type id creates the group', async () => {
    const r = await f.gql(
      `mutation { createGroup(input: { groupTypeId: "${SEED.groupTypes.generic.toUpperCase()}", volumeTypeIds: ["${VT.toUpperCase()}"], name: "upper-ids" }) { group { id } } }`,
    );
    expect(r.errors, r.raw).toBeUndefined();
    expect(JSON.parse(writesTo('cinder', 'POST')[0]!).group).toMatchObject({ group_type: SEED.groupTypes.generic, volume_types: [VT] });
    await f.gql(`mutation { deleteGroup(input: { id: "${r.data!.createGroup.group.id}" }) { id } }`);
  });
});

// 25,000 distinct volume types went to Cinder in one call (probe of 2026-12-07).
describe('a list of more than 100 types is refused before any call', () => {
  const uuids = Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const list = JSON.stringify(uuids);
  it.each([
    ['createGroup volumeTypeIds', `mutation { createGroup(input: { groupTypeId: "generic", volumeTypeIds: ${list} }) { group { id } } }`],
    ['createShareGroup shareTypeIds', `mutation { createShareGroup(input: { shareTypeIds: ${list} }) { shareGroup { id } } }`],
    ['createShareGroupType shareTypeIds', `mutation { createShareGroupType(input: { name: "many", shareTypeIds: ${list} }) { shareGroupType { id } } }`],
  ])('%s', async (_, mutation) => {
    expectRefused(await f.gql(mutation), /names 101 items; at most 100/);
  });
});

describe('blank names are refused before any call; an empty description is not', () => {
  const group = SEED.groups.emptyStaging;
  it.each([
    ['createGroup ""', 'mutation { createGroup(input: { groupTypeId: "generic", volumeTypeIds: ["lvm"], name: "" }) { group { id } } }'],
    ['createGroup "  "', 'mutation { createGroup(input: { groupTypeId: "generic", volumeTypeIds: ["lvm"], name: "  " }) { group { id } } }'],
    ['updateGroup ""', `mutation { updateGroup(input: { id: "${group}", name: "" }) { group { id } } }`],
    ['updateGroup " " with a description', `mutation { updateGroup(input: { id: "${group}", name: " ", description: "d" }) { group { id } } }`],
    ['createShareGroup " "', `mutation { createShareGroup(input: { shareTypeIds: ["${ST}"], name: " " }) { shareGroup { id } } }`],
    ['createShareGroupType ""', `mutation { createShareGroupType(input: { name: "", shareTypeIds: ["${ST}"] }) { shareGroupType { id } } }`],
    ['createShareGroupType "   "', `mutation { createShareGroupType(input: { name: "   ", shareTypeIds: ["${ST}"] }) { shareGroupType { id } } }`],
    ['createGroupFromSource " "', `mutation { createGroupFromSource(input: { sourceGroupId: "${group}", name: " " }) { group { id } } }`],
    ['createGroupSnapshot ""', `mutation { createGroupSnapshot(input: { groupId: "${group}", name: "" }) { groupSnapshot { id } } }`],
    ['createVolume " "', `mutation { createVolume(input: { size: 1, name: " " }) { volume { id } } }`],
    ['createShare " " in a group', `mutation { createShare(input: { size: 1, shareProtocol: NFS, shareGroupId: "${SEED_IDS.shareGroups.staging}", name: " " }) { share { id } } }`],
    ['updateShareGroup ""', `mutation { updateShareGroup(input: { id: "${SEED_IDS.shareGroups.staging}", name: "" }) { shareGroup { id } } }`],
    ['createShareGroupSnapshot " "', `mutation { createShareGroupSnapshot(input: { shareGroupId: "${SEED_IDS.shareGroups.staging}", name: " " }) { shareGroupSnapshot { id } } }`],
    ['updateShareGroupSnapshot ""', `mutation { updateShareGroupSnapshot(input: { id: "${SEED_IDS.shareGroupSnapshots.dbNightly}", name: "" }) { shareGroupSnapshot { id } } }`],
  ])('%s', async (_, mutation) => {
    // A stored name: an id is never an option here, so the message offers none.
    expectRefused(await f.gql(mutation), /^name must not be blank\.$/);
  });

  it.each([
    ['groupTypeId', 'mutation { createGroup(input: { groupTypeId: " ", volumeTypeIds: ["lvm"] }) { group { id } } }'],
    ['volumeTypeIds', 'mutation { createGroup(input: { groupTypeId: "generic", volumeTypeIds: [""] }) { group { id } } }'],
  ])('createGroup with a blank %s (a name or an id) says either will do', async (key, mutation) => {
    expectRefused(await f.gql(mutation), new RegExp(`^${key} is empty; give a name or an id\\.$`));
  });

  it('updateGroup with a name and an empty description is sent', async () => {
    const d = await f.ok<any>(`mutation { updateGroup(input: { id: "${group}", name: "renamed", description: "" }) { group { name description } } }`);
    expect(d.updateGroup.group).toMatchObject({ name: 'renamed' });
    expect(JSON.parse(writesTo('cinder', 'PUT')[0]!)).toEqual({ group: { name: 'renamed', description: '' } });
  });
});

describe('createProtectionGroup refuses blank or equal zones before calling SDRS', () => {
  const CREATE = 'mutation($in: CreateProtectionGroupInput!) { createProtectionGroup(input: $in) { jobId } }';
  const [zoneA, zoneB] = SDRS_SIM_DOMAIN.availability_zones;
  const input = (over: Record<string, string>) => ({
    name: 'pg-zones', sourceAvailabilityZone: zoneA, targetAvailabilityZone: zoneB,
    domainId: SDRS_SIM_DOMAIN.id, sourceVpcId: '7d2e9f41-3a6b-4c8d-9e0f-1a2b3c4d5e6f', ...over,
  });

  it.each([
    ['sourceAvailabilityZone', ' '],
    ['sourceAvailabilityZone', ''],
    ['targetAvailabilityZone', ''],
    ['targetAvailabilityZone', '  '],
  ])('%s %j', async (key, value) => {
    expectRefused(await f.gql(CREATE, { in: input({ [key]: value }) }), new RegExp(`^${key} must not be blank\\.$`));
  });

  it('the same zone for source and target', async () => {
    expectRefused(await f.gql(CREATE, { in: input({ targetAvailabilityZone: zoneA }) }), /must differ/);
  });
});

describe('every argument is checked before the first read', () => {
  it('createShare into a group with a blank zone reads nothing', async () => {
    const r = await f.gql(`mutation { createShare(input: { size: 1, shareProtocol: NFS, shareGroupId: "${SEED_IDS.shareGroups.emptyAvailable}", availabilityZone: "  " }) { share { id } } }`);
    expectRefused(r, /^availabilityZone must not be blank\.$/);
  });

  it.each([
    ['shareNetworkId: ""', /Invalid shareNetworkId ""/],
    ['availabilityZone: ""', /availabilityZone/],
    ['availabilityZone: " "', /availabilityZone/],
    ['name: " "', /^name must not be blank\.$/],
    [`shareGroupTypeId: "default"`, /Invalid shareGroupTypeId/],
  ])('createShareGroup from a snapshot with %s reads nothing', async (extra, message) => {
    const r = await f.gql(`mutation { createShareGroup(input: { sourceShareGroupSnapshotId: "${SEED_IDS.shareGroupSnapshots.dbNightly}", ${extra} }) { shareGroup { id } } }`);
    expectRefused(r, message);
  });
});
