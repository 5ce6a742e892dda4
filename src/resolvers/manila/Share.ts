import type { ShareResolvers } from '../../generated/graphql.js';
import { projectIdOf, projectOf } from '../identity/project.js';
import { manilaZoneNamed } from './portal.js';
import { shareStatus } from './statuses.js';

export const Share: ShareResolvers = {
  status: (s) => shareStatus(s.status),
  rawStatus: (s) => s.status,
  protocol: (s) => s.share_proto,
  availabilityZone: (s) => s.availability_zone ?? null,
  zone: (s, _, ctx) => manilaZoneNamed(ctx, s.availability_zone),
  projectId: (s, _, ctx) => projectIdOf(s, ctx),
  project: (s, _, ctx) => projectOf(s, ctx),
  createdAt: (s) => s.created_at,
  shareTypeName: (s) => s.share_type_name ?? null,
  // `share_type` is the type's id from API 2.6 (its name below; the facade always negotiates more).
  shareType: (s, _, ctx) => (s.share_type ? ctx.manila().loaders.shareTypeById.now(s.share_type) : null),
  shareNetwork: (s, _, ctx) => (s.share_network_id ? ctx.manila().loaders.shareNetworkById.load(s.share_network_id) : null),
  // Not async: a group already in hand is answered as it is, without a promise.
  shareGroup: (s, _, ctx) => {
    const { client, loaders } = ctx.manila();
    if (s.share_group_id) return loaders.shareGroupById.now(s.share_group_id);
    return client.requireShareGroups(ctx.caller).then(() => null);
  },
  consistencyGroup: async (s, _, ctx) => {
    const { client, loaders } = ctx.manila();
    if (s.consistency_group_id) return loaders.consistencyGroupById.load(s.consistency_group_id);
    // A newer Manila has no consistency groups at all: say so rather than a misleading null.
    await client.requireConsistencyGroups(ctx.caller);
    return null;
  },
};
