// Writes the upstream accepted whose read-back then failed (probe of write outcomes). A create's payload was null
// as a whole, so the new object's id appeared nowhere. Now the payload keeps its id (and `settled: false`), and
// the error, saying the change was made, is on the object field only.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/seed.js';
import { SEED_IDS } from '../../src/simulator/manila/seed.js';
import type { RunningSimulator } from '../../src/simulator/server.js';
import { type Facade, type GqlResult, startFacade } from '../helpers/facade.js';

const MADE = /^The change was made, but reading the object back failed, so it is not shown here \(do not send the change again\): (Cinder|Manila) failed \(HTTP 500\)\.$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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

  it('the id is that of the object made: read afterwards, it is there', async () => {
    const sim = f.app.simulators.cinder!;
    failReadAfterWrite(sim, /\/groups$/, '/groups/');
    const r = await f.gql(`mutation { createGroup(input: { groupTypeId: "${SEED.groupTypes.generic}", volumeTypeIds: ["${VT}"], name: "unread-found" }) { id } }`);
    expect(r.errors, r.raw).toBeUndefined();
    const read = await f.ok<any>('query($id: ID!) { group(id: $id) { name } }', { id: r.data!.createGroup.id });
    expect(read.group).toEqual({ name: 'unread-found' });
  });
});
