import { manilaScenarios } from '../contract/manila.scenarios.js';
import { startFacade, waitFor } from '../helpers/facade.js';
import { restClient } from '../helpers/rest.js';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';

// The contract scenarios against the embedded Manila simulator (demo mode: no upstream URL configured). Like the
// test manila-api, it has no `default_share_type` / `default_share_group_type` configured.
manilaScenarios('simulator', async () => {
  const facade = await startFacade({}, { manila: { transitionMs: 30, defaultShareType: null, defaultShareGroupType: null } });
  const sim = facade.app.simulators.manila!;
  const rest = restClient(sim.endpoint, null, { 'x-openstack-manila-api-version': '2.73' });
  return {
    kind: 'simulator',
    facade,
    rest,
    projectId: DEMO_PROJECT.id,
    token: null,
    // The simulator schedules by itself: groups get a host and a zone when they leave `creating`.
    afterScheduling: async () => {},
    shareNetwork: async (name) => {
      const n = await rest('POST', '/share-networks', { share_network: { name, description: 'contract suite' } });
      return { id: n.json.share_network.id, name, description: 'contract suite' };
    },
    sharesAvailable: async (ids) => {
      for (const id of ids) {
        const s = await waitFor(() => rest('GET', `/shares/${id}`), (r) => r.json.share.status === 'available', 3_000, 20);
        if (s.json.share.status !== 'available') throw new Error(`simulated share ${id} never became available`);
      }
    },
    close: () => facade.close(),
  };
});
