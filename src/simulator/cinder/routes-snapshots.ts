// Volume snapshots, read-only (cinder/api/v3/snapshots.py, views/snapshots.py, the extended snapshot attributes
// extension, volume/api.py get_all_snapshots, db _process_snaps_filters). They are made by group snapshots here.
import { type Ctx, type Route, ok } from './context.js';
import { nextLinks, parseListParams, runList } from './paging.js';
import { authorize, rejectInvalidFilters, removeInvalidFilterOptions } from './policy.js';
import type { SnapshotRow } from './state.js';
import { snapshotDetail, snapshotSummary } from './views.js';
import { truthy } from './wire.js';

/** Snapshot model columns, and the volume columns _process_snaps_filters joins for. */
const SNAPSHOT_COLUMNS = new Set([
  'id', 'user_id', 'project_id', 'use_quota', 'volume_id', 'cgsnapshot_id', 'group_snapshot_id', 'status', 'progress',
  'volume_size', 'display_name', 'display_description', 'encryption_key_id', 'volume_type_id', 'provider_location',
  'provider_id', 'created_at', 'updated_at', 'deleted', 'deleted_at', 'host', 'cluster_name', 'availability_zone',
]);

function columnValue(ctx: Ctx, s: SnapshotRow, c: string): unknown {
  const volume = () => ctx.state.volumes.get(s.volume_id);
  switch (c) {
    case 'display_name':
      return s.name;
    case 'display_description':
      return s.description;
    case 'volume_size':
      return s.size;
    case 'deleted':
      return false;
    case 'volume_type_id':
    case 'host':
    case 'availability_zone':
      return volume()?.[c] ?? null;
    default:
      return (s as unknown as Record<string, unknown>)[c] ?? null;
  }
}

/** `metadata` filter: a Python dict literal (ast.literal_eval); anything else matches nothing (DB layer). */
function metadataMatcher(raw: string): (s: SnapshotRow) => boolean {
  let want: unknown;
  try {
    want = JSON.parse(raw.replace(/'/g, '"'));
  } catch {
    want = null;
  }
  if (!want || typeof want !== 'object' || Array.isArray(want)) return () => false;
  return (s) => Object.entries(want as Record<string, unknown>).every(([k, v]) => s.metadata[k] === String(v));
}

function listSnapshots(ctx: Ctx, detail: boolean) {
  const p = parseListParams(ctx.query);
  const withCount = ctx.mv >= 45 && truthy(p.filters.get('with_count'));
  if (ctx.mv >= 45) p.filters.delete('with_count');
  if (ctx.mv >= 31) {
    // process_general_filtering('snapshot'): a non-admin's group_snapshot_id is refused here (resource_filters.json).
    rejectInvalidFilters(ctx, p.filters, 'snapshot');
    if (p.filters.has('consumes_quota')) {
      p.filters.set('use_quota', p.filters.get('consumes_quota')!);
      p.filters.delete('consumes_quota');
    }
  } else {
    // MV_ADDED_FILTERS, then remove_invalid_filter_options: a non-admin's other keys are dropped without a word.
    if (ctx.mv < 22) p.filters.delete('metadata');
    p.filters.delete('use_quota');
    removeInvalidFilterOptions(ctx, p.filters, ['status', 'volume_id', 'name', 'metadata']);
  }
  if (p.filters.has('name')) {
    p.filters.set('display_name', p.filters.get('name')!);
    p.filters.delete('name');
  }
  if (ctx.mv >= 30) p.sortKeys = p.sortKeys.map((k) => (k === 'name' ? 'display_name' : k));
  // get_all_snapshots: all_tenants is bool_from_string'd, and widens the list for admins only.
  const allTenants = ctx.caller.isAdmin && truthy(p.filters.get('all_tenants'));
  p.filters.delete('all_tenants');
  const rawMetadata = p.filters.get('metadata');
  p.filters.delete('metadata');
  const metadataOk = rawMetadata === undefined ? () => true : metadataMatcher(rawMetadata);
  const { page, total } = runList<SnapshotRow>(
    {
      items: ctx.state.inScope(ctx.state.snapshots.values(), allTenants ? null : ctx.caller.projectId).filter(metadataOk),
      columns: SNAPSHOT_COLUMNS,
      value: (s, c) => columnValue(ctx, s, c),
      requireMarker: (id) => ctx.state.requireSnapshot(id, ctx.caller),
    },
    p,
  );
  const out: Record<string, unknown> = {
    snapshots: page.map((s) => (detail ? snapshotDetail(ctx, s) : snapshotSummary(s))),
  };
  const links = nextLinks(ctx.linkBase, detail ? 'snapshots/detail' : 'snapshots', ctx.query, page);
  if (links) out.snapshots_links = links;
  if (withCount) out.count = total;
  return ok(out);
}

export const snapshotRoutes: Route[] = [
  {
    method: 'GET',
    path: ['snapshots'],
    handle: (ctx) => {
      authorize(ctx, 'volume:get_all_snapshots');
      return listSnapshots(ctx, false);
    },
  },
  {
    method: 'GET',
    path: ['snapshots', 'detail'],
    handle: (ctx) => {
      authorize(ctx, 'volume:get_all_snapshots');
      return listSnapshots(ctx, true);
    },
  },
  {
    method: 'GET',
    path: ['snapshots', ':id'],
    handle: (ctx, p) => {
      const s = ctx.state.requireSnapshot(p.id as string, ctx.caller);
      authorize(ctx, 'volume:get_snapshot', s.project_id);
      return ok({ snapshot: snapshotDetail(ctx, s) });
    },
  },
];
