import { manilaScenarios } from '../contract/manila.scenarios.js';
import { startFacade } from '../helpers/facade.js';
import { restClient } from '../helpers/rest.js';
import { openstackEnv, quoteList, sql } from './env.js';

// The same scenarios against a real manila-api (scripts/openstack/start.sh). There is no scheduler or share
// service behind it: share groups and shares stay `creating`. The scenarios move groups with Manila's own admin
// `reset_status` (through the facade), shares with Manila's share `reset_status` action, and the only row written
// with SQL is a share group's `host`, which the scheduler would have chosen (without it a share-group-snapshot
// create fails with 500 in extract_host).
manilaScenarios('real Manila', async () => {
  const env = openstackEnv(['MANILA_URL', 'OPENSTACK_TOKEN', 'OPENSTACK_PG_URL']);
  const token = env.OPENSTACK_TOKEN!;
  const facade = await startFacade({ MANILA_URL: env.MANILA_URL! }, undefined, token);
  const rest = restClient(env.MANILA_URL!, token, { 'x-openstack-manila-api-version': '2.73', accept: 'application/json' });
  return {
    kind: 'real',
    facade,
    rest,
    afterScheduling: async (groupIds) => {
      if (groupIds.length === 0) return;
      sql(env.OPENSTACK_PG_URL!, 'manila', `UPDATE share_groups SET host='groupgraph-ci@fake#pool' WHERE id IN (${quoteList(groupIds)})`);
    },
    shareNetwork: async (name) => {
      const n = await rest('POST', '/share-networks', { share_network: { name, description: 'contract suite' } });
      return { id: n.json.share_network.id, name, description: 'contract suite' };
    },
    canCreateShares: false,
    sharesAvailable: async (ids) => {
      for (const id of ids) await rest('POST', `/shares/${id}/action`, { reset_status: { status: 'available' } });
    },
    close: () => facade.close(),
  };
});
