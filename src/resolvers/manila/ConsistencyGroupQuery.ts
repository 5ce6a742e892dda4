import type { QueryResolvers } from '../../generated/graphql.js';
import { assertUuid } from '../../ids.js';
import { offsetConnection } from './offsetConnection.js';

/** Legacy consistency groups: every field checks the Manila version first (NOT_SUPPORTED from 2.31). */
export const ConsistencyGroupQuery: QueryResolvers = {
  consistencyGroup: (_, { id }, ctx) => ctx.manila().loaders.consistencyGroupById.load(assertUuid(id)),
  consistencyGroups: async (_, args, ctx) => {
    const { client, cg, loaders } = ctx.manila();
    const conn = await offsetConnection(
      client,
      args,
      { listing: 'consistencyGroups' },
      (o) => cg.list(ctx.caller, o),
      () => client.count((o) => cg.listSummaries(ctx.caller, o)),
    );
    for (const g of conn.nodes) loaders.consistencyGroupById.prime(g.id, g);
    return conn;
  },
  consistencyGroupSnapshot: (_, { id }, ctx) => ctx.manila().loaders.cgSnapshotById.load(assertUuid(id)),
  consistencyGroupSnapshots: async (_, args, ctx) => {
    const { client, cg, loaders } = ctx.manila();
    const conn = await offsetConnection(
      client,
      args,
      { listing: 'consistencyGroupSnapshots' },
      (o) => cg.listSnapshots(ctx.caller, o),
      () => client.count((o) => cg.listSnapshotSummaries(ctx.caller, o)),
    );
    for (const s of conn.nodes) loaders.cgSnapshotById.prime(s.id, s);
    return conn;
  },
};
