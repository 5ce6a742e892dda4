// Volumes, as far as groups need them (cinder/api/v3/volumes.py): list/detail with the group_id filter (3.10+),
// show, create (group_id 3.13+), delete, and the admin os-reset_status action for fixtures.
import { type Ctx, type Route, accepted, dispatchAction, ok } from './context.js';
import { reserveVolumes } from './quotas.js';
import { nextLinks, parseListParams, runList } from './paging.js';
import { RESOURCE_FILTERS, authorize, rejectInvalidFilters, removeInvalidFilterOptions } from './policy.js';
import { type GroupRow, SIM_HOST, type VolumeRow } from './state.js';
import { volumeDetail, volumeSummary } from './views.js';
import {
  badRequest,
  checkType,
  checkUuid,
  envelope,
  isUuidLike,
  optionalText,
  pyTuple,
  schemaFault,
  truthy,
} from './wire.js';

const VOLUME_COLUMNS = new Set([
  'id', 'user_id', 'project_id', 'snapshot_id', 'cluster_name', 'host', 'size', 'availability_zone', 'status',
  'attach_status', 'migration_status', 'display_name', 'display_description', 'provider_location', 'provider_id',
  'volume_type_id', 'source_volid', 'encryption_key_id', 'consistencygroup_id', 'group_id', 'bootable',
  'multiattach', 'replication_status', 'previous_status', 'created_at', 'updated_at', 'deleted', 'deleted_at',
]);

/** oslo strutils TRUE_STRINGS + FALSE_STRINGS (`is_valid_boolstr`). */
const BOOL_STRINGS = ['1', 't', 'true', 'on', 'y', 'yes', '0', 'f', 'false', 'off', 'n', 'no'];

const VOLUME_STATUS_ALL = [
  'creating', 'available', 'deleting', 'error', 'error_deleting', 'error_managing', 'managing', 'attaching',
  'in-use', 'detaching', 'maintenance', 'restoring-backup', 'error_restoring', 'reserved', 'awaiting-transfer',
  'backing-up', 'error_backing-up', 'error_extending', 'downloading', 'uploading', 'retyping', 'extending',
];

function columnValue(v: VolumeRow, c: string): unknown {
  switch (c) {
    case 'display_name':
      return v.name;
    case 'display_description':
      return v.description;
    case 'deleted':
      return false;
    default:
      return (v as unknown as Record<string, unknown>)[c] ?? null;
  }
}

function listVolumes(ctx: Ctx, detail: boolean) {
  const p = parseListParams(ctx.query);
  const withCount = ctx.mv >= 45 && truthy(p.filters.get('with_count'));
  if (ctx.mv >= 45) p.filters.delete('with_count');
  // _MV_ADDED_FILTERS: group_id is silently dropped below 3.10.
  if (ctx.mv < 10) p.filters.delete('group_id');
  // A non-admin's other filters: 400 from 3.31 (all_tenants excepted), silently dropped below.
  if (ctx.mv >= 31) rejectInvalidFilters(ctx, p.filters, 'volume');
  else removeInvalidFilterOptions(ctx, p.filters, RESOURCE_FILTERS.volume ?? []);
  // volume/api.py get_all: all_tenants is a strict boolean, and widens the list for admins only.
  const rawAll = p.filters.get('all_tenants');
  p.filters.delete('all_tenants');
  if (rawAll !== undefined && !BOOL_STRINGS.includes(rawAll.trim().toLowerCase())) {
    throw badRequest(`Value '${rawAll}' for 'all_tenants' is not a boolean.`);
  }
  const allTenants = ctx.caller.isAdmin && rawAll !== undefined && truthy(rawAll);
  const { page, total } = runList<VolumeRow>(
    {
      items: ctx.state.inScope(ctx.state.volumes.values(), allTenants ? null : ctx.caller.projectId),
      columns: VOLUME_COLUMNS,
      value: columnValue,
      requireMarker: (id) => ctx.state.requireVolume(id, ctx.caller),
      rename: { name: 'display_name', description: 'display_description' },
      literalFilters: true,
    },
    p,
  );
  const out: Record<string, unknown> = {
    volumes: page.map((v) => (detail ? volumeDetail(ctx, v) : volumeSummary(ctx, v))),
  };
  const links = nextLinks(ctx.linkBase, 'volumes', ctx.query, page);
  if (links) out.volumes_links = links;
  if (withCount) out.count = total;
  return ok(out);
}

