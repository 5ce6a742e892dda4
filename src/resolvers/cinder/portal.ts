import type { RequestContext } from '../../context.js';
import { UpstreamError } from '../../errors.js';
import type { CinderQuotaUsage } from '../../upstreams/cinder/types.js';

// Cinder's part of the portal's cross-service fields (schema/portal.graphql): quotas and availability zones, each
// read at most once per request (the loaders' `quotaUsage` and `availabilityZones`).

export interface Quota {
  limit: number | null;
  inUse: number;
  reserved: number;
}

/** Cinder's -1 is "unlimited": a null limit. */
const quota = (q: CinderQuotaUsage): Quota => ({ limit: q.limit < 0 ? null : q.limit, inUse: q.in_use, reserved: q.reserved });

async function quotaOf(ctx: RequestContext, key: string): Promise<Quota> {
  const set = await ctx.cinder().loaders.quotaUsage.get();
  const q = set[key];
  if (!q || typeof q !== 'object') {
    throw new UpstreamError('UPSTREAM_ERROR', `Cinder's quota set has no ${key} entry.`, 'cinder', 200, null, null);
  }
  return quota(q);
}

/**
 * Cinder has no group-snapshot quota (quota.py: GROUP_QUOTAS holds `groups` only; a group snapshot's volume
 * snapshots count against `snapshots` and `gigabytes`): no limit, and in use is the project's group snapshots.
 */
async function groupSnapshotQuota(ctx: RequestContext): Promise<Quota> {
  const inUse = await ctx.cinder().loaders.ownGroupSnapshotCount.get();
  if (inUse === null) {
    throw new UpstreamError('UPSTREAM_ERROR', 'This project has too many group snapshots to count.', 'cinder', 200, null, null);
  }
  return { limit: null, inUse, reserved: 0 };
}

type QuotaField = (parent: unknown, args: unknown, ctx: RequestContext) => Promise<Quota>;

/** Resolvers of Quotas' Cinder fields (plain functions, so callable anywhere); the parent is not used. */
export const cinderQuotaFields: Record<'groups' | 'groupSnapshots' | 'volumes' | 'gigabytes', QuotaField> = {
  groups: (_parent, _args, ctx) => quotaOf(ctx, 'groups'),
  groupSnapshots: (_parent, _args, ctx) => groupSnapshotQuota(ctx),
  volumes: (_parent, _args, ctx) => quotaOf(ctx, 'volumes'),
  gigabytes: (_parent, _args, ctx) => quotaOf(ctx, 'gigabytes'),
};

export interface CinderZone {
  name: string;
  service: 'cinder';
  available: boolean;
}

/** Cinder's availability zones (those of its volume services; empty when none has reported). */
export async function cinderZones(ctx: RequestContext): Promise<CinderZone[]> {
  const zones = await ctx.cinder().loaders.availabilityZones.get();
  return zones.map((z) => ({ name: z.zoneName, service: 'cinder', available: z.zoneState?.available === true }));
}

/** The zone of a volume or group as Cinder lists it, or null (no name, or no such zone listed). */
export async function cinderZoneNamed(ctx: RequestContext, name: string | null | undefined): Promise<CinderZone | null> {
  if (!name) return null;
  return (await cinderZones(ctx)).find((z) => z.name === name) ?? null;
}
