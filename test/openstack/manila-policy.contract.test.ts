// Manila's own policy behind real Keystone (the keystone-protected manila-api of scripts/openstack/start.sh, Zed's
// default rules with enforce_new_defaults): share group type administration is admin-only, and the facade passes
// Manila's 403 on as FORBIDDEN without refusing anything itself; a member's own shares are its to make and delete,
// and Manila's other 403 (a share that may not be deleted in its state) stays CONFLICT. The noauth manila-api of the
// contract suite cannot show this: noauth makes every caller an admin.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { restClient } from '../helpers/rest.js';
import { openstackEnv, passwordToken } from './env.js';

const KEYS = [
  'KEYSTONE_URL', 'MANILA_KEYSTONE_URL', 'GG_ALPHA_PROJECT_ID', 'GG_ALPHA_MEMBER_USER', 'GG_ALPHA_MEMBER_PASSWORD',
  'GG_ALPHA_READER_USER', 'GG_ALPHA_READER_PASSWORD', 'GG_ALPHA_ADMIN_USER', 'GG_ALPHA_ADMIN_PASSWORD',
];

describe('Manila policy behind real Keystone', () => {
  let f: Facade;
  let member: string;
  let reader: string;
  let admin: string;
  let shareTypeId: string;
  let groupTypeId: string;
  const tag = `gg-pol-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const env = openstackEnv(KEYS);
    const project = env.GG_ALPHA_PROJECT_ID!;
    member = await passwordToken(env.KEYSTONE_URL!, env.GG_ALPHA_MEMBER_USER!, env.GG_ALPHA_MEMBER_PASSWORD!, project);
    reader = await passwordToken(env.KEYSTONE_URL!, env.GG_ALPHA_READER_USER!, env.GG_ALPHA_READER_PASSWORD!, project);
    admin = await passwordToken(env.KEYSTONE_URL!, env.GG_ALPHA_ADMIN_USER!, env.GG_ALPHA_ADMIN_PASSWORD!, project);
    const manilaAdmin = restClient(env.MANILA_KEYSTONE_URL!.replace('{project_id}', project), admin, { 'x-openstack-manila-api-version': '2.73' });
    const st = await manilaAdmin('POST', '/types', { share_type: { name: `${tag}-st`, extra_specs: { driver_handles_share_servers: 'false' } } });
    shareTypeId = st.json.share_type.id;
    const sgt = await manilaAdmin('POST', '/share-group-types', { share_group_type: { name: `${tag}-sgt`, share_types: [shareTypeId] } });
    groupTypeId = sgt.json.share_group_type.id;
    f = await startFacade({ KEYSTONE_URL: env.KEYSTONE_URL!, MANILA_URL: env.MANILA_KEYSTONE_URL! });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('a member\'s share group type administration is Manila\'s 403, passed on as FORBIDDEN', async () => {
    const calls = [
      [`mutation($st: ID!) { createShareGroupType(input: { name: "${tag}-member", shareTypeIds: [$st] }) { shareGroupType { id } } }`, { st: shareTypeId }],
      [`mutation($id: ID!) { setShareGroupTypeSpecs(input: { id: $id, specs: [{ key: "a", value: "1" }] }) { shareGroupType { id } } }`, { id: groupTypeId }],
      [`mutation($id: ID!) { addShareGroupTypeAccess(input: { id: $id, projectId: "${randomUUID().replace(/-/g, '')}" }) { projectIds } }`, { id: groupTypeId }],
      [`mutation($id: ID!) { deleteShareGroupType(input: { id: $id }) { id } }`, { id: groupTypeId }],
      [`mutation($id: ID!) { forceDeleteShareGroupSnapshot(input: { id: $id }) { id } }`, { id: randomUUID() }],
    ] as const;
    for (const [query, variables] of calls) {
      const r = await f.gql(query, variables, { token: member });
      expect(r.errors?.[0]?.extensions, query).toMatchObject({ code: 'FORBIDDEN', upstream: { service: 'manila', status: 403 } });
    }
    // Nothing happened: the type is still there, unchanged, for the admin.
    const t = await f.ok<any>(`query($id: ID!) { shareGroupType(id: $id) { id groupSpecs { key } } }`, { id: groupTypeId }, { token: admin });
    expect(t.shareGroupType).toEqual({ id: groupTypeId, groupSpecs: [] });
  });

  it('a member makes and deletes its own shares; deleting one still CREATING is CONFLICT, not FORBIDDEN; a reader may not create', async () => {
    const made = await f.ok<any>(
      `mutation($st: ID!) { createShare(input: { shareProtocol: NFS, size: 1, name: "${tag}-share", shareTypeId: $st }) { share { id status projectId } } }`,
      { st: shareTypeId },
      { token: member },
    );
    const share = made.createShare.share;
    expect(share.status).toBe('CREATING');
    const busy = await f.gql(`mutation($id: ID!) { deleteShare(input: { id: $id }) { id } }`, { id: share.id }, { token: member });
    expect(busy.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { service: 'manila', status: 403 } });
    const byReader = await f.gql(
      `mutation($st: ID!) { createShare(input: { shareProtocol: NFS, size: 1, shareTypeId: $st }) { share { id } } }`,
      { st: shareTypeId },
      { token: reader },
    );
    expect(byReader.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', upstream: { service: 'manila', status: 403 } });
    const mine = await f.ok<any>(`query($n: String) { shares(filter: { name: $n }) { nodes { id } } }`, { n: `${tag}-share` }, { token: reader });
    expect(mine.shares.nodes).toEqual([{ id: share.id }]);

    // Cleanup as an operator would: the admin resets the share (nothing makes it) and the member deletes it.
    const env = openstackEnv(KEYS);
    const manilaAdmin = restClient(env.MANILA_KEYSTONE_URL!.replace('{project_id}', env.GG_ALPHA_PROJECT_ID!), admin, { 'x-openstack-manila-api-version': '2.73' });
    await manilaAdmin('POST', `/shares/${share.id}/action`, { reset_status: { status: 'available' } });
    const del = await f.ok<any>(`mutation($id: ID!) { deleteShare(input: { id: $id }) { id share { id } } }`, { id: share.id }, { token: member });
    expect(del.deleteShare).toEqual({ id: share.id, share: null });
  });

  it('the admin administers share group types through the same facade', async () => {
    const made = await f.ok<any>(
      `mutation($st: ID!) { createShareGroupType(input: { name: "${tag}-admin", shareTypeIds: [$st] }) { shareGroupType { id name } } }`,
      { st: shareTypeId },
      { token: admin },
    );
    const id = made.createShareGroupType.shareGroupType.id;
    const del = await f.ok<any>(`mutation($id: ID!) { deleteShareGroupType(input: { id: $id }) { id } }`, { id }, { token: admin });
    expect(del.deleteShareGroupType.id).toBe(id);
    await f.ok(`mutation($id: ID!) { deleteShareGroupType(input: { id: $id }) { id } }`, { id: groupTypeId }, { token: admin });
  });
});
