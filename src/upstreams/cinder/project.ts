import { NotSupportedError } from '../../errors.js';
import type { Caller } from '../caller.js';
import { path } from '../http.js';
import type { CinderClient } from './client.js';
import type { CinderAvailabilityZone, CinderQuotaSet } from './types.js';

/** What Cinder says about the endpoint's project as a whole: its quotas, and the service's availability zones. */
export class CinderProject {
  constructor(private readonly client: CinderClient) {}

  /**
   * The project in the endpoint (`…/v3/<project-id>`): the one whose quotas the caller's token may read. Cinder
   * would show any project id it is given (an unknown one gets the defaults), so it is never taken from input.
   */
  id(): string {
    // Asked for every parent of a screen (is it the caller's project?): the endpoint never changes.
    this.endpointProject ??= this.projectInEndpoint();
    return this.endpointProject;
  }

  private endpointProject: string | undefined;

  private projectInEndpoint(): string {
    const parts = new URL(this.client.http.endpoint).pathname.split('/').filter(Boolean);
    const at = parts.findIndex((p) => /^v3(\.\d+)?$/.test(p));
    const project = at === -1 ? undefined : parts[at + 1];
    if (!project || !/^[0-9a-fA-F-]{1,64}$/.test(project)) {
      throw new NotSupportedError(
        'cinder',
        'Quotas need the project in the Cinder endpoint (…/v3/<project-id>, as the Keystone catalog lists it); this endpoint has none.',
      );
    }
    return project;
  }

  /** `GET /os-quota-sets/{project}?usage=True`: limit, in_use and reserved of every quota (policy: project readers). */
  async quotaUsage(caller: Caller): Promise<CinderQuotaSet> {
    const id = this.id();
    const res = await this.client.request(caller, { method: 'GET', path: path`/os-quota-sets/${id}`, query: { usage: 'True' } });
    return ((res.json as { quota_set?: CinderQuotaSet } | undefined)?.quota_set ?? {}) as CinderQuotaSet;
  }

  /** `GET /os-availability-zone`: the zones of the volume services Cinder knows (empty when none has reported). */
  async availabilityZones(caller: Caller): Promise<CinderAvailabilityZone[]> {
    const res = await this.client.request(caller, { method: 'GET', path: '/os-availability-zone' });
    const zones = (res.json as { availabilityZoneInfo?: unknown } | undefined)?.availabilityZoneInfo;
    // Only zones that are objects: an entry of another shape is left out rather than failing the whole answer.
    return Array.isArray(zones) ? (zones.filter((z) => z !== null && typeof z === 'object') as CinderAvailabilityZone[]) : [];
  }
}
