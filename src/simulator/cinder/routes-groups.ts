// Generic volume groups (cinder/api/v3/groups.py, cinder/group/api.py): list, show, create, create-from-src,
// update. The member actions live in routes-group-actions.ts.
import { type Ctx, type Route, accepted, dispatchAction, ok } from './context.js';
import { groupActions } from './routes-group-actions.js';
import { nextLinks, parseListParams, runList } from './paging.js';
import { reserveGroup, reserveVolumes } from './quotas.js';
import { authorize, rejectInvalidFilters } from './policy.js';
import { SIM_HOST, type GroupRow } from './state.js';
import { groupDetail, groupSummary } from './views.js';
import {
  CinderFault,
  SERVER_ERROR_MESSAGE,
  badRequest,
  checkType,
  checkUuid,
  envelope,
  isUuidLike,
  optionalText,
  pyRepr,
  pyTuple,
  schemaFault,
  truthy,
} from './wire.js';

const GROUP_COLUMNS = new Set([
  'id', 'user_id', 'project_id', 'cluster_name', 'host', 'availability_zone', 'name', 'description',
  'group_type_id', 'status', 'group_snapshot_id', 'source_group_id', 'replication_status', 'created_at',
  'updated_at', 'deleted_at', 'deleted',
]);

function listGroups(ctx: Ctx, detail: boolean) {
  const p = parseListParams(ctx.query);
  p.filters.delete('list_volume');
  if (ctx.mv >= 31) rejectInvalidFilters(ctx, p.filters, 'group');
  // group/api.py get_all: an admin's all_tenants (any value, even 0) lists every project. A non-admin's is gone
  // from 3.31 (above) and below it stays a filter on a column that does not exist: an empty list.
  const allTenants = ctx.caller.isAdmin && p.filters.has('all_tenants');
  if (allTenants) p.filters.delete('all_tenants');
  const { page } = runList<GroupRow>(
    {
      items: ctx.state.inScope(ctx.state.groups.values(), allTenants ? null : ctx.caller.projectId),
      columns: GROUP_COLUMNS,
      value: (g, c) => (c === 'deleted' ? false : c === 'deleted_at' ? null : (g as unknown as Record<string, unknown>)[c]),
      requireMarker: (id) => ctx.state.requireGroup(id, ctx.caller),
    },
    p,
  );
  const listVolume = truthy(ctx.query.get('list_volume'));
  const out: Record<string, unknown> = {
    groups: page.map((g) => (detail ? groupDetail(ctx, g, listVolume) : groupSummary(g))),
  };
  const links = nextLinks(ctx.linkBase, 'groups', ctx.query, page);
  if (links) out.group_links = links;
  return ok(out);
}

function createGroup(ctx: Ctx) {
  const body = envelope(
    ctx.req.body,
    'group',
    ['description', 'group_type', 'name', 'volume_types', 'availability_zone'],
    ['group_type', 'volume_types'],
  );
  const name = optionalText(body, 'name');
  const description = optionalText(body, 'description');
  checkType('group_type', body.group_type, ['string']);
  const typeRef = (body.group_type as string).trim();
  if (typeRef.length === 0) throw badRequest("The 'group_type' can not be None.");
  const vts = body.volume_types;
  checkType('volume_types', vts, ['array']);
  const list = vts as unknown[];
  if (list.length === 0) throw schemaFault('volume_types', list, `${pyRepr(list)} is too short`);
  for (const item of list) checkType('volume_types', item, ['string']);
  if (new Set(list).size !== list.length) throw schemaFault('volume_types', list, `${pyRepr(list)} has non-unique elements`);
  authorize(ctx, 'group:create');
  let az = 'nova';
  if ('availability_zone' in body && body.availability_zone !== null) {
    checkType('availability_zone', body.availability_zone, ['string', 'null']);
    az = (body.availability_zone as string).trim();
    if (az !== 'nova') throw badRequest(`Invalid input received: Availability zone '${az}' is invalid.`);
  }
  // Group types are read as the caller (private ones hidden), volume types elevated (every one).
  const who = ctx.caller;
  const groupType = isUuidLike(typeRef) ? ctx.state.requireGroupType(typeRef, who) : ctx.state.groupTypeByName(typeRef, who);
  const volumeTypes = (list as string[]).map((ref) => ctx.state.volumeTypeByNameOrId(ref, isUuidLike(ref)));
  reserveGroup(ctx.state, who.projectId);
  const g = ctx.state.addGroup({
    project_id: who.projectId,
    user_id: who.userId,
    name: name?.trim() ?? null,
    description: description?.trim() ?? null,
    status: 'creating',
    availability_zone: az,
    group_type_id: groupType.id,
    volume_type_ids: volumeTypes.map((t) => t.id),
    replication_status: 'disabled',
    host: null,
  });
  ctx.state.later(() => {
    if (g.status !== 'creating' || !ctx.state.groups.has(g.id)) return;
    g.status = 'available';
    g.host = SIM_HOST;
    g.updated_at = ctx.state.now();
  });
  return ok({ group: groupSummary(g) }, 202);
}

