import type { ErrorClassifier } from '../upstreamErrors.js';

// Cinder answers a refusal because of an object's state with the same 400 `badRequest` as bad input. The
// exception class is the first part of the message (cinder/exception.py: "Invalid Group: %(reason)s", "Invalid
// GroupSnapshot: …", "Invalid volume: …", "Invalid snapshot: …"); the reason says whether the object's state is
// what is wrong. Reasons about the request itself under the same classes stay BAD_USER_INPUT: "UUIDs … are in both
// add and remove volume list", "… because it is not in the group", "… because volume type … is not supported by
// the group", "no valid name, description, add_volumes, or remove_volumes were provided", and "Invalid Group
// Status: …" / "Invalid input received: …", which are other classes.
const STATE_CLASS = /^(Invalid Group|Invalid GroupSnapshot|Invalid volume|Invalid snapshot): /;

const WRONG_STATE = [
  // "Group status must be available or error, but current status is: creating", "Originating group status must be
  // one of 'available, creating' values", "GroupSnapshot status must be available or error, and no Group …",
  // "Volume status must be available or error or … and must not be migrating, attached, belong to a group, …"
  /\bstatus must be\b/i,
  /\bcurrent status is\b/i,
  // "because volume is in an invalid state: creating", "Source group cannot be empty or in 'creating' or 'updating' state"
  /\bstate\b/i,
  /\bhas existing snapshots\b/i,
  /\bstill contains volumes\b/i,
  /\bdependent (group )?snapshots\b/i,
  /\bNeed to detach first\b/i,
  /\bnot assigned to a host\b/i,
  /\bnot been scheduled to any host\b/i,
  /\bis already in group\b/i,
  /\bis empty\b/i,
  /\bin maintenance mode\b/i,
  /\bwhile volume is migrating\b/i,
  /\bin error status\b/i,
];

/** Cinder 400s that mean "not in this state": CONFLICT, with Cinder's message, as Manila's and SDRS's are. */
export function isWrongState(status: number, message: string): boolean {
  if (status !== 400) return false;
  // group_types.destroy turns GroupTypeInUse into a bare 400: groups of that type still exist.
  if (message.startsWith('Target group type is still in use.')) return true;
  return STATE_CLASS.test(message) && WRONG_STATE.some((re) => re.test(message));
}

// create_from_src (cinder/api/v3/groups.py) turns every error of its own into a 400, a policy refusal included.
const POLICY_REFUSAL = /^Policy doesn't allow \S+ to be performed\.$/;

export const classifyCinderError: ErrorClassifier = (status, _code, message) => {
  if (status === 400 && POLICY_REFUSAL.test(message)) return 'FORBIDDEN';
  return isWrongState(status, message) ? 'CONFLICT' : undefined;
};