const CREATE_KEYS = [
  'name', 'description', 'display_name', 'display_description', 'volume_type', 'metadata', 'snapshot_id',
  'source_volid', 'consistencygroup_id', 'size', 'availability_zone', 'multiattach', 'image_id', 'imageRef',
];

function createVolume(ctx: Ctx) {
  const allowed = [...CREATE_KEYS, ...(ctx.mv >= 13 ? ['group_id'] : []), ...(ctx.mv >= 47 ? ['backup_id'] : [])];
  const body = envelope(ctx.req.body, 'volume', allowed, []);
  const name = optionalText(body, 'name') ?? optionalText(body, 'display_name');
  const description = optionalText(body, 'description') ?? optionalText(body, 'display_description');
  const rawSize = body.size;
  checkType('size', rawSize, ['integer', 'string', 'null']);
  const size = typeof rawSize === 'string' ? Number(rawSize) : (rawSize as number | null | undefined);
  if (size === null || size === undefined || !Number.isInteger(size) || size < 1) {
    throw badRequest(`Invalid input received: Volume size '${rawSize === null || rawSize === undefined ? 'None' : String(rawSize)}' must be an integer and greater than 0`);
  }
  const state = ctx.state;
  const who = ctx.caller;
  let typeId = state.defaultVolumeTypeId;
  if (body.volume_type !== undefined && body.volume_type !== null) {
    checkType('volume_type', body.volume_type, ['string']);
    const ref = body.volume_type as string;
    typeId = state.volumeTypeByNameOrId(ref, isUuidLike(ref), who).id;
  }
  if (!typeId) throw badRequest('Invalid input received: No volume type given and no default type exists.');
  let group: GroupRow | null = null;
  if (body.group_id !== undefined && body.group_id !== null) {
    group = state.requireGroup(checkUuid('group_id', body.group_id), who);
    if (body.volume_type === undefined || body.volume_type === null) {
      throw badRequest('Invalid input received: volume_type must be provided when creating a volume in a group.');
    }
    if (!group.volume_type_ids.includes(typeId)) {
      throw badRequest(
        `Invalid input received: Invalid volume_type provided: ${typeId} (requested type must be supported by this group).`,
      );
    }
    // create_volume.py _extract_group: GROUP_PROCEED_STATUS.
    if (group.status !== 'available' && group.status !== 'creating') {
      throw badRequest("Invalid Group: Originating group status must be one of 'available, creating' values");
    }
  }
  if (body.metadata !== undefined) checkType('metadata', body.metadata, ['object']);
  // A volume created in a group goes to the group's zone, whatever the request said.
  const az = group ? group.availability_zone : typeof body.availability_zone === 'string' ? body.availability_zone : 'nova';
  if (!state.zones.some((z) => z.name === az)) throw badRequest(`Availability zone '${az}' is invalid.`);
  authorize(ctx, 'volume:create');
  reserveVolumes(state, who.projectId, [{ size, typeId }]);
  const type = state.volumeTypes.get(typeId);
  const v = state.addVolume({
    project_id: who.projectId,
    user_id: who.userId,
    name: name ?? null,
    description: description ?? null,
    size,
    volume_type_id: typeId,
    status: 'creating',
    group_id: group?.id ?? null,
    availability_zone: az,
    multiattach: truthy(body.multiattach),
    replication_status: type && state.isReplicatedVolumeType(type) ? 'enabled' : 'disabled',
    metadata: { ...((body.metadata as Record<string, string> | undefined) ?? {}) },
    host: null,
  });
  if (group && !group.host) {
    // The cast to the scheduler needs the group's backend (volume_utils.extract_host): real Cinder answers 400
    // after the row is written, and the row stays `creating` for good.
    throw badRequest('Invalid volume: volume is not assigned to a host');
  }
  state.later(() => {
    if (state.volumes.has(v.id) && v.status === 'creating') {
      v.status = 'available';
      v.host = SIM_HOST;
      v.updated_at = state.now();
    }
  });
  return ok({ volume: volumeDetail(ctx, v) }, 202);
}

