import type { QueryResolvers, ViewerResolvers } from '../../generated/graphql.js';
import type { AboutShape } from '../../graphql/about.js';
import type { Identity } from '../../identity/keystone.js';

/** What `viewer` is built from: the caller's validated identity (null without Keystone) and its services. */
export interface ViewerShape {
  identity: Identity | null;
  services: AboutShape['services'];
}

export const ViewerQuery: Pick<QueryResolvers, 'viewer'> = {
  viewer: (_, __, ctx) => ({ identity: ctx.identity, services: ctx.servicesForCaller() }),
};

export const Viewer: ViewerResolvers = {
  user: (v) => v.identity?.user ?? null,
  project: (v) => v.identity?.project ?? null,
  roles: (v) => [...(v.identity?.roles ?? [])],
  expiresAt: (v) => v.identity?.expiresAt.toISOString() ?? null,
  services: (v) => v.services,
};
