/** `GET /v1/{project_id}/jobs/{job_id}` and the version documents (`GET /`, `GET /v1`). */
import type { SimRequest, SimResponse } from '../server.js';
import type { SdrsState } from './state.js';
import { SDRS_ERRORS as E, sdrsItemNotFound } from './wire.js';

/**
 * Unknown job: the reference documents no answer. We send 404 `itemNotFound` (a shape the SDRS pages list) with
 * SDRS.0408 "Null job", the table's code for a missing job. The table lists 0408 as HTTP 500; we use 404 so that
 * a client does not retry a permanent miss. UNCONFIRMED.
 */
export function showJob(state: SdrsState, projectId: string, jobId: string): SimResponse {
  const job = state.jobOf(projectId, jobId);
  if (job === undefined) return sdrsItemNotFound(E.nullJob[0], `${E.nullJob[1]}: no job ${jobId}`);
  return { status: 200, json: state.renderJob(job) };
}

function versionDoc(origin: string): Record<string, unknown> {
  return {
    id: 'v1',
    links: [{ href: `${origin}/v1`, rel: 'self' }],
    status: 'CURRENT',
    updated: '2018-05-30T15:00:00Z',
    // no microversions: both are empty strings, as in the OTC samples
    version: '',
    min_version: '',
  };
}

function originOf(req: SimRequest): string {
  const host = req.headers.host ?? '127.0.0.1';
  return `http://${host}`;
}

/** `GET /` → `{"versions":[…]}`. */
export function listVersions(req: SimRequest): SimResponse {
  return { status: 200, json: { versions: [versionDoc(originOf(req))] } };
}

/** `GET /v1` → `{"version":{…}}`. */
export function showVersion(req: SimRequest): SimResponse {
  return { status: 200, json: { version: versionDoc(originOf(req)) } };
}
