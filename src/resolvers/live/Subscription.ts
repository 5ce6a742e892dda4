import type { SubscriptionResolvers } from '../../generated/graphql.js';
import { assertSdrsJobId, assertUuid } from '../../ids.js';
import { watch } from '../../live/watch.js';

// Each event is the object as the poller read it (src/live/poller.ts), executed against the subscriber's
// selection by the live hub: the field answers it as it is.
const asRead = <T>(object: T): T => object;

export const Subscription: SubscriptionResolvers = {
  group: { subscribe: (_, { id }, ctx) => watch(ctx, 'group', assertUuid(id)), resolve: asRead },
  groupSnapshot: { subscribe: (_, { id }, ctx) => watch(ctx, 'groupSnapshot', assertUuid(id)), resolve: asRead },
  shareGroup: { subscribe: (_, { id }, ctx) => watch(ctx, 'shareGroup', assertUuid(id)), resolve: asRead },
  shareGroupSnapshot: { subscribe: (_, { id }, ctx) => watch(ctx, 'shareGroupSnapshot', assertUuid(id)), resolve: asRead },
  protectionGroup: { subscribe: (_, { id }, ctx) => watch(ctx, 'protectionGroup', assertUuid(id)), resolve: asRead },
  job: { subscribe: (_, { id }, ctx) => watch(ctx, 'job', assertSdrsJobId(id)), resolve: asRead },
};
