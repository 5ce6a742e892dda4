// The Keystone identity scenarios on the built-in Keystone simulator in front of the project-aware simulators
// (SIMULATE=keystone): tokens are role:project strings.
import { identityScenarios, type TargetUser } from '../contract/identity.scenarios.js';
import { startFacade } from '../helpers/facade.js';
import { SEED } from '../../src/simulator/cinder/seed.js';
import { SEED_IDS } from '../../src/simulator/manila/seed.js';
import { BETA_PROJECT, DEMO_PROJECT } from '../../src/simulator/identity.js';

const user = (role: string, project: { id: string; name: string }, roles: string[]): TargetUser => ({
  token: `${role}:${project.id}`,
  name: `${role}-${project.name}`,
  projectId: project.id,
  projectName: project.name,
  roles,
});

identityScenarios('simulators', async () => {
  const facade = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' }, { cinder: { transitionMs: 30 }, manila: { transitionMs: 30 } });
  const { cinder, manila } = facade.app.simulators;
  const keystone = facade.app.identity.simulator!;
  const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return {
    kind: 'simulator',
    facade,
    users: {
      alphaMember: user('member', DEMO_PROJECT, ['member', 'reader']),
      alphaReader: user('reader', DEMO_PROJECT, ['reader']),
      betaMember: user('member', BETA_PROJECT, ['member', 'reader']),
      admin: user('admin', DEMO_PROJECT, ['admin', 'member', 'reader']),
    },
    types: {
      groupTypeId: SEED.groupTypes.generic,
      volumeTypeId: SEED.volumeTypes.hddStandard,
      shareGroupTypeId: SEED_IDS.shareGroupTypes.default,
      shareTypeId: SEED_IDS.shareTypes.defaultNfs,
    },
    upstreamCalls: () =>
      (['cinder', 'manila'] as const).flatMap((service) =>
        facade.app.simulators[service]!.calls.map((c) => ({ service, method: c.method, path: c.path, token: header(c.headers['x-auth-token']) })),
      ),
    keystoneCalls: () => keystone.calls.length,
    facadeWith: async (env) => {
      const other = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', ...env });
      return { facade: other, keystoneCalls: () => other.app.identity.simulator!.calls.length };
    },
    resetCalls: () => {
      cinder!.resetCalls();
      manila!.resetCalls();
    },
    close: () => facade.close(),
  };
});
