import type { Quota } from '../../generated/graphql.js';
import { NotSupportedError } from '../../errors.js';
import type { RequestContext } from '../../context.js';
import { MANILA_VERSIONS } from '../../upstreams/manila/client.js';
import type { ManilaQuotaSet, ManilaQuotaUsage } from '../../upstreams/manila/types.js';

// Manila's part of the portal's cross-service fields (schema/portal.graphql): its quotas and availability zones.
// The root resolvers (Query.quotas, Query.availabilityZones) combine these with Cinder's.

export interface ManilaZone {
  name: string;
  service: 'manila';
  available: boolean;
}

/** Manila's -1 means unlimited: a null limit. */
function quota(q: ManilaQuotaUsage): Quota {
  return { limit: q.limit < 0 ? null : q.limit, inUse: q.in_use, reserved: q.reserved };
}

/** One resource of the caller's quota set (read once per request, whichever fields ask). */
function quotaOf(key: keyof Omit<ManilaQuotaSet, 'id'>, since?: string): QuotaField {
  return async (_parent, _args, ctx) => {
    const { client, loaders } = ctx.manila();
    const set = await loaders.quotaUsage();
    const q = set[key];
    if (q) return quota(q);
    // Manila shows the share group quotas from 2.40 only; an older one has none to report.
    throw new NotSupportedError('manila', `Manila reports ${key} quotas from API ${since ?? MANILA_VERSIONS.quotaDetail}; this Manila supports up to ${await client.version(ctx.caller)}.`);
  };
}

type QuotaField = (parent: unknown, args: unknown, ctx: RequestContext) => Promise<Quota>;

/** Quotas.shareGroups, shareGroupSnapshots, shares and shareGigabytes (resolvers of the Quotas type). */
export const manilaQuotaFields: Record<'shareGroups' | 'shareGroupSnapshots' | 'shares' | 'shareGigabytes', QuotaField> = {
  shareGroups: quotaOf('share_groups', MANILA_VERSIONS.shareGroupQuotas),
  shareGroupSnapshots: quotaOf('share_group_snapshots', MANILA_VERSIONS.shareGroupQuotas),
  shares: quotaOf('shares'),
  shareGigabytes: quotaOf('gigabytes'),
};

/**
 * Manila's availability zones. Manila lists only zones that have an enabled share service and says nothing more
 * of them, so every zone it lists is available.
 */
export async function manilaZones(ctx: RequestContext): Promise<ManilaZone[]> {
  const zones = await ctx.manila().loaders.availabilityZones();
  return zones.map((z) => ({ name: z.name, service: 'manila', available: true }));
}

/** A zone link by name (shares, share groups, subnets): null when Manila does not list it. */
export async function manilaZoneNamed(ctx: RequestContext, name: string | null | undefined): Promise<ManilaZone | null> {
  if (!name) return null;
  return (await manilaZones(ctx)).find((z) => z.name === name) ?? null;
}
