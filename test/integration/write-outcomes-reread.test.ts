// Writes the upstream accepted whose read-back then failed (probe of write outcomes). A create's payload was null
// as a whole, so the new object's id appeared nowhere; group type writes answered a plain "Cinder failed (HTTP
// 500)." with no word that the change was made, so a client sent it again. Now the payload keeps its id (and
// `settled: false`), and the error, saying the change was made, is on the object field only.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCinderSimulator } from '../../src/simulator/cinder/index.js';
import { SEED } from '../../src/simulator/cinder/seed.js';
import { SEED_IDS } from '../../src/simulator/manila/seed.js';
import { type RunningSimulator, serveSimulator } from '../../src/simulator/server.js';
import { type Facade, type GqlResult, startFacade } from '../helpers/facade.js';
import { faultyProxy } from '../helpers/faultyProxy.js';

const MADE = /^The change was made, but reading the object back failed, so it is not shown here \(do not send the change again\): (Cinder|Manila) failed \(HTTP 500\)\.$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PROJECT = '0123456789abcdef0123456789abcdef';

/** Once `sim` has answered a write whose path matches `write`, its next GET whose URL holds `read` answers 500. */
function failReadAfterWrite(sim: RunningSimulator, write: RegExp, read: string) {
  sim.observe((call) => {
    if (call.method === 'GET' || !write.test(call.path)) return;
    sim.observe(null);
    sim.injectFault({ status: 500, json: { computeFault: { code: 500, message: 'db down' } }, methods: ['GET'], urlIncludes: read });
  });
}

/** One error, on `path`, saying the change was made, with the read's code; the write went out once. */
function expectMadeButUnread(r: GqlResult, path: string[], sim: RunningSimulator, write: RegExp) {
  const context = `body: ${r.raw}`;
  expect(r.errors?.map((e) => [e.path, e.extensions?.code]), context).toEqual([[path, 'UPSTREAM_ERROR']]);
  expect(r.errors?.[0]?.message, context).toMatch(MADE);
  expect(sim.calls.filter((c) => c.method !== 'GET' && write.test(c.path)), context).toHaveLength(1);
}