function createFromSource(ctx: Ctx, args: unknown) {
  checkType('create-from-src', args, ['object']);
  const body = args as Record<string, unknown>;
  const allowed = ['description', 'name', 'source_group_id', 'group_snapshot_id'];
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    const verb = extra.length === 1 ? 'was' : 'were';
    throw schemaFault('create-from-src', body, `Additional properties are not allowed (${extra.map(pyRepr).join(', ')} ${verb} unexpected)`);
  }
  const name = optionalText(body, 'name');
  const description = optionalText(body, 'description');
  if ('source_group_id' in body) checkUuid('source_group_id', body.source_group_id);
  if ('group_snapshot_id' in body) checkUuid('group_snapshot_id', body.group_snapshot_id);
  const hasSnap = 'group_snapshot_id' in body;
  const hasSrc = 'source_group_id' in body;
  const oneOf = "{'required': ['group_snapshot_id']}, {'required': ['source_group_id']}";
  if (hasSnap && hasSrc) throw schemaFault('create-from-src', body, `${pyRepr(body)} is valid under each of ${oneOf}`);
  if (!hasSnap && !hasSrc) throw schemaFault('create-from-src', body, `${pyRepr(body)} is not valid under any of the given schemas`);
  authorize(ctx, 'group:create');
  const state = ctx.state;
  const who = ctx.caller;
  let groupTypeId: string;
  let volumeTypeIds: string[];
  let sourceVolumes;
  if (hasSnap) {
    const snap = state.requireGroupSnapshot(body.group_snapshot_id as string, who);
    if (snap.status !== 'available') {
      throw badRequest(`Invalid Group: Group snapshot ${snap.id} status must be available, but current status is: ${snap.status}.`);
    }
    const origin = state.groups.get(snap.group_id);
    groupTypeId = snap.group_type_id;
    volumeTypeIds = origin ? [...origin.volume_type_ids] : [];
    const members = state.snapshotsOfGroupSnapshot(snap.id);
    if (members.length === 0) throw badRequest('Invalid Group: Group snapshot is empty. No group will be created.');
    sourceVolumes = members.flatMap((m) => state.volumes.get(m.volume_id) ?? []);
  } else {
    const src = state.requireGroup(body.source_group_id as string, who);
    const valid = ['available', 'in-use'];
    if (!valid.includes(src.status)) {
      throw badRequest(
        `Invalid Group: Source group status must be ${pyTuple(valid)}, but current status is: ${src.status}.`,
      );
    }
    groupTypeId = src.group_type_id;
    volumeTypeIds = [...src.volume_type_ids];
    sourceVolumes = state.groupVolumes(src.id);
  }
  reserveGroup(state, who.projectId);
  // Each member is a volume create of its own; from a group snapshot, one that reserves no gigabytes.
  reserveVolumes(state, who.projectId, sourceVolumes.map((v) => ({ size: v.size, typeId: v.volume_type_id })), !hasSnap);
  const g = state.addGroup({
    project_id: who.projectId,
    user_id: who.userId,
    name: name?.trim() ?? null,
    description: description?.trim() ?? null,
    status: 'creating',
    group_type_id: groupTypeId,
    volume_type_ids: volumeTypeIds,
    group_snapshot_id: hasSnap ? (body.group_snapshot_id as string) : null,
    source_group_id: hasSrc ? (body.source_group_id as string) : null,
    replication_status: 'disabled',
    host: null,
  });
  const clones = sourceVolumes.map((v) =>
    state.addVolume({
      project_id: who.projectId,
      user_id: who.userId,
      name: v.name,
      size: v.size,
      volume_type_id: v.volume_type_id,
      status: 'creating',
      group_id: g.id,
      replication_status: 'disabled',
      source_volid: hasSrc ? v.id : null,
    }),
  );
  state.later(() => {
    if (!state.groups.has(g.id) || g.status !== 'creating') return;
    g.status = 'available';
    g.host = SIM_HOST;
    g.updated_at = state.now();
    for (const v of clones) if (v.status === 'creating') v.status = 'available';
  });
  return ok({ group: groupSummary(g) }, 202);
}

function splitIds(raw: unknown): string[] {
  if (typeof raw !== 'string' || raw.length === 0) return [];
  return raw.replace(/^,+|,+$/g, '').split(',');
}

