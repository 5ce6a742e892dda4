// Which Cinder 400s are a wrong state (CONFLICT) and which are bad input (BAD_USER_INPUT): messages as real Cinder
// Zed writes them (cinder/group/api.py, volume/api.py, db/sqlalchemy/api.py, volume/flows/api/create_volume.py,
// volume/group_types.py), several seen on the running service.
import { describe, expect, it } from 'vitest';
import { classifyCinderError } from '../../src/upstreams/cinder/errors.js';

const G = '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01';
const V = '3f8e2d1c-4b5a-4968-a7b6-c5d4e3f2a101';

const WRONG_STATE = [
  'Invalid Group: Group status must be available or error, but current status is: creating',
  'Invalid Group: Group has existing snapshots.',
  `Invalid Group: Group ${G} still contains volumes. The delete-volumes flag is required to delete it.`,
  `Invalid Group: Volume in group ${G} is attached. Need to detach first.`,
  'Invalid Group: Volume in group still has dependent snapshots.',
  `Invalid Group: Cannot delete group ${G}. Group must not have attached volumes, volumes with snapshots, or dependent group snapshots, and it cannot be the source for an ongoing group or group snapshot creation.`,
  'Invalid Group: Group status must be available.',
  `Invalid volume: Cannot add volume ${V} to group ${G} because volume is in an invalid state: creating. Valid states are: ('available', 'in-use').`,
  `Invalid volume: Cannot add volume ${V} to group ${G} because it is already in group 9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b02.`,
  `Invalid volume: Cannot remove volume ${V} from group ${G} because volume is in an invalid state: creating. Valid states are: ('available', 'in-use', 'error', 'error_deleting').`,
  'Invalid GroupSnapshot: GroupSnapshot status must be available or error, and no Group can be currently using it as source for its creation.',
  `Invalid Group: Group ${G} status must be ['available'], but current status is: creating. Cannot enable replication.`,
  `Invalid Group: Group ${G} replication status must be ['disabled', 'enabled'], but current status is: failed-over. Cannot enable replication.`,
  `Invalid volume: Volume ${V} status must be ['available', 'in-use'], but current status is: error. Cannot failover replication.`,
  "Invalid Group: Source group cannot be empty or in 'creating' or 'updating' state. No group snapshot will be created.",
  'Invalid volume: The snapshot cannot be created because volume has not been scheduled to any host.',
  'Invalid volume: The snapshot cannot be created when the volume is in error status.',
  'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
  "Invalid Group: Originating group status must be one of 'available, creating' values",
  'Invalid volume: volume is not assigned to a host',
  'Invalid Group: Group snapshot is empty. No group will be created.',
  `Target group type is still in use. Group Type ${G} deletion is not allowed with groups present with the type.`,
];

const BAD_INPUT = [
  `Invalid volume: UUIDs ['${V}'] are in both add and remove volume list.`,
  `Invalid volume: Cannot add volume ${V} to group ${G} because volume cannot be found.`,
  `Invalid volume: Cannot add volume ${V} to group ${G} because volume type 0d5c7f1e is not supported by the group.`,
  `Invalid volume: Cannot remove volume ${V} from group ${G} because it is not in the group.`,
  `Invalid Group: Cannot update group ${G} because no valid name, description, add_volumes, or remove_volumes were provided.`,
  `Invalid volume: Volume ${V} is attached but allow_attached_volume flag is False. Cannot failover replication.`,
  `Invalid group type: Group ${G} is not a replication group type.`,
  "Invalid volume type: Volume type x does not have 'replication_enabled' spec key set to '<is> True'.",
  "Invalid Group Status: Group status: in-use is invalid, valid status are: ('error', 'available').",
  "Invalid GroupSnapshot Status: Group snapshot status: bogus is invalid, valid statuses are: ('error', 'available').",
  'Invalid input received: Invalid volume_type provided: x (requested type must be supported by this group).',
  'Invalid input received: volume_type must be provided when creating a volume in a group.',
  "Availability zone 'bogus' is invalid.",
  'Invalid filters status are found in query options.',
  "Invalid input for field/attribute group. Value: {}. 'group_type' is a required property",
];

describe('classifyCinderError', () => {
  it.each(WRONG_STATE)('CONFLICT: %s', (message) => {
    expect(classifyCinderError(400, 'badRequest', message)).toBe('CONFLICT');
  });

  it.each(BAD_INPUT)('left to the status (BAD_USER_INPUT): %s', (message) => {
    expect(classifyCinderError(400, 'badRequest', message)).toBeUndefined();
  });

  it('only ever reclassifies a 400', () => {
    expect(classifyCinderError(500, 'computeFault', 'Invalid Group: Group status must be available.')).toBeUndefined();
    expect(classifyCinderError(404, 'itemNotFound', 'Invalid Group: Group status must be available.')).toBeUndefined();
  });
});

describe('a policy refusal Cinder answers as a 400', () => {
  it("createGroupFromSource's (create_from_src catches every error of its own as a 400) is FORBIDDEN", () => {
    expect(classifyCinderError(400, 'badRequest', "Policy doesn't allow group:create to be performed.")).toBe('FORBIDDEN');
    expect(classifyCinderError(403, 'forbidden', "Policy doesn't allow group:create to be performed.")).toBeUndefined();
    expect(classifyCinderError(400, 'badRequest', "Invalid input received: Policy doesn't allow it, says the name.")).toBeUndefined();
  });
});