function deleteVolume(ctx: Ctx, id: string) {
  const state = ctx.state;
  const v = state.requireVolume(id, ctx.caller);
  authorize(ctx, 'volume:delete', v.project_id);
  const okStatus = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];
  const hasSnapshots = state.snapshotsOfVolume(v.id).length > 0;
  if (!v.host) {
    // Never scheduled: volume/api.py delete destroys the row at once, whatever its status.
    state.volumes.delete(v.id);
    return accepted();
  }
  if (!okStatus.includes(v.status) || v.attach_status === 'attached' || v.group_id || hasSnapshots) {
    throw badRequest(
      'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
    );
  }
  v.status = 'deleting';
  v.updated_at = state.now();
  state.later(() => void state.volumes.delete(v.id));
  return accepted();
}

function resetVolumeStatus(ctx: Ctx, id: string, args: unknown) {
  checkType('os-reset_status', args, ['object']);
  const obj = args as Record<string, unknown>;
  const status = obj.status;
  const attach = obj.attach_status;
  const migration = obj.migration_status;
  if (!status && !attach && !migration) {
    throw badRequest("Must specify 'status', 'attach_status' or 'migration_status' for update.");
  }
  if (status !== undefined) {
    checkType('status', status, ['string']);
    if (!VOLUME_STATUS_ALL.includes((status as string).toLowerCase())) {
      throw schemaFault(
        null,
        status,
        `Volume status: ${status as string} is invalid, valid statuses are: ${pyTuple(VOLUME_STATUS_ALL)}.`,
      );
    }
  }
  if (attach !== undefined && !['attached', 'detached'].includes(String(attach).toLowerCase())) {
    throw badRequest(`Volume attach status: ${String(attach)} is invalid, valid statuses are: ['attached', 'detached'].`);
  }
  const v = ctx.state.requireVolume(id, ctx.caller);
  authorize(ctx, 'volume_extension:volume_admin_actions:reset_status', v.project_id);
  if (typeof status === 'string') v.status = status.toLowerCase();
  if (typeof attach === 'string') v.attach_status = attach.toLowerCase();
  if (typeof migration === 'string') v.migration_status = migration.toLowerCase() === 'none' ? null : migration;
  v.updated_at = ctx.state.now();
  return accepted();
}

export const volumeRoutes: Route[] = [
  { method: 'GET', path: ['volumes'], handle: (ctx) => listVolumes(ctx, false) },
  { method: 'GET', path: ['volumes', 'detail'], handle: (ctx) => listVolumes(ctx, true) },
  { method: 'POST', path: ['volumes'], handle: createVolume },
  {
    method: 'GET',
    path: ['volumes', ':id'],
    handle: (ctx, p) => ok({ volume: volumeDetail(ctx, ctx.state.requireVolume(p.id as string, ctx.caller)) }),
  },
  { method: 'DELETE', path: ['volumes', ':id'], handle: (ctx, p) => deleteVolume(ctx, p.id as string) },
  {
    method: 'POST',
    path: ['volumes', ':id', 'action'],
    handle: (ctx, p) =>
      dispatchAction(ctx, {
        'os-reset_status': { minMv: 0, run: (c, args) => resetVolumeStatus(c, p.id as string, args) },
      }),
  },
];