function updateGroup(ctx: Ctx, id: string) {
  const body = envelope(ctx.req.body, 'group', ['name', 'description', 'add_volumes', 'remove_volumes']);
  let name = optionalText(body, 'name');
  let description = optionalText(body, 'description');
  for (const k of ['add_volumes', 'remove_volumes']) if (k in body) checkType(k, body[k], ['string', 'null']);
  const state = ctx.state;
  const g = state.requireGroup(id, ctx.caller);
  authorize(ctx, 'group:update', g.project_id);
  name = name?.trim() ?? name;
  description = description?.trim() ?? description;
  if (name === g.name) name = undefined;
  if (description === g.description) description = undefined;
  const addList = splitIds(body.add_volumes);
  const removeList = splitIds(body.remove_volumes);
  const both = addList.filter((u) => removeList.includes(u));
  if (both.length > 0) throw badRequest(`Invalid volume: UUIDs ${pyRepr(both)} are in both add and remove volume list.`);
  const current = state.groupVolumes(g.id);
  const toAdd = addList.filter((u) => !current.some((v) => v.id === u));
  for (const vid of toAdd) {
    const v = state.findVolume(vid, ctx.caller);
    const prefix = `Invalid volume: Cannot add volume ${vid} to group ${g.id}`;
    if (!v) throw badRequest(`${prefix} because volume cannot be found.`);
    if (v.group_id) throw badRequest(`${prefix} because it is already in group ${v.group_id}.`);
    if (!g.volume_type_ids.includes(v.volume_type_id)) {
      throw badRequest(`${prefix} because volume type ${v.volume_type_id} is not supported by the group.`);
    }
    const valid = ['available', 'in-use'];
    if (!valid.includes(v.status)) {
      throw badRequest(`${prefix} because volume is in an invalid state: ${v.status}. Valid states are: ${pyTuple(valid)}.`);
    }
  }
  const validRemove = ['available', 'in-use', 'error', 'error_deleting'];
  for (const v of current) {
    if (removeList.includes(v.id) && !validRemove.includes(v.status)) {
      throw badRequest(
        `Invalid volume: Cannot remove volume ${v.id} from group ${g.id} because volume is in an invalid state: ${v.status}. Valid states are: ${pyTuple(validRemove)}.`,
      );
    }
  }
  for (const rid of removeList) {
    if (!current.some((v) => v.id === rid)) {
      throw badRequest(`Invalid volume: Cannot remove volume ${rid} from group ${g.id} because it is not in the group.`);
    }
  }
  const changesVolumes = toAdd.length > 0 || removeList.length > 0;
  if (name === undefined && description === undefined && !changesVolumes) {
    throw badRequest(
      `Invalid Group: Cannot update group ${g.id} because no valid name, description, add_volumes, or remove_volumes were provided.`,
    );
  }
  if (changesVolumes && g.status !== 'available') throw badRequest('Invalid Group: Group status must be available.');
  if (name !== undefined) g.name = name;
  if (description !== undefined) g.description = description;
  g.updated_at = state.now();
  if (!changesVolumes) {
    // Cinder sets the status to available on a name/description-only update, whatever it was.
    g.status = 'available';
    return accepted();
  }
  g.status = 'updating';
  state.later(() => {
    if (!state.groups.has(g.id)) return;
    for (const vid of toAdd) {
      const v = state.volumes.get(vid);
      if (v) v.group_id = g.id;
    }
    for (const vid of removeList) {
      const v = state.volumes.get(vid);
      if (v && v.group_id === g.id) v.group_id = null;
    }
    if (g.status === 'updating') g.status = 'available';
  });
  return accepted();
}

export const groupRoutes: Route[] = [
  { method: 'GET', path: ['groups'], minMv: 13, handle: (ctx) => listGroups(ctx, false) },
  { method: 'GET', path: ['groups', 'detail'], minMv: 13, handle: (ctx) => listGroups(ctx, true) },
  { method: 'POST', path: ['groups'], minMv: 13, handle: (ctx) => createGroup(ctx) },
  {
    method: 'POST',
    path: ['groups', 'action'],
    minMv: 13,
    handle: (ctx) => dispatchAction(ctx, { 'create-from-src': { minMv: 14, run: createFromSource } }),
  },
  {
    method: 'GET',
    path: ['groups', ':id'],
    minMv: 13,
    handle: (ctx, p) =>
      ok({
        group: groupDetail(ctx, ctx.state.requireGroup(p.id as string, ctx.caller), truthy(ctx.query.get('list_volume'))),
      }),
  },
  { method: 'PUT', path: ['groups', ':id'], minMv: 13, handle: (ctx, p) => updateGroup(ctx, p.id as string) },
  {
    method: 'POST',
    path: ['groups', ':id', 'action'],
    minMv: 13,
    handle: (ctx, p) => dispatchAction(ctx, groupActions(p.id as string)),
  },
  {
    // Zed bug: mapper.resource routes DELETE to the `delete` action without a body -> KeyError -> 500.
    method: 'DELETE',
    path: ['groups', ':id'],
    minMv: 13,
    handle: () => {
      throw new CinderFault(500, SERVER_ERROR_MESSAGE);
    },
  },
];
