import type { Resolvers } from '../generated/graphql.js';
import { totalCount } from '../graphql/connections.js';
import { DateTimeScalar } from '../graphql/scalars.js';
import { Group } from './cinder/Group.js';
import { CinderQuery } from './cinder/Query.js';
import { CinderVolumeQuery } from './cinder/VolumeQuery.js';
import { VolumeSnapshot } from './cinder/VolumeSnapshot.js';
import { groupMutations } from './cinder/mutations/groups.js';
import { groupTypeMutations } from './cinder/mutations/groupTypes.js';
import { volumeMutations } from './cinder/mutations/volumes.js';
import { replicationMutations } from './cinder/mutations/replication.js';
import { snapshotMutations } from './cinder/mutations/snapshots.js';
import { GroupSnapshot, GroupType, ReplicationTarget, Volume, VolumeType } from './cinder/types.js';
import { ConsistencyGroup } from './manila/ConsistencyGroup.js';
import { ConsistencyGroupQuery } from './manila/ConsistencyGroupQuery.js';
import { ConsistencyGroupSnapshot, ConsistencyGroupSnapshotMember } from './manila/ConsistencyGroupSnapshot.js';
import { ManilaQuery } from './manila/Query.js';
import { ShareQuery } from './manila/ShareQuery.js';
import { Share } from './manila/Share.js';
import { ShareGroup } from './manila/ShareGroup.js';
import { ShareGroupSnapshot, ShareGroupSnapshotMember } from './manila/ShareGroupSnapshot.js';
import { ShareGroupType } from './manila/ShareGroupType.js';
import { ShareNetwork, ShareNetworkSubnet } from './manila/ShareNetwork.js';
import { ShareType } from './manila/ShareType.js';
import { consistencyGroupMutations } from './manila/mutations/consistencyGroups.js';
import { consistencyGroupSnapshotMutations } from './manila/mutations/consistencyGroupSnapshots.js';
import { shareMutations } from './manila/mutations/shares.js';
import { shareGroupTypeMutations } from './manila/mutations/shareGroupTypes.js';
import { shareGroupMutations } from './manila/mutations/shareGroups.js';
import { shareGroupSnapshotMutations } from './manila/mutations/shareGroupSnapshots.js';
import { Viewer, ViewerQuery } from './identity/Viewer.js';
import { PortalQuery, Quotas } from './portal.js';
import { DisasterRecoveryDrill, DrillServer } from './sdrs/DisasterRecoveryDrill.js';
import { Job, JobEntities } from './sdrs/Job.js';
import { ProtectedInstance, ProtectedInstanceAttachment } from './sdrs/ProtectedInstance.js';
import { ReplicationPair } from './sdrs/ReplicationPair.js';
import { ProtectionGroup } from './sdrs/ProtectionGroup.js';
import { SdrsQuery } from './sdrs/Query.js';
import { protectionGroupMutations } from './sdrs/mutations/groups.js';
import { jobPayloadFields } from './sdrs/mutations/jobPayload.js';
import { protectionMutations } from './sdrs/mutations/protection.js';
import { Subscription } from './live/Subscription.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    // With Keystone, the caller's own endpoints (its project's), never the process's: those name another project.
    about: (_, __, ctx) => ({ services: ctx.servicesForCaller() }),
    ...CinderQuery,
    ...CinderVolumeQuery,
    ...ManilaQuery,
    ...ShareQuery,
    ...ConsistencyGroupQuery,
    ...SdrsQuery,
    ...ViewerQuery,
    ...PortalQuery,
  },
  Mutation: {
    noop: () => null,
    ...groupMutations,
    ...replicationMutations,
    ...snapshotMutations,
    ...volumeMutations,
    ...groupTypeMutations,
    ...shareGroupMutations,
    ...shareGroupSnapshotMutations,
    ...consistencyGroupMutations,
    ...consistencyGroupSnapshotMutations,
    ...shareMutations,
    ...shareGroupTypeMutations,
    ...protectionMutations,
    ...protectionGroupMutations,
  },
  Subscription,
  Group,
  GroupSnapshot,
  GroupType,
  VolumeType,
  Volume,
  ReplicationTarget,
  VolumeSnapshot,
  GroupConnection: { totalCount },
  GroupSnapshotConnection: { totalCount },
  VolumeConnection: { totalCount },
  ShareGroup,
  ShareGroupSnapshot,
  ShareGroupSnapshotMember,
  ShareGroupType,
  ShareType,
  ShareNetwork,
  ShareNetworkSubnet,
  Share,
  ConsistencyGroup,
  ConsistencyGroupSnapshot,
  ConsistencyGroupSnapshotMember,
  ShareGroupConnection: { totalCount },
  ShareConnection: { totalCount },
  ShareGroupSnapshotConnection: { totalCount },
  ConsistencyGroupConnection: { totalCount },
  ConsistencyGroupSnapshotConnection: { totalCount },
  Viewer,
  Quotas,
  ProtectionGroup,
  ProtectionGroupConnection: { totalCount },
  ProtectedInstance,
  ProtectedInstanceAttachment,
  ReplicationPair,
  DisasterRecoveryDrill,
  DrillServer,
  ProtectedInstanceConnection: { totalCount },
  ReplicationPairConnection: { totalCount },
  DisasterRecoveryDrillConnection: { totalCount },
  Job,
  JobEntities,
  StartProtectionPayload: jobPayloadFields,
  StopProtectionPayload: jobPayloadFields,
  FailoverProtectionGroupPayload: jobPayloadFields,
  ReverseProtectionGroupPayload: jobPayloadFields,
  CreateProtectionGroupPayload: jobPayloadFields,
  DeleteProtectionGroupPayload: jobPayloadFields,
};