describe('a create whose read-back fails keeps the new id in its payload', () => {
  let f: Facade;
  let legacy: Facade;
  beforeAll(async () => {
    [f, legacy] = await Promise.all([
      startFacade({}),
      startFacade({ SIMULATE: 'manila', SDRS_URL: 'http://127.0.0.1:9/v1/x' }, { manila: { legacy: true } }),
    ]);
  });
  afterAll(() => Promise.all([f.close(), legacy.close()]));
  beforeEach(() => {
    for (const s of [...Object.values(f.app.simulators), ...Object.values(legacy.app.simulators)]) s.resetCalls();
  });

  const VT = SEED.volumeTypes.ssdReplicated;
  const ST = SEED_IDS.shareTypes.defaultNfs;
  const cases: [string, 'f' | 'legacy', 'cinder' | 'manila', RegExp, string, string, string][] = [
    ['createGroup', 'f', 'cinder', /\/groups$/, '/groups/', 'group', `{ groupTypeId: "${SEED.groupTypes.generic}", volumeTypeIds: ["${VT}"], name: "unread" }`],
    ['createGroupFromSource', 'f', 'cinder', /\/groups\/action$/, '/groups/', 'group', `{ sourceGroupId: "${SEED.groups.webTier}" }`],
    ['createGroupSnapshot', 'f', 'cinder', /\/group_snapshots$/, '/group_snapshots/', 'groupSnapshot', `{ groupId: "${SEED.groups.webTier}" }`],
    ['createVolume', 'f', 'cinder', /\/volumes$/, '/volumes/', 'volume', '{ size: 1 }'],
    ['createShareGroup', 'f', 'manila', /\/share-groups$/, '/share-groups/', 'shareGroup', `{ shareTypeIds: ["${ST}"] }`],
    ['createShareGroupSnapshot', 'f', 'manila', /\/share-group-snapshots$/, '/share-group-snapshots/', 'shareGroupSnapshot', `{ shareGroupId: "${SEED_IDS.shareGroups.emptyAvailable}" }`],
    ['createShare', 'f', 'manila', /\/shares$/, '/shares/', 'share', '{ size: 1, shareProtocol: NFS }'],
    ['createConsistencyGroup', 'legacy', 'manila', /\/consistency-groups$/, '/consistency-groups/', 'consistencyGroup', `{ shareTypeIds: ["${ST}"] }`],
    ['createConsistencyGroupSnapshot', 'legacy', 'manila', /\/cgsnapshots$/, '/cgsnapshots/', 'consistencyGroupSnapshot', `{ consistencyGroupId: "${SEED_IDS.consistencyGroups.legacyDb}" }`],
  ];

  it.each(cases)('%s: id and settled false; the error on the object field says the change was made', async (name, which, service, write, read, field, input) => {
    const facade = which === 'f' ? f : legacy;
    const sim = facade.app.simulators[service]!;
    failReadAfterWrite(sim, write, read);
    const r = await facade.gql(`mutation { ${name}(input: ${input}) { id settled ${field} { id } } }`);
    expectMadeButUnread(r, [name, field], sim, write);
    expect(r.data?.[name], r.raw).toEqual({ id: expect.stringMatching(UUID), settled: false, [field]: null });
  });

  it('createGroupType and createShareGroupType: the id too (their re-read failed as a plain error, payload null)', async () => {
    const cinder = f.app.simulators.cinder!;
    failReadAfterWrite(cinder, /\/group_types$/, '/group_types/');
    const gt = await f.gql('mutation { createGroupType(input: { name: "unread-gt" }) { id groupType { id } } }');
    expectMadeButUnread(gt, ['createGroupType', 'groupType'], cinder, /\/group_types$/);
    expect(gt.data?.createGroupType, gt.raw).toEqual({ id: expect.stringMatching(UUID), groupType: null });
    const made = await f.ok<any>('query($id: ID!) { groupType(id: $id) { name } }', { id: gt.data!.createGroupType.id });
    expect(made.groupType).toEqual({ name: 'unread-gt' });

    const manila = f.app.simulators.manila!;
    failReadAfterWrite(manila, /\/share-group-types$/, '/share-group-types/');
    const sgt = await f.gql(`mutation { createShareGroupType(input: { name: "unread-sgt", shareTypeIds: ["${ST}"] }) { id shareGroupType { id } } }`);
    expectMadeButUnread(sgt, ['createShareGroupType', 'shareGroupType'], manila, /\/share-group-types$/);
    expect(sgt.data?.createShareGroupType, sgt.raw).toEqual({ id: expect.stringMatching(UUID), shareGroupType: null });
  });

  it('the id is that of the object made: read afterwards, it is there', async () => {
    const sim = f.app.simulators.cinder!;
    failReadAfterWrite(sim, /\/groups$/, '/groups/');
    const r = await f.gql(`mutation { createGroup(input: { groupTypeId: "${SEED.groupTypes.generic}", volumeTypeIds: ["${VT}"], name: "unread-found" }) { id } }`);
    expect(r.errors, r.raw).toBeUndefined();
    const read = await f.ok<any>('query($id: ID!) { group(id: $id) { name } }', { id: r.data!.createGroup.id });
    expect(read.group).toEqual({ name: 'unread-found' });
  });
});

describe('a create whose read-back never answers', () => {
  it('createVolume: the id, and UPSTREAM_TIMEOUT saying the change was made on volume only', async () => {
    const sim = await serveSimulator(createCinderSimulator({}).handler);
    const proxy = await faultyProxy(sim.origin);
    const f = await startFacade({ CINDER_URL: `${proxy.origin}/v3/${PROJECT}`, UPSTREAM_TIMEOUT_MS: '500' });
    try {
      proxy.misbehave(/^GET \/v3\/[^/]+\/volumes\/[0-9a-f-]{36}$/, () => undefined);
      const r = await f.gql('mutation { createVolume(input: { size: 1 }) { id settled volume { id } } }');
      expect(r.errors?.map((e) => [e.path, e.extensions?.code]), r.raw).toEqual([[['createVolume', 'volume'], 'UPSTREAM_TIMEOUT']]);
      expect(r.errors?.[0]?.message).toMatch(/^The change was made, but reading the object back failed, .*do not send the change again/);
      expect(r.data?.createVolume, r.raw).toEqual({ id: expect.stringMatching(UUID), settled: false, volume: null });
      expect(proxy.seen.filter((c) => /^POST .*\/volumes$/.test(c))).toHaveLength(1);
    } finally {
      await f.close();
      await proxy.close();
      await sim.close();
    }
  });
});

