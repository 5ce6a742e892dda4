// Creates over a project's quota, end to end on the demo: Cinder and Manila refuse them with 413 overLimit (a
// QuotaError, Retry-After 0) before writing anything, and the facade answers BAD_USER_INPUT with the upstream's
// message, after one POST. The simulators let every create through before, so the demo showed inUse over limit.
// The project is the demo's empty one, at Cinder's and Manila's default quotas (volumes 10, gigabytes 1000,
// groups 10; shares 50, gigabytes 1000).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BETA_PROJECT } from '../../src/simulator/identity.js';
import { type Facade, type GqlResult, startFacade, waitFor } from '../helpers/facade.js';
import { restClient } from '../helpers/rest.js';

const token = `member:${BETA_PROJECT.id}`;
let f: Facade;
const sim = (name: 'cinder' | 'manila') => f.app.simulators[name]!;
const posts = (name: 'cinder' | 'manila') => sim(name).calls.filter((c) => c.method === 'POST');

beforeAll(async () => {
  f = await startFacade({}, undefined, token);
});
afterAll(() => f.close());

/** Refused as a quota refusal: BAD_USER_INPUT on the mutation, the upstream's 413 and its own message. */
function expectOverQuota(r: GqlResult, service: 'cinder' | 'manila', message: string) {
  const context = `body: ${r.raw}`;
  expect(r.errors, context).toHaveLength(1);
  expect(r.errors?.[0], context).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT', upstream: { service, status: 413, code: 'overLimit' } } });
}

const QUOTAS = '{ quotas { volumes { limit inUse } gigabytes { limit inUse } groups { limit inUse } shares { limit inUse } shareGigabytes { limit inUse } } }';
const VOLUME = 'mutation($size: Int!) { createVolume(input: { size: $size }) { id } }';
const GROUP = 'mutation($n: String!) { createGroup(input: { groupTypeId: "generic", volumeTypeIds: ["hdd-standard"], name: $n }) { group { id } } }';
const SHARE = 'mutation($size: Int!) { createShare(input: { size: $size, shareProtocol: NFS }) { share { id } } }';

