// View builders (cinder/api/v3/views/*.py and the contrib extensions): which keys appear at which
// microversion, and which only to callers a policy lets see them (project_id ≥3.58, group_specs, sensitive
// extra_specs, qos_specs_id, host and migration attributes are admin-only by default).
import type { Ctx } from './context.js';
import { can } from './policy.js';
import type { GroupRow, GroupSnapshotRow, GroupTypeRow, SnapshotRow, VolumeRow, VolumeTypeRow } from './state.js';

export function groupSummary(g: GroupRow): Record<string, unknown> {
  return { id: g.id, name: g.name };
}

export function groupDetail(ctx: Ctx, g: GroupRow, listVolume: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: g.id,
    status: g.status,
    availability_zone: g.availability_zone,
    created_at: g.created_at,
    name: g.name,
    description: g.description,
    group_type: g.group_type_id,
    volume_types: [...g.volume_type_ids],
  };
  if (ctx.mv >= 14) {
    out.group_snapshot_id = g.group_snapshot_id;
    out.source_group_id = g.source_group_id;
  }
  if (ctx.mv >= 25 && listVolume) out.volumes = ctx.state.groupVolumes(g.id).map((v) => v.id);
  if (ctx.mv >= 38) out.replication_status = g.replication_status;
  if (ctx.mv >= 58 && can(ctx, 'group:group_project_attribute')) out.project_id = g.project_id;
  return out;
}

export function groupSnapshotSummary(s: GroupSnapshotRow): Record<string, unknown> {
  return { id: s.id, name: s.name };
}

export function groupSnapshotDetail(ctx: Ctx, s: GroupSnapshotRow): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: s.id,
    group_id: s.group_id,
    group_type_id: s.group_type_id,
    status: s.status,
    created_at: s.created_at,
    name: s.name,
    description: s.description,
  };
  if (ctx.mv >= 58 && can(ctx, 'group:group_snapshot_project_attribute')) out.project_id = s.project_id;
  return out;
}

export function groupTypeView(ctx: Ctx, t: GroupTypeRow): Record<string, unknown> {
  const out: Record<string, unknown> = { id: t.id, name: t.name, description: t.description, is_public: t.is_public };
  if (can(ctx, 'group:access_group_types_specs')) out.group_specs = { ...t.group_specs };
  return out;
}

/** type_extra_specs.USER_VISIBLE_EXTRA_SPECS: what a caller without read_sensitive sees of extra_specs. */
const USER_VISIBLE_EXTRA_SPECS = ['RESKEY:availability_zones', 'multiattach', 'replication_enabled'];

export function volumeTypeView(ctx: Ctx, t: VolumeTypeRow): Record<string, unknown> {
  const specs = can(ctx, 'volume_extension:types_extra_specs:read_sensitive')
    ? { ...t.extra_specs }
    : Object.fromEntries(USER_VISIBLE_EXTRA_SPECS.filter((k) => k in t.extra_specs).map((k) => [k, t.extra_specs[k]]));
  const out: Record<string, unknown> = {
    id: t.id,
    name: t.name,
    is_public: t.is_public,
    description: t.description,
    extra_specs: specs,
  };
  if (can(ctx, 'volume_extension:access_types_qos_specs_id')) out.qos_specs_id = null;
  if (can(ctx, 'volume_extension:volume_type_access')) out['os-volume-type-access:is_public'] = t.is_public;
  return out;
}

function volumeLinks(ctx: Ctx, v: VolumeRow) {
  return [
    { rel: 'self', href: `${ctx.linkBase}/volumes/${v.id}` },
    { rel: 'bookmark', href: `${ctx.bookmarkBase}/volumes/${v.id}` },
  ];
}

export function volumeSummary(ctx: Ctx, v: VolumeRow): Record<string, unknown> {
  return { id: v.id, name: v.name, links: volumeLinks(ctx, v) };
}

export function volumeDetail(ctx: Ctx, v: VolumeRow): Record<string, unknown> {
  const type = ctx.state.volumeTypes.get(v.volume_type_id);
  const out: Record<string, unknown> = {
    id: v.id,
    status: v.status,
    size: v.size,
    availability_zone: v.availability_zone,
    created_at: v.created_at,
    updated_at: v.updated_at,
    attachments: [],
    name: v.name,
    description: v.description,
    volume_type: type?.name ?? null,
    snapshot_id: v.snapshot_id,
    source_volid: v.source_volid,
    metadata: { ...v.metadata },
    links: volumeLinks(ctx, v),
    user_id: v.user_id,
    bootable: v.bootable ? 'true' : 'false',
    encrypted: false,
    replication_status: v.replication_status,
    consistencygroup_id: null,
    multiattach: v.multiattach,
  };
  // cinder/api/v2/views/volumes.py and v3: these follow context.is_admin, not a named policy.
  const admin = ctx.caller.isAdmin;
  if (admin) out.migration_status = v.migration_status;
  if (can(ctx, 'volume_extension:volume_host_attribute')) out['os-vol-host-attr:host'] = v.host;
  if (can(ctx, 'volume_extension:volume_mig_status_attribute')) {
    out['os-vol-mig-status-attr:migstat'] = v.migration_status;
    out['os-vol-mig-status-attr:name_id'] = null;
  }
  out['os-vol-tenant-attr:tenant_id'] = v.project_id;
  if (ctx.mv >= 13) out.group_id = v.group_id;
  if (ctx.mv >= 21 && admin) out.provider_id = null;
  if (ctx.mv >= 48) {
    out.shared_targets = false;
    out.service_uuid = v.host ? '5f1c6a8e-2b7d-4e39-9a0c-7d3e1f2a4b6c' : null;
  }
  if (ctx.mv >= 61 && admin) out.cluster_name = null;
  if (ctx.mv >= 63) out.volume_type_id = v.volume_type_id;
  if (ctx.mv >= 65) out.consumes_quota = true;
  return out;
}

/** cinder/api/views/snapshots.py summary: what `/snapshots` lists (no extension adds to it). */
export function snapshotSummary(s: SnapshotRow): Record<string, unknown> {
  return {
    id: s.id,
    created_at: s.created_at,
    updated_at: s.updated_at,
    name: s.name,
    description: s.description,
    volume_id: s.volume_id,
    status: s.status,
    size: s.size,
    metadata: { ...s.metadata },
  };
}

/** v3 detail (`/snapshots/detail`, show): group_snapshot_id 3.14+, user_id 3.41+, consumes_quota 3.65+, extension attributes. */
export function snapshotDetail(ctx: Ctx, s: SnapshotRow): Record<string, unknown> {
  const out = snapshotSummary(s);
  if (ctx.mv >= 14) out.group_snapshot_id = s.group_snapshot_id;
  if (ctx.mv >= 41) out.user_id = s.user_id;
  if (ctx.mv >= 65) out.consumes_quota = s.use_quota;
  if (can(ctx, 'volume_extension:extended_snapshot_attributes', s.project_id)) {
    out['os-extended-snapshot-attributes:project_id'] = s.project_id;
    out['os-extended-snapshot-attributes:progress'] = s.progress;
  }
  return out;
}