describe('group type writes whose read-back fails say the change was made', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({});
  });
  afterAll(() => f.close());

  async function cinderType(name: string): Promise<string> {
    const made = await f.ok<any>('mutation($n: String!) { createGroupType(input: { name: $n, groupSpecs: [{ key: "k1", value: "1" }] }) { id } }', { n: name });
    return made.createGroupType.id;
  }

  async function manilaType(name: string, isPublic = true): Promise<string> {
    const made = await f.ok<any>('mutation($n: String!, $t: [ID!]!, $p: Boolean) { createShareGroupType(input: { name: $n, shareTypeIds: $t, isPublic: $p, groupSpecs: [{ key: "k1", value: "1" }] }) { id } }', {
      n: name,
      t: [SEED_IDS.shareTypes.defaultNfs],
      p: isPublic,
    });
    return made.createShareGroupType.id;
  }

  it.each([
    ['updateGroupType', (id: string) => `{ id: "${id}", description: "d" }`, /\/group_types\/[^/]+$/, 'groupType { id }', { groupType: null }],
    ['setGroupTypeSpecs', (id: string) => `{ id: "${id}", specs: [{ key: "k2", value: "2" }] }`, /\/group_specs$/, 'groupType { id }', { groupType: null }],
    ['unsetGroupTypeSpecs', (id: string) => `{ id: "${id}", keys: ["k1"] }`, /\/group_specs\/k1$/, 'groupType { id }', { groupType: null }],
  ] as const)('Cinder %s', async (name, input, write, selection, payload) => {
    const id = await cinderType(`reread-${name}`);
    const sim = f.app.simulators.cinder!;
    sim.resetCalls();
    failReadAfterWrite(sim, write, `/group_types/${id}`);
    const r = await f.gql(`mutation { ${name}(input: ${input(id)}) { ${selection} } }`);
    expectMadeButUnread(r, [name, 'groupType'], sim, write);
    expect(r.data?.[name], r.raw).toEqual(payload);
  });

  it('Cinder deleteGroupType keeps its id', async () => {
    const id = await cinderType('reread-delete');
    const sim = f.app.simulators.cinder!;
    sim.resetCalls();
    failReadAfterWrite(sim, /\/group_types\/[^/]+$/, `/group_types/${id}`);
    const r = await f.gql(`mutation { deleteGroupType(input: { id: "${id}" }) { id groupType { id } } }`);
    expectMadeButUnread(r, ['deleteGroupType', 'groupType'], sim, /\/group_types\/[^/]+$/);
    expect(r.data?.deleteGroupType, r.raw).toEqual({ id, groupType: null });
  });

  it.each([
    ['setShareGroupTypeSpecs', (id: string) => `{ id: "${id}", specs: [{ key: "k2", value: "2" }] }`, /\/group-specs$/],
    ['unsetShareGroupTypeSpecs', (id: string) => `{ id: "${id}", keys: ["k1"] }`, /\/group-specs\/k1$/],
  ] as const)('Manila %s', async (name, input, write) => {
    const id = await manilaType(`reread-${name}`);
    const sim = f.app.simulators.manila!;
    sim.resetCalls();
    failReadAfterWrite(sim, write, `/share-group-types/${id}`);
    const r = await f.gql(`mutation { ${name}(input: ${input(id)}) { shareGroupType { id } } }`);
    expectMadeButUnread(r, [name, 'shareGroupType'], sim, write);
    expect(r.data?.[name], r.raw).toEqual({ shareGroupType: null });
  });

  it.each(['addShareGroupTypeAccess', 'removeShareGroupTypeAccess'])('Manila %s, when the project list cannot be read back', async (name) => {
    const id = await manilaType(`reread-${name}`, false);
    const sim = f.app.simulators.manila!;
    if (name === 'removeShareGroupTypeAccess') await f.ok(`mutation { addShareGroupTypeAccess(input: { id: "${id}", projectId: "${PROJECT}" }) { projectIds } }`);
    const action = /\/share-group-types\/[^/]+\/action$/;
    const mutation = `mutation { ${name}(input: { id: "${id}", projectId: "${PROJECT}" }) { projectIds shareGroupType { id } } }`;
    sim.resetCalls();
    failReadAfterWrite(sim, action, `/share-group-types/${id}/access`);
    const list = await f.gql(mutation);
    // projectIds is non-null: without it there is no payload, and the error says the change was made.
    expectMadeButUnread(list, [name], sim, action);
    expect(list.data, list.raw).toEqual({ [name]: null });
  });
});
