import type { MutationResolvers } from '../generated/graphql.js';
import { groupChecks } from '../resolvers/cinder/mutations/groups.js';
import { groupTypeChecks } from '../resolvers/cinder/mutations/groupTypes.js';
import { replicationChecks } from '../resolvers/cinder/mutations/replication.js';
import { snapshotChecks } from '../resolvers/cinder/mutations/snapshots.js';
import { volumeChecks } from '../resolvers/cinder/mutations/volumes.js';
import { consistencyGroupChecks } from '../resolvers/manila/mutations/consistencyGroups.js';
import { consistencyGroupSnapshotChecks } from '../resolvers/manila/mutations/consistencyGroupSnapshots.js';
import { shareChecks } from '../resolvers/manila/mutations/shares.js';
import { shareGroupChecks } from '../resolvers/manila/mutations/shareGroups.js';
import { shareGroupSnapshotChecks } from '../resolvers/manila/mutations/shareGroupSnapshots.js';
import { shareGroupTypeChecks } from '../resolvers/manila/mutations/shareGroupTypes.js';
import { protectionGroupChecks } from '../resolvers/sdrs/mutations/groups.js';
import { protectionChecks } from '../resolvers/sdrs/mutations/protection.js';

/** A mutation's checks of its `input` that need no upstream call: throws InputError (BAD_USER_INPUT), or passes. */
export type InputCheck = (input: never) => unknown;

/**
 * Every mutation's input check, by field name: the very function its resolver calls first, run for all of a
 * document's root fields before any of them (mutationPreflight.ts). Typed by the schema's mutations, so a mutation
 * added without one does not compile; `noop` alone takes no input.
 */
export const mutationInputChecks: Record<Exclude<keyof MutationResolvers, 'noop'>, InputCheck> = {
  ...groupChecks,
  ...groupTypeChecks,
  ...replicationChecks,
  ...snapshotChecks,
  ...volumeChecks,
  ...consistencyGroupChecks,
  ...consistencyGroupSnapshotChecks,
  ...shareChecks,
  ...shareGroupChecks,
  ...shareGroupSnapshotChecks,
  ...shareGroupTypeChecks,
  ...protectionGroupChecks,
  ...protectionChecks,
};
