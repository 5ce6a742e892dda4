// `POST /groups/{id}/action`: delete, reset_status and the replication ("Tiramisu") actions, with the
// preconditions and messages of cinder/group/api.py.
import { type Action, type Ctx, accepted, ok } from './context.js';
import { type Policy, authorize } from './policy.js';
import type { GroupRow } from './state.js';
import { badRequest, checkType, pyRepr, pyTuple, schemaFault, truthy, type Json } from './wire.js';

const GROUP_STATUS_ALL = ['error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'in-use', 'error_deleting'];
const GROUP_SNAPSHOT_STATUS_ALL = ['error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'error_deleting'];

/** What `list_replication_targets` returns to admins: every key of each `replication_device` entry. */
export const REPLICATION_DEVICES = [
  {
    backend_id: 'vendor-id-1',
    san_ip: '192.0.2.10',
    san_login: 'replication-admin',
    san_password: 'sim-secret-do-not-leak',
  },
  {
    backend_id: 'vendor-id-2',
    san_ip: '198.51.100.20',
    san_login: 'replication-admin',
    san_password: 'sim-secret-do-not-leak-2',
  },
];

function argsObject(action: string, args: unknown, allowed: string[]): Json {
  if (args === null || args === undefined) return {};
  checkType(action, args, ['object']);
  const obj = args as Json;
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    const verb = extra.length === 1 ? 'was' : 'were';
    throw schemaFault(action, obj, `Additional properties are not allowed (${extra.map(pyRepr).join(', ')} ${verb} unexpected)`);
  }
  return obj;
}

function deleteGroup(ctx: Ctx, group: () => GroupRow, args: unknown) {
  checkType('delete', args, ['object']);
  const obj = argsObject('delete', args, ['delete-volumes']);
  if ('delete-volumes' in obj) checkType('delete-volumes', obj['delete-volumes'], ['boolean', 'string']);
  const deleteVolumes = truthy(obj['delete-volumes']);
  const state = ctx.state;
  const g = group();
  if (!g.host) {
    // Never placed by the scheduler: Cinder destroys the row at once.
    state.groups.delete(g.id);
    return accepted();
  }
  const invalid = (reason: string) => badRequest(`Invalid Group: ${reason}`);
  if (!deleteVolumes && g.status !== 'available' && g.status !== 'error') {
    throw invalid(`Group status must be available or error, but current status is: ${g.status}`);
  }
  if (state.groupSnapshotsOf(g.id).length > 0) throw invalid('Group has existing snapshots.');
  const volumes = state.groupVolumes(g.id);
  if (volumes.length > 0 && !deleteVolumes) {
    throw invalid(`Group ${g.id} still contains volumes. The delete-volumes flag is required to delete it.`);
  }
  for (const v of volumes) {
    if (v.attach_status === 'attached') throw invalid(`Volume in group ${g.id} is attached. Need to detach first.`);
    if (state.snapshotsOfVolume(v.id).length > 0) throw invalid('Volume in group still has dependent snapshots.');
  }
  if (state.isSourceOfCreatingGroup({ groupId: g.id })) {
    const reason = deleteVolumes
      ? 'Group status must be available or error and must not have dependent group snapshots'
      : 'Group must not have attached volumes, volumes with snapshots, or dependent group snapshots';
    throw invalid(
      `Cannot delete group ${g.id}. ${reason}, and it cannot be the source for an ongoing group or group snapshot creation.`,
    );
  }
  for (const v of volumes) v.status = 'deleting';
  g.status = 'deleting';
  g.updated_at = state.now();
  state.later(() => {
    for (const v of volumes) state.volumes.delete(v.id);
    state.groups.delete(g.id);
  });
  return accepted();
}

function resetStatus(group: () => GroupRow, args: unknown, now: string) {
  checkType('reset_status', args, ['object']);
  const obj = argsObject('reset_status', args, ['status']);
  if (!('status' in obj)) throw schemaFault('reset_status', obj, "'status' is a required property");
  checkType('status', obj.status, ['string']);
  const status = obj.status as string;
  if (status.trim().length === 0) throw badRequest("Invalid Group Status: The 'status' can not be empty.");
  // Validated against the group-snapshot enum while the message lists the group enum (so in-use is refused).
  if (!GROUP_SNAPSHOT_STATUS_ALL.includes(status.toLowerCase())) {
    throw badRequest(
      `Invalid Group Status: Group status: ${status} is invalid, valid status are: ${pyTuple(GROUP_STATUS_ALL)}.`,
    );
  }
  const g = group();
  g.status = status.toLowerCase();
  g.updated_at = now;
  return accepted();
}

/** `_check_type`: a replication-capable group type and replication-enabled volume types. */
function checkReplicationType(ctx: Ctx, g: GroupRow): void {
  const gt = ctx.state.groupTypes.get(g.group_type_id);
  if (!gt || !ctx.state.isReplicatedGroupType(gt)) {
    throw badRequest(`Invalid group type: Group ${g.id} is not a replication group type.`);
  }
  for (const vtId of g.volume_type_ids) {
    const vt = ctx.state.volumeTypes.get(vtId);
    if (!vt || !ctx.state.isReplicatedVolumeType(vt)) {
      throw badRequest(
        `Invalid volume type: Volume type ${vtId} does not have 'replication_enabled' spec key set to '<is> True'.`,
      );
    }
  }
}

type RepOp = 'enable' | 'disable' | 'failover';

function replication(ctx: Ctx, group: () => GroupRow, op: RepOp, args: unknown) {
  const allowed = op === 'failover' ? ['allow_attached_volume', 'secondary_backend_id'] : [];
  const obj = argsObject(`${op}_replication`, args, allowed);
  const allowAttached = truthy(obj.allow_attached_volume);
  const backend = typeof obj.secondary_backend_id === 'string' ? obj.secondary_backend_id : null;
  const g = group();
  checkReplicationType(ctx, g);
  const verb = { enable: 'enable', disable: 'disable', failover: 'failover' }[op];
  const validStatus = op === 'disable' ? ['available', 'error'] : ['available'];
  const validRep = op === 'enable' ? ['disabled', 'enabled'] : op === 'disable' ? ['enabled', 'error'] : ['enabled', 'failed-over'];
  const tail = `Cannot ${verb} replication.`;
  if (!validStatus.includes(g.status)) {
    throw badRequest(`Invalid Group: Group ${g.id} status must be ${pyRepr(validStatus)}, but current status is: ${g.status}. ${tail}`);
  }
  if (!validRep.includes(g.replication_status ?? '')) {
    throw badRequest(
      `Invalid Group: Group ${g.id} replication status must be ${pyRepr(validRep)}, but current status is: ${g.replication_status ?? 'None'}. ${tail}`,
    );
  }
  const volumes = ctx.state.groupVolumes(g.id);
  const volStatus = ['available', 'in-use'];
  for (const v of volumes) {
    if (op !== 'disable' && !volStatus.includes(v.status)) {
      throw badRequest(`Invalid volume: Volume ${v.id} status must be ${pyRepr(volStatus)}, but current status is: ${v.status}. ${tail}`);
    }
    if (op === 'failover' && v.status === 'in-use' && !allowAttached) {
      throw badRequest(`Invalid volume: Volume ${v.id} is attached but allow_attached_volume flag is False. ${tail}`);
    }
    if (!validRep.includes(v.replication_status ?? '')) {
      throw badRequest(
        `Invalid volume: Volume ${v.id} replication status must be ${pyRepr(validRep)}, but current status is: ${v.replication_status ?? 'None'}. ${tail}`,
      );
    }
  }
  const during = { enable: 'enabling', disable: 'disabling', failover: 'failing-over' }[op];
  const after =
    op === 'enable' ? 'enabled' : op === 'disable' ? 'disabled' : backend === 'default' ? 'enabled' : 'failed-over';
  for (const v of volumes) v.replication_status = during;
  g.replication_status = during;
  ctx.state.later(() => {
    if (!ctx.state.groups.has(g.id) || g.replication_status !== during) return;
    g.replication_status = after;
    for (const v of volumes) if (v.replication_status === during) v.replication_status = after;
  });
  return accepted();
}

export function groupActions(id: string): Record<string, Action> {
  // Body validation runs before the group is read (validation.schema decorates the controller method); the
  // read is the caller's (another project's group is 404 to a non-admin), then group/api.py authorizes the
  // action against the group.
  const withGroup =
    (policy: Policy, fn: (ctx: Ctx, g: () => GroupRow, args: unknown) => ReturnType<Action['run']>) =>
    (ctx: Ctx, args: unknown) =>
      fn(
        ctx,
        () => {
          const g = ctx.state.requireGroup(id, ctx.caller);
          authorize(ctx, policy, g.project_id);
          return g;
        },
        args,
      );
  return {
    delete: { minMv: 13, run: withGroup('group:delete', deleteGroup) },
    reset_status: { minMv: 20, run: withGroup('group:reset_status', (ctx, g, args) => resetStatus(g, args, ctx.state.now())) },
    enable_replication: { minMv: 38, run: withGroup('group:enable_replication', (ctx, g, a) => replication(ctx, g, 'enable', a)) },
    disable_replication: { minMv: 38, run: withGroup('group:disable_replication', (ctx, g, a) => replication(ctx, g, 'disable', a)) },
    failover_replication: { minMv: 38, run: withGroup('group:failover_replication', (ctx, g, a) => replication(ctx, g, 'failover', a)) },
    list_replication_targets: {
      minMv: 38,
      run: withGroup('group:list_replication_targets', (ctx, g, args) => {
        argsObject('list_replication_targets', args, []);
        checkReplicationType(ctx, g());
        // 200 with an array (the api-ref says 202 and shows an object). Admins see every config key, anyone
        // else only backend_id (volume/manager.py list_replication_targets).
        const targets = REPLICATION_DEVICES.map((d) => (ctx.caller.isAdmin ? { ...d } : { backend_id: d.backend_id }));
        return ok({ replication_targets: targets });
      }),
    },
  };
}
