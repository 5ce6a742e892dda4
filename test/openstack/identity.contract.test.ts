// The Keystone identity scenarios against real Keystone and the keystone-protected cinder-api and manila-api that
// scripts/openstack/start.sh runs. Tokens are real password tokens of two projects' members, a reader and an admin.
// Recording proxies sit in front of Keystone and the two services, so the scenarios can see which token every call
// carried; the facade reaches Cinder and Manila through `*_URL` templates with {project_id} (the catalog path is
// covered on the simulators).
import { identityScenarios, type TargetUser } from '../contract/identity.scenarios.js';
import { startFacade } from '../helpers/facade.js';
import { recordingProxy } from '../helpers/recordingProxy.js';
import { restClient } from '../helpers/rest.js';
import { openstackEnv, passwordToken } from './env.js';

const KEYS = [
  'KEYSTONE_URL',
  'CINDER_KEYSTONE_URL',
  'MANILA_KEYSTONE_URL',
  'GG_ALPHA_PROJECT_ID',
  'GG_ALPHA_PROJECT_NAME',
  'GG_BETA_PROJECT_ID',
  'GG_BETA_PROJECT_NAME',
  'GG_ALPHA_MEMBER_USER',
  'GG_ALPHA_MEMBER_PASSWORD',
  'GG_ALPHA_READER_USER',
  'GG_ALPHA_READER_PASSWORD',
  'GG_ALPHA_ADMIN_USER',
  'GG_ALPHA_ADMIN_PASSWORD',
  'GG_BETA_MEMBER_USER',
  'GG_BETA_MEMBER_PASSWORD',
];

identityScenarios('real Keystone, Cinder and Manila', async () => {
  const env = openstackEnv(KEYS);
  const origin = (url: string) => new URL(url.replace('{project_id}', 'x')).origin;
  const keystone = await recordingProxy(origin(env.KEYSTONE_URL!));
  const cinder = await recordingProxy(origin(env.CINDER_KEYSTONE_URL!));
  const manila = await recordingProxy(origin(env.MANILA_KEYSTONE_URL!));
  const via = (proxy: { origin: string }, url: string) => url.replace(origin(url), proxy.origin);

  const alpha = { id: env.GG_ALPHA_PROJECT_ID!, name: env.GG_ALPHA_PROJECT_NAME! };
  const beta = { id: env.GG_BETA_PROJECT_ID!, name: env.GG_BETA_PROJECT_NAME! };
  const user = async (name: string, password: string, project: { id: string; name: string }, roles: string[]): Promise<TargetUser> => ({
    token: await passwordToken(env.KEYSTONE_URL!, name, password, project.id),
    name,
    projectId: project.id,
    projectName: project.name,
    roles,
  });
  const users = {
    alphaMember: await user(env.GG_ALPHA_MEMBER_USER!, env.GG_ALPHA_MEMBER_PASSWORD!, alpha, ['member', 'reader']),
    alphaReader: await user(env.GG_ALPHA_READER_USER!, env.GG_ALPHA_READER_PASSWORD!, alpha, ['reader']),
    betaMember: await user(env.GG_BETA_MEMBER_USER!, env.GG_BETA_MEMBER_PASSWORD!, beta, ['member', 'reader']),
    admin: await user(env.GG_ALPHA_ADMIN_USER!, env.GG_ALPHA_ADMIN_PASSWORD!, alpha, ['admin', 'member', 'reader']),
  };

  // Public types every project may use, made by the admin as an operator would.
  const fill = (url: string) => url.replace('{project_id}', alpha.id);
  const cinderAdmin = restClient(fill(env.CINDER_KEYSTONE_URL!), users.admin.token, { 'openstack-api-version': 'volume 3.70' });
  const manilaAdmin = restClient(fill(env.MANILA_KEYSTONE_URL!), users.admin.token, { 'x-openstack-manila-api-version': '2.55' });
  const tag = `gg-id-${Date.now().toString(36)}`;
  const vt = await cinderAdmin('POST', '/types', { volume_type: { name: `${tag}-vt` } });
  const gt = await cinderAdmin('POST', '/group_types', { group_type: { name: `${tag}-gt` } });
  const st = await manilaAdmin('POST', '/types', {
    share_type: { name: `${tag}-st`, extra_specs: { driver_handles_share_servers: false } },
  });
  const sgt = await manilaAdmin('POST', '/share-group-types', { share_group_type: { name: `${tag}-sgt`, share_types: [st.json.share_type.id] } });

  const facadeEnv = {
    KEYSTONE_URL: via(keystone, env.KEYSTONE_URL!),
    CINDER_URL: via(cinder, env.CINDER_KEYSTONE_URL!),
    MANILA_URL: via(manila, env.MANILA_KEYSTONE_URL!),
  };
  const facade = await startFacade(facadeEnv);
  const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const tokenValidations = () => keystone.calls.filter((c) => c.method === 'GET' && c.path.startsWith('/v3/auth/tokens')).length;
  return {
    kind: 'real',
    facade,
    users,
    types: {
      groupTypeId: gt.json.group_type.id,
      volumeTypeId: vt.json.volume_type.id,
      shareGroupTypeId: sgt.json.share_group_type.id,
      shareTypeId: st.json.share_type.id,
    },
    upstreamCalls: () =>
      (
        [
          ['cinder', cinder],
          ['manila', manila],
        ] as const
      ).flatMap(([service, proxy]) =>
        proxy.calls.map((c) => ({ service, method: c.method, path: c.path, token: header(c.headers['x-auth-token']) })),
      ),
    keystoneCalls: tokenValidations,
    // Through the same recording proxy: only this facade validates while a scenario uses it.
    facadeWith: async (extra) => ({ facade: await startFacade({ ...facadeEnv, ...extra }), keystoneCalls: tokenValidations }),
    resetCalls: () => {
      cinder.calls.length = 0;
      manila.calls.length = 0;
    },
    close: async () => {
      await facade.close();
      await Promise.all([keystone.close(), cinder.close(), manila.close()]);
    },
  };
});
