import type { QueryResolvers, QuotasResolvers } from '../generated/graphql.js';
import type { RequestContext } from '../context.js';
import { UpstreamError } from '../errors.js';
import { cinderQuotaFields, cinderZones } from './cinder/portal.js';
import { manilaQuotaFields, manilaZones } from './manila/portal.js';

/** A service's zones, or none when the facade has no such service (its absence is not a failure of the list). */
async function zonesOf<Z>(read: () => Promise<Z[]>): Promise<Z[]> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 0 && /not configured/.test(err.message)) return [];
    throw err;
  }
}

export const PortalQuery: Pick<QueryResolvers, 'quotas' | 'availabilityZones'> = {
  // Each Quotas field reads its own service (once per request), so one failing service nulls only its fields.
  quotas: () => ({}),
  availabilityZones: async (_, __, ctx: RequestContext) => {
    const [cinder, manila] = await Promise.all([zonesOf(() => cinderZones(ctx)), zonesOf(() => manilaZones(ctx))]);
    return [...cinder, ...manila];
  },
};

export const Quotas: QuotasResolvers = { ...cinderQuotaFields, ...manilaQuotaFields };
