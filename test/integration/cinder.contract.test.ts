import { cinderScenarios } from '../contract/cinder.scenarios.js';
import { startFacade, waitFor } from '../helpers/facade.js';
import { restClient } from '../helpers/rest.js';
import { DEFAULT_PROJECT_ID } from '../../src/simulator/cinder/index.js';

// The contract scenarios against the embedded Cinder simulator (demo mode: no upstream URL configured).
cinderScenarios('simulator', async () => {
  const facade = await startFacade({}, { cinder: { transitionMs: 30 } });
  const sim = facade.app.simulators.cinder!;
  const rest = restClient(sim.endpoint, null, { 'openstack-api-version': 'volume 3.70' });
  return {
    kind: 'simulator',
    facade,
    rest,
    token: null,
    projectId: DEFAULT_PROJECT_ID,
    afterScheduling: async (_groupIds, volumeIds) => {
      // The simulator schedules by itself; wait until it has.
      for (const id of volumeIds) {
        const v = await waitFor(() => rest('GET', `/volumes/${id}`), (r) => r.json.volume.status === 'available', 3_000, 20);
        if (v.json.volume.status !== 'available') throw new Error(`simulated volume ${id} never became available`);
      }
    },
    close: () => facade.close(),
  };
});
