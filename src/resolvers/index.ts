import type { Resolvers } from '../generated/graphql.js';
import { totalCount } from '../graphql/connections.js';
import { DateTimeScalar } from '../graphql/scalars.js';
import { Group } from './cinder/Group.js';
import { CinderQuery } from './cinder/Query.js';
import { groupMutations } from './cinder/mutations/groups.js';
import { replicationMutations } from './cinder/mutations/replication.js';
import { snapshotMutations } from './cinder/mutations/snapshots.js';
import { GroupSnapshot, GroupType, ReplicationTarget, Volume, VolumeType } from './cinder/types.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    about: (_, __, ctx) => ctx.about,
    ...CinderQuery,
  },
  Mutation: {
    noop: () => null,
    ...groupMutations,
    ...replicationMutations,
    ...snapshotMutations,
  },
  Group,
  GroupSnapshot,
  GroupType,
  VolumeType,
  Volume,
  ReplicationTarget,
  GroupConnection: { totalCount },
  GroupSnapshotConnection: { totalCount },
};
