import type { QueryResolvers } from '../../generated/graphql.js';
import { pageSize } from '../../graphql/connections.js';
import { optionalUuid } from '../../ids.js';
import { projectFilter } from '../identity/projectFilter.js';
import { cinderConnection, position } from './pages.js';

/** The pickers of a portal's forms: volumes to add to a group, volume types, the default group type. */
export const CinderVolumeQuery: QueryResolvers = {
  volumes: async (_, args, ctx) => {
    const first = pageSize(args.first);
    const pos = position(args.after, null, 'v');
    const f = args.filter;
    // Only filters resource_filters.json gives members: anything else is a 400 from Cinder 3.31.
    const filters = {
      group_id: optionalUuid(f?.groupId, 'groupId'),
      status: f?.status ?? undefined,
      name: f?.name ?? undefined,
      availability_zone: f?.availabilityZone ?? undefined,
      bootable: f?.bootable ?? undefined,
      project_id: projectFilter(args),
    };
    const { client, loaders } = ctx.cinder();
    const conn = await cinderConnection(
      (o) => client.listVolumes(ctx.caller, o),
      first,
      pos,
      filters,
      // Cinder counts volumes itself (with_count, 3.45): one call of one item.
      async (f) => (await client.listVolumesCounted(ctx.caller, { limit: 1, filters: f })).count ?? null,
      0,
      { kind: 'v', show: (id) => loaders.volumeById.load(id) },
    );
    for (const v of conn.nodes) loaders.volumeById.prime(v.id, v);
    return conn;
  },
  volumeTypes: async (_, __, ctx) => {
    const { loaders } = ctx.cinder();
    const all = await loaders.volumeTypes();
    for (const t of all) loaders.volumeTypeById.prime(t.id, t);
    return all;
  },
  defaultGroupType: (_, __, ctx) => ctx.cinder().loaders.defaultGroupType(),
};
