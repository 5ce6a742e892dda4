import { manilaScenarios } from '../contract/manila.scenarios.js';
import { startFacade } from '../helpers/facade.js';
import { restClient } from '../helpers/rest.js';
import { openstackEnv, quoteList, sql } from './env.js';

// The same scenarios against a real manila-api (scripts/openstack/start.sh). There is no scheduler or share
// service behind it: share groups and shares stay `creating`. The scenarios move groups with Manila's own admin
// `reset_status` (through the facade), shares with Manila's share `reset_status` action. SQL writes only what
// Manila's own services would have: a share service registered in zone `nova` (its `services` and
// `availability_zones` rows, which manila-share writes when it starts: without them Manila lists no zone), and a
// share group's `host` (the scheduler's pick: without it a share-group-snapshot create fails with 500 in
// extract_host) and zone (the share manager's: without it a share created into the group gets 404 "Availability
// zone None could not be found").
const ZONE_ID = '6f1e2d3c-4b5a-4c6d-8e7f-90a1b2c3d4e5';
const SERVICE_HOST = 'groupgraph-ci@fake';

function registerShareService(pg: string): void {
  sql(
    pg,
    'manila',
    `INSERT INTO availability_zones (id, name, created_at, deleted) SELECT '${ZONE_ID}', 'nova', now(), 'False'
       WHERE NOT EXISTS (SELECT 1 FROM availability_zones WHERE name = 'nova' AND deleted = 'False');
     INSERT INTO services (host, "binary", topic, report_count, disabled, availability_zone_id, created_at, deleted)
       SELECT '${SERVICE_HOST}', 'manila-share', 'manila-share', 0, false,
              (SELECT id FROM availability_zones WHERE name = 'nova' AND deleted = 'False'), now(), 0
       WHERE NOT EXISTS (SELECT 1 FROM services WHERE host = '${SERVICE_HOST}' AND deleted = 0);`,
  );
}

manilaScenarios('real Manila', async () => {
  const env = openstackEnv(['MANILA_URL', 'OPENSTACK_TOKEN', 'OPENSTACK_PG_URL']);
  const token = env.OPENSTACK_TOKEN!;
  registerShareService(env.OPENSTACK_PG_URL!);
  const facade = await startFacade({ MANILA_URL: env.MANILA_URL! }, undefined, token);
  const rest = restClient(env.MANILA_URL!, token, { 'x-openstack-manila-api-version': '2.73', accept: 'application/json' });
  return {
    kind: 'real',
    facade,
    rest,
    projectId: new URL(env.MANILA_URL!).pathname.split('/').filter(Boolean)[1]!,
    token,
    afterScheduling: async (groupIds) => {
      if (groupIds.length === 0) return;
      sql(
        env.OPENSTACK_PG_URL!,
        'manila',
        `UPDATE share_groups SET host = '${SERVICE_HOST}#pool',
           availability_zone_id = COALESCE(availability_zone_id, (SELECT id FROM availability_zones WHERE name = 'nova' AND deleted = 'False'))
         WHERE id IN (${quoteList(groupIds)})`,
      );
    },
    shareNetwork: async (name) => {
      const n = await rest('POST', '/share-networks', { share_network: { name, description: 'contract suite' } });
      return { id: n.json.share_network.id, name, description: 'contract suite' };
    },
    sharesAvailable: async (ids) => {
      for (const id of ids) await rest('POST', `/shares/${id}/action`, { reset_status: { status: 'available' } });
    },
    close: () => facade.close(),
  };
});
