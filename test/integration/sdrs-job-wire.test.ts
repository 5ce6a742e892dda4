// Byzantine-upstream probe of 2026-12-08: a job whose `entities.volume_ids` was a number (12345) made
// `entities { volumeIds }` an INTERNAL_SERVER_ERROR (a .split on a number). Every entity field of another type than
// the API's is left out, as no value; sub-jobs without a job_id are dropped.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SDRS_SEED_GROUPS as G, SDRS_SEED_JOBS as J } from '../../src/simulator/sdrs/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
beforeAll(async () => {
  f = await startFacade({ SIMULATE: 'sdrs' });
});
afterAll(() => f.close());

it('a job whose entities have the wrong types: nulls, no internal error', async () => {
  const job = {
    job_id: J.hrPortalFailover,
    status: 'SUCCESS',
    job_type: 'failover_server_group',
    entities: { volume_ids: 12345, server_group_id: { id: 'x' }, protected_instance_id: ['a'], sub_jobs: [{ status: 'SUCCESS' }, { job_id: 'ff80', status: 'SUCCESS', entities: { nic_id: 7 } }] },
  };
  f.app.simulators.sdrs!.injectFault({ status: 200, json: job, urlIncludes: '/jobs/' });
  const r = await f.gql(`{ job(id: "${J.hrPortalFailover}") { id entities { volumeIds protectionGroupId protectedInstanceId protectedInstance { id } } subJobs { id entities { nicId } } } }`);
  expect(r.errors, r.raw).toBeUndefined();
  expect(r.data!.job).toEqual({
    id: J.hrPortalFailover,
    entities: { volumeIds: null, protectionGroupId: null, protectedInstanceId: null, protectedInstance: null },
    subJobs: [{ id: 'ff80', entities: { nicId: null } }],
  });
});

// SDRS reference check of 2026-12-08: the reference's stop job names its group only in its sub-jobs; the job's
// protectionGroup was null, and a wait on it forgot no group.
it("a job whose group is named by its sub-jobs only is that group's", async () => {
  const job = {
    job_id: J.hrPortalFailover,
    status: 'SUCCESS',
    job_type: 'stopProtectionGroupNoCG',
    entities: { sub_jobs: [{ job_id: 'ff80', status: 'SUCCESS', job_type: 'stopProtectionGroupRepNoCG', entities: { server_group_id: G.erpProd } }] },
  };
  f.app.simulators.sdrs!.injectFault({ status: 200, json: job, urlIncludes: '/jobs/' });
  const d = await f.ok<any>(`{ job(id: "${J.hrPortalFailover}") { entities { protectionGroupId } protectionGroup { id } } }`);
  expect(d.job).toEqual({ entities: { protectionGroupId: G.erpProd }, protectionGroup: { id: G.erpProd } });
});