describe('Cinder refuses creates over the quotas', () => {
  it('a volume over the gigabytes quota: VolumeSizeExceedsAvailableQuota, nothing written', async () => {
    await f.ok(VOLUME, { size: 60 });
    sim('cinder').resetCalls();
    const r = await f.gql(VOLUME, { size: 100_000 });
    expectOverQuota(r, 'cinder', 'VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 100000G, quota is 1000G and 60G has been consumed.');
    expect(r.data).toEqual({ createVolume: null });
    expect(posts('cinder')).toHaveLength(1);
    const q = (await f.ok<any>(QUOTAS)).quotas;
    expect(q.volumes).toEqual({ limit: 10, inUse: 1 });
    expect(q.gigabytes).toEqual({ limit: 1000, inUse: 60 });
  });

  it('the eleventh volume: VolumeLimitExceeded, with Retry-After 0 on the wire', async () => {
    for (let i = 0; i < 9; i++) await f.ok(VOLUME, { size: 1 });
    sim('cinder').resetCalls();
    const r = await f.gql(VOLUME, { size: 1 });
    expectOverQuota(r, 'cinder', "VolumeLimitExceeded: Maximum number of volumes allowed (10) exceeded for quota 'volumes'.");
    expect(posts('cinder')).toHaveLength(1);
    expect((await f.ok<any>(QUOTAS)).quotas.volumes).toEqual({ limit: 10, inUse: 10 });
    // The envelope as Cinder's Fault sends it for a QuotaError.
    const raw = await fetch(`${new URL(sim('cinder').endpoint).origin}/v3/${BETA_PROJECT.id}/volumes`, {
      method: 'POST',
      headers: { 'x-auth-token': token, 'openstack-api-version': 'volume 3.70', 'content-type': 'application/json' },
      body: JSON.stringify({ volume: { size: 1 } }),
    });
    expect(raw.status).toBe(413);
    expect(raw.headers.get('retry-after')).toBe('0');
    expect(await raw.json()).toEqual({
      overLimit: { code: 413, message: "VolumeLimitExceeded: Maximum number of volumes allowed (10) exceeded for quota 'volumes'.", retryAfter: '0' },
    });
  });

  it('a volume over the per-volume limit an admin set: VolumeSizeExceedsLimit, checked before the other quotas', async () => {
    const admin = restClient(sim('cinder').endpoint, null, { 'openstack-api-version': 'volume 3.70' });
    await admin('PUT', `/os-quota-sets/${BETA_PROJECT.id}`, { quota_set: { per_volume_gigabytes: 5 } });
    try {
      expectOverQuota(await f.gql(VOLUME, { size: 6 }), 'cinder', 'VolumeSizeExceedsLimit: Requested volume size 6G is larger than maximum allowed limit 5G.');
    } finally {
      await admin('PUT', `/os-quota-sets/${BETA_PROJECT.id}`, { quota_set: { per_volume_gigabytes: -1 } });
    }
  });

  it('the eleventh group, made or copied from another: GroupLimitExceeded, nothing written', async () => {
    const first = (await f.ok<any>(GROUP, { n: 'quota-1' })).createGroup.group.id;
    for (let i = 2; i <= 10; i++) await f.ok(GROUP, { n: `quota-${i}` });
    sim('cinder').resetCalls();
    const r = await f.gql(GROUP, { n: 'quota-11' });
    expectOverQuota(r, 'cinder', 'GroupLimitExceeded: Maximum number of groups allowed (10) exceeded');
    expect(posts('cinder')).toHaveLength(1);
    // A source group must be AVAILABLE: the copy is refused for the quota alone.
    await waitFor(() => f.ok<any>('query($id: ID!) { group(id: $id) { status } }', { id: first }), (d) => d.group.status === 'AVAILABLE');
    const copy = await f.gql('mutation($id: ID!) { createGroupFromSource(input: { sourceGroupId: $id }) { group { id } } }', { id: first });
    expectOverQuota(copy, 'cinder', 'GroupLimitExceeded: Maximum number of groups allowed (10) exceeded');
    expect((await f.ok<any>(QUOTAS)).quotas.groups).toEqual({ limit: 10, inUse: 10 });
  });
});

describe('Manila refuses creates over the quotas', () => {
  it('a share over the gigabytes quota: ShareSizeExceedsAvailableQuota, nothing written', async () => {
    await f.ok(SHARE, { size: 600 });
    sim('manila').resetCalls();
    const r = await f.gql(SHARE, { size: 401 });
    expectOverQuota(r, 'manila', 'ShareSizeExceedsAvailableQuota: Requested share exceeds allowed project/user or share type gigabytes quota.');
    expect(r.data).toEqual({ createShare: null });
    expect(posts('manila')).toHaveLength(1);
    expect((await f.ok<any>(QUOTAS)).quotas.shareGigabytes).toEqual({ limit: 1000, inUse: 600 });
    await f.ok(SHARE, { size: 400 });
  });

  it('a share over the shares or per-share quota an admin set: ShareLimitExceeded, ShareSizeExceedsLimit', async () => {
    const admin = restClient(sim('manila').endpoint, null, { 'x-openstack-manila-api-version': '2.73' });
    await admin('PUT', `/quota-sets/${BETA_PROJECT.id}`, { quota_set: { shares: 2, gigabytes: -1 } });
    sim('manila').resetCalls();
    const r = await f.gql(SHARE, { size: 1 });
    expectOverQuota(r, 'manila', 'ShareLimitExceeded: Maximum number of shares allowed (2) either per project/user or share type quota is exceeded.');
    expect(posts('manila')).toHaveLength(1);
    expect((await f.ok<any>(QUOTAS)).quotas.shares).toEqual({ limit: 2, inUse: 2 });
    // The per-share limit is checked before the reservation.
    await admin('PUT', `/quota-sets/${BETA_PROJECT.id}`, { quota_set: { per_share_gigabytes: 5 } });
    expectOverQuota(await f.gql(SHARE, { size: 6 }), 'manila', 'ShareSizeExceedsLimit: Requested share size 6 is larger than maximum allowed limit 5.');
  });
});
