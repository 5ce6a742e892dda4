import { cinderScenarios } from '../contract/cinder.scenarios.js';
import { startFacade } from '../helpers/facade.js';
import { restClient } from '../helpers/rest.js';
import { openstackEnv, quoteList, sql } from './env.js';

// The same scenarios against a real cinder-api (scripts/openstack/start.sh). There is no scheduler or volume
// service behind it, so `afterScheduling` writes the `host` a scheduler would have chosen and marks the volumes
// available, as the volume service would after creating them. Everything else goes through Cinder's API.
cinderScenarios('real Cinder', async () => {
  const env = openstackEnv();
  const token = env.OPENSTACK_TOKEN!;
  const facade = await startFacade({ CINDER_URL: env.CINDER_URL! }, undefined, token);
  return {
    kind: 'real',
    facade,
    token,
    projectId: new URL(env.CINDER_URL!).pathname.split('/').filter(Boolean)[1]!,
    rest: restClient(env.CINDER_URL!, token, { 'openstack-api-version': 'volume 3.70' }),
    afterScheduling: async (groupIds, volumeIds) => {
      const host = 'groupgraph-ci@fake#pool';
      if (groupIds.length) sql(env.OPENSTACK_PG_URL!, 'cinder', `UPDATE groups SET host='${host}' WHERE id IN (${quoteList(groupIds)})`);
      if (volumeIds.length) {
        sql(
          env.OPENSTACK_PG_URL!,
          'cinder',
          `UPDATE volumes SET host='${host}', status='available' WHERE id IN (${quoteList(volumeIds)})`,
        );
      }
    },
    close: () => facade.close(),
  };
});
