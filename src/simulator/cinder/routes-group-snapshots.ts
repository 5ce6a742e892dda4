// Group snapshots (cinder/api/v3/group_snapshots.py). Below 3.29 every query parameter is ignored, yet the
// view still emits a next link when `limit` equals the item count, so following it loops forever.
import { type Ctx, type Route, accepted, dispatchAction, ok } from './context.js';
import { MAX_LIMIT, nextLinks, parseListParams, runList, type ListParams } from './paging.js';
import { authorize, rejectInvalidFilters } from './policy.js';
import type { GroupSnapshotRow } from './state.js';
import { groupSnapshotDetail, groupSnapshotSummary } from './views.js';
import { badRequest, checkType, checkUuid, envelope, optionalText, pyTuple, schemaFault } from './wire.js';

const SNAPSHOT_COLUMNS = new Set([
  'id', 'group_id', 'user_id', 'project_id', 'name', 'description', 'status', 'group_type_id', 'created_at',
  'updated_at', 'deleted_at', 'deleted',
]);

const GROUP_SNAPSHOT_STATUS_ALL = ['error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'error_deleting'];

function listSnapshots(ctx: Ctx, detail: boolean) {
  const p: ListParams =
    ctx.mv >= 29
      ? parseListParams(ctx.query)
      : { limit: MAX_LIMIT, marker: undefined, offset: 0, sortKeys: ['created_at'], sortDirs: ['desc'], filters: new Map() };
  if (ctx.mv >= 31) rejectInvalidFilters(ctx, p.filters, 'group_snapshot');
  // get_all_group_snapshots: as for groups, only an admin's all_tenants widens the list.
  const allTenants = ctx.caller.isAdmin && p.filters.has('all_tenants');
  if (allTenants) p.filters.delete('all_tenants');
  const { page } = runList<GroupSnapshotRow>(
    {
      items: ctx.state.inScope(ctx.state.groupSnapshots.values(), allTenants ? null : ctx.caller.projectId),
      columns: SNAPSHOT_COLUMNS,
      value: (s, c) => (c === 'deleted' ? false : c === 'deleted_at' ? null : (s as unknown as Record<string, unknown>)[c]),
      requireMarker: (id) => ctx.state.requireGroupSnapshot(id, ctx.caller),
    },
    p,
  );
  const out: Record<string, unknown> = {
    group_snapshots: page.map((s) => (detail ? groupSnapshotDetail(ctx, s) : groupSnapshotSummary(s))),
  };
  // The link is built from the request's own `limit`, even where the DB query ignored it (< 3.29).
  const links = nextLinks(ctx.linkBase, 'group_snapshots', ctx.query, page);
  if (links) out.group_snapshot_links = links;
  return ok(out);
}

function createSnapshot(ctx: Ctx) {
  const body = envelope(ctx.req.body, 'group_snapshot', ['group_id', 'name', 'description'], ['group_id']);
  const groupId = checkUuid('group_id', body.group_id);
  const name = optionalText(body, 'name');
  const description = optionalText(body, 'description');
  const state = ctx.state;
  const g = state.requireGroup(groupId, ctx.caller);
  authorize(ctx, 'group:create_group_snapshot', g.project_id);
  // group_snapshot_create inserts only while the group holds a volume and is not being created or updated; no
  // other group status is checked (an `error` group with volumes can be snapshotted).
  const volumes = state.groupVolumes(g.id);
  if (volumes.length === 0 || g.status === 'creating' || g.status === 'updating') {
    throw badRequest(
      "Invalid Group: Source group cannot be empty or in 'creating' or 'updating' state. No group snapshot will be created.",
    );
  }
  // volume/api.py _create_snapshot_in_db_validate, per volume.
  for (const v of volumes) {
    const invalid = (reason: string) => badRequest(`Invalid volume: ${reason}`);
    if (!v.host) throw invalid('The snapshot cannot be created because volume has not been scheduled to any host.');
    if (v.status === 'maintenance') throw invalid('The snapshot cannot be created when the volume is in maintenance mode.');
    if (v.migration_status && v.migration_status.startsWith('migrating')) {
      throw invalid('Snapshot cannot be created while volume is migrating.');
    }
    if (v.status === 'error') throw invalid('The snapshot cannot be created when the volume is in error status.');
  }
  const s = state.addGroupSnapshot({
    project_id: ctx.caller.projectId,
    user_id: ctx.caller.userId,
    group_id: g.id,
    group_type_id: g.group_type_id,
    name: name ?? null,
    description: description ?? null,
    status: 'creating',
  });
  // create_snapshots_in_db: one volume snapshot per volume, named and described as the group snapshot.
  const members = volumes.map((v) =>
    state.addSnapshot({
      project_id: ctx.caller.projectId,
      user_id: ctx.caller.userId,
      volume_id: v.id,
      size: v.size,
      group_snapshot_id: s.id,
      name: s.name,
      description: s.description,
      status: 'creating',
      progress: '0%',
    }),
  );
  state.later(() => {
    if (state.groupSnapshots.has(s.id) && s.status === 'creating') {
      s.status = 'available';
      s.updated_at = state.now();
      for (const m of members) {
        if (m.status !== 'creating') continue;
        m.status = 'available';
        m.progress = '100%';
        m.updated_at = state.now();
      }
    }
  });
  return ok({ group_snapshot: { id: s.id, name: s.name, group_type_id: s.group_type_id } }, 202);
}

function deleteSnapshot(ctx: Ctx, id: string) {
  const state = ctx.state;
  const s = state.requireGroupSnapshot(id, ctx.caller);
  authorize(ctx, 'group:delete_group_snapshot', s.project_id);
  if ((s.status !== 'available' && s.status !== 'error') || state.isSourceOfCreatingGroup({ groupSnapshotId: s.id })) {
    throw badRequest(
      'Invalid GroupSnapshot: GroupSnapshot status must be available or error, and no Group can be currently using it as source for its creation.',
    );
  }
  s.status = 'deleting';
  s.updated_at = state.now();
  const members = state.snapshotsOfGroupSnapshot(s.id);
  for (const m of members) m.status = 'deleting';
  state.later(() => {
    for (const m of members) state.snapshots.delete(m.id);
    state.groupSnapshots.delete(s.id);
  });
  return accepted();
}

function resetStatus(ctx: Ctx, id: string, args: unknown) {
  checkType('reset_status', args, ['object']);
  const obj = args as Record<string, unknown>;
  if (!('status' in obj)) throw schemaFault('reset_status', obj, "'status' is a required property");
  checkType('status', obj.status, ['string']);
  const status = obj.status as string;
  if (status.trim().length === 0) throw badRequest("Invalid GroupSnapshot Status: The 'status' can not be empty.");
  if (!GROUP_SNAPSHOT_STATUS_ALL.includes(status.toLowerCase())) {
    throw badRequest(
      `Invalid GroupSnapshot Status: Group snapshot status: ${status} is invalid, valid statuses are: ${pyTuple(GROUP_SNAPSHOT_STATUS_ALL)}.`,
    );
  }
  const s = ctx.state.requireGroupSnapshot(id, ctx.caller);
  authorize(ctx, 'group:reset_group_snapshot_status', s.project_id);
  s.status = status.toLowerCase();
  s.updated_at = ctx.state.now();
  return accepted();
}

export const groupSnapshotRoutes: Route[] = [
  { method: 'GET', path: ['group_snapshots'], minMv: 14, handle: (ctx) => listSnapshots(ctx, false) },
  { method: 'GET', path: ['group_snapshots', 'detail'], minMv: 14, handle: (ctx) => listSnapshots(ctx, true) },
  { method: 'POST', path: ['group_snapshots'], minMv: 14, handle: (ctx) => createSnapshot(ctx) },
  {
    method: 'GET',
    path: ['group_snapshots', ':id'],
    minMv: 14,
    handle: (ctx, p) =>
      ok({ group_snapshot: groupSnapshotDetail(ctx, ctx.state.requireGroupSnapshot(p.id as string, ctx.caller)) }),
  },
  { method: 'DELETE', path: ['group_snapshots', ':id'], minMv: 14, handle: (ctx, p) => deleteSnapshot(ctx, p.id as string) },
  {
    method: 'POST',
    path: ['group_snapshots', ':id', 'action'],
    minMv: 14,
    handle: (ctx, p) =>
      dispatchAction(ctx, { reset_status: { minMv: 19, run: (c, args) => resetStatus(c, p.id as string, args) } }),
  },
];
