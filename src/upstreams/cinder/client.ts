import type { Dispatcher } from 'undici';
import { NotSupportedError, UpstreamError } from '../../errors.js';
import type { Caller } from '../caller.js';
import { HttpClient, type HttpClientOptions, path, type Query, type UpstreamRequest } from '../http.js';
import { countOf, listIn, objectIn } from '../wire.js';
import { type DiscoveryTrigger, VersionCache, compareVersions, minVersion, readAdvertisedRange } from '../microversion.js';
import { CINDER_PAGE_LIMIT, readMarkerPages, readPagesAtOnce } from '../paging.js';
import { classifyCinderError } from './errors.js';
import { CinderGroupTypeAdmin } from './groupTypes.js';
import { CinderProject } from './project.js';
import type {
  CinderGroup,
  CinderGroupSnapshot,
  CinderGroupType,
  CinderLink,
  CinderPage,
  CinderReplicationTarget,
  CinderSnapshot,
  CinderVolume,
  CinderVolumeType,
} from './types.js';

/** The newest microversion this facade is written and tested against (Cinder Zed). */
export const CINDER_TARGET_VERSION = '3.70';

/** Oldest microversion per feature (cinder/api/microversions.py). */
export const CINDER_FEATURES = {
  groups: '3.14',
  groupSnapshotFilters: '3.29',
  groupReset: '3.20',
  groupSnapshotReset: '3.19',
  listVolume: '3.25',
  replication: '3.38',
  /** `with_count` on volume listings. */
  counts: '3.45',
} as const;

export type CinderFeature = keyof typeof CINDER_FEATURES;

const FEATURE_LABEL: Record<CinderFeature, string> = {
  groups: 'Generic volume groups',
  groupSnapshotFilters: 'Filtering and paging group snapshots',
  groupReset: 'Resetting a group status',
  groupSnapshotReset: 'Resetting a group snapshot status',
  listVolume: 'Listing group volumes',
  replication: 'Group replication',
  counts: 'Counting volumes',
};

export interface ListOptions {
  limit: number;
  marker?: string;
  /** Items to skip (after the marker, if any): how sorted pages are read (see Query.ts sortedByOffset). */
  offset?: number;
  filters?: Query;
}

/** Listings of a project's objects (not types): an admin's allProjects request reads them across projects. */
const PROJECT_LISTINGS = new Set([
  '/groups/detail',
  '/groups',
  '/group_snapshots/detail',
  '/group_snapshots',
  '/volumes/detail',
  '/snapshots/detail',
]);
const allTenants = (caller: Caller, p: string) => (caller.allProjects && PROJECT_LISTINGS.has(p) ? 1 : undefined);

/**
 * Type listings hold public types only unless an admin sends `is_public=none` (`_parse_is_public(None)` is True);
 * Cinder sets is_public=True for anyone else whatever is sent, so only callers who may see private types get them.
 */
const EVERY_TYPE: Query = Object.freeze({ is_public: 'none' });

/** Volume filters Cinder passes through `ast.literal_eval` whose values come from a caller as text. */
const EVALUATED_FILTERS = ['status', 'availability_zone', 'project_id'];
/** Text `literal_eval` leaves as it is (a bare name: ValueError, "assuming string"); Python's constants are not. */
const PLAIN_TEXT = /^(?!(?:True|False|None)$)[A-Za-z_][\w-]*$/;

/**
 * Volume filters as the text the caller gave: Cinder evaluates each value as a Python literal (`status: "1"` an
 * integer, a PostgreSQL error and a 500; a list literal an IN), so any value that is not plain text goes quoted.
 */
function asText(opts: ListOptions): ListOptions {
  const filters = opts.filters;
  if (!filters || !EVALUATED_FILTERS.some((k) => typeof filters[k] === 'string' && !PLAIN_TEXT.test(filters[k] as string))) return opts;
  const quoted = { ...filters };
  for (const k of EVALUATED_FILTERS) {
    const v = quoted[k];
    if (typeof v === 'string' && !PLAIN_TEXT.test(v)) quoted[k] = `'${v.replace(/[\\']/g, '\\$&')}'`;
  }
  return { ...opts, filters: quoted };
}

function hasNext(links: unknown): boolean {
  return Array.isArray(links) && (links as CinderLink[]).some((l) => l?.rel === 'next');
}

/** What one version document allows: the microversion to send, its header, and the features it has. */
class Negotiated {
  /** The microversion sent on every call: the service maximum, capped at what the facade knows. */
  readonly version: string;
  /** Sent on every call; one frozen object per version document. */
  readonly headers: Readonly<Record<string, string>>;
  private readonly has: ReadonlySet<CinderFeature>;

  constructor(max: string) {
    this.version = minVersion(max, CINDER_TARGET_VERSION);
    this.headers = Object.freeze({ 'openstack-api-version': `volume ${this.version}` });
    const features = Object.keys(CINDER_FEATURES) as CinderFeature[];
    this.has = new Set(features.filter((f) => compareVersions(this.version, CINDER_FEATURES[f]) >= 0));
  }

  supports(feature: CinderFeature): boolean {
    return this.has.has(feature);
  }

  /** This, or NotSupportedError when `feature` needs a newer Cinder. */
  need(feature: CinderFeature | undefined): this {
    if (feature !== undefined && !this.has.has(feature)) {
      throw new NotSupportedError(
        'cinder',
        `${FEATURE_LABEL[feature]} needs Cinder API ${CINDER_FEATURES[feature]}; this Cinder supports up to ${this.version}.`,
      );
    }
    return this;
  }
}

/** One typed method per Cinder endpoint the facade uses. Process-wide; the caller is passed per call. */
export class CinderClient {
  readonly http: HttpClient;
  /** Group type administration (admin-only in Cinder's policy). */
  readonly groupTypeAdmin = new CinderGroupTypeAdmin(this);
  /** The endpoint's project: its quotas and the service's availability zones. */
  readonly project = new CinderProject(this);
  private readonly negotiated: (trigger?: DiscoveryTrigger) => Negotiated | Promise<Negotiated>;
  /** The v3 entry of the last version document read: its minimum and maximum microversion. */
  private advertised: { min: string | null; max: string } | null = null;

  /** `shared`: a breaker and bulkhead shared with other endpoints of the same host (one per project with Keystone). */
  constructor(endpoint: string, agent: Dispatcher, shared?: Pick<HttpClientOptions, 'breaker' | 'bulkhead' | 'telemetry'>) {
    // A refusal because of an object's state comes as a 400 like bad input: errors.ts tells them apart.
    this.http = new HttpClient({ service: 'cinder', endpoint, agent, classify: classifyCinderError, ...shared });
    this.negotiated = new VersionCache('cinder', (trigger) => this.discoverMax(trigger)).negotiated((max) => new Negotiated(max));
  }

  private async discoverMax(trigger?: DiscoveryTrigger): Promise<string> {
    this.advertised = await readAdvertisedRange(this.http, trigger, 'v3', 'cinder');
    return this.advertised.max;
  }

  /** The advertised microversion range and the one sent, from the (cached) version document: the start-up log. */
  async apiVersions(): Promise<{ min: string | null; max: string; sent: string }> {
    const n = await this.negotiated();
    return { min: this.advertised?.min ?? null, max: this.advertised?.max ?? n.version, sent: n.version };
  }

  /** The negotiated microversion, checked for `feature` (NotSupportedError when this Cinder is too old). */
  private negotiation(caller: Caller, feature?: CinderFeature): Negotiated | Promise<Negotiated> {
    const n = this.negotiated(caller);
    return n instanceof Promise ? n.then((m) => m.need(feature)) : n.need(feature);
  }

  private call(caller: Caller, n: Negotiated, req: Omit<UpstreamRequest, 'token' | 'requestId'>) {
    return this.http.as(caller, { ...req, headers: n.headers });
  }

  /** One call at the negotiated microversion, checked for `feature`: for the companion classes (groupTypes.ts, project.ts). */
  async request(caller: Caller, req: Omit<UpstreamRequest, 'token' | 'requestId'>, feature?: CinderFeature) {
    return this.call(caller, await this.negotiation(caller, feature), req);
  }

  private async page<T>(caller: Caller, n: Negotiated, p: string, key: string, linksKey: string, opts: ListOptions, extra?: Query) {
    // No with_count: Cinder honours it on volumes only; on groups an admin's unknown filter empties the list.
    const res = await this.call(caller, n, {
      method: 'GET',
      path: p,
      query: {
        ...extra,
        ...opts.filters,
        limit: opts.limit,
        marker: opts.marker,
        offset: opts.offset || undefined,
        all_tenants: allTenants(caller, p),
      },
    });
    const body = (res.json ?? {}) as Record<string, unknown>;
    const page: CinderPage<T> = {
      items: listIn<T>('cinder', res, key),
      hasNextLink: hasNext(body[linksKey]),
      count: countOf(body.count) ?? undefined,
    };
    return page;
  }

  // ---- groups
  /**
   * `withVolumes`: each group's volume ids too (`list_volume`), which costs Cinder a volume query per group: a
   * page of 1000 took it 6 to 8 s against 3 s without. Asked for when the page's volumes are.
   */
  async listGroups(caller: Caller, opts: ListOptions, withVolumes = true): Promise<CinderPage<CinderGroup>> {
    const n = await this.negotiation(caller, 'groups');
    const listVolume = (withVolumes && n.supports('listVolume')) || undefined;
    const page = await this.page<CinderGroup>(caller, n, '/groups/detail', 'groups', 'group_links', opts, { list_volume: listVolume });
    page.items.forEach(withVolumeIds);
    return page;
  }

  /** Summary listing ({id, name} items): the cheapest way to count groups, which Cinder cannot count itself. */
  async listGroupSummaries(caller: Caller, opts: ListOptions): Promise<CinderPage<{ id: string }>> {
    const n = await this.negotiation(caller, 'groups');
    return this.page(caller, n, '/groups', 'groups', 'group_links', opts);
  }

  async showGroup(caller: Caller, id: string): Promise<CinderGroup> {
    const n = await this.negotiation(caller, 'groups');
    const listVolume = n.supports('listVolume') || undefined;
    const res = await this.call(caller, n, { method: 'GET', path: path`/groups/${id}`, query: { list_volume: listVolume } });
    return withVolumeIds(objectIn<CinderGroup>('cinder', res, 'group'));
  }

  async createGroup(caller: Caller, body: Record<string, unknown>): Promise<{ id: string }> {
    const n = await this.negotiation(caller, 'groups');
    const res = await this.call(caller, n, { method: 'POST', path: '/groups', body: { group: body } });
    return objectIn<{ id: string }>('cinder', res, 'group', true);
  }

  async createGroupFromSource(caller: Caller, body: Record<string, unknown>): Promise<{ id: string }> {
    const n = await this.negotiation(caller, 'groups');
    const res = await this.call(caller, n, { method: 'POST', path: '/groups/action', body: { 'create-from-src': body } });
    return objectIn<{ id: string }>('cinder', res, 'group', true);
  }

  async updateGroup(caller: Caller, id: string, body: Record<string, unknown>): Promise<void> {
    const n = await this.negotiation(caller, 'groups');
    await this.call(caller, n, { method: 'PUT', path: path`/groups/${id}`, body: { group: body } });
  }

  /** POST /groups/{id}/action; Cinder has no working DELETE /groups/{id} (500 on Zed). */
  async groupAction(caller: Caller, id: string, action: string, args: unknown, feature: CinderFeature = 'groups') {
    const n = await this.negotiation(caller, feature);
    return this.call(caller, n, { method: 'POST', path: path`/groups/${id}/action`, body: { [action]: args } });
  }

  async listReplicationTargets(caller: Caller, id: string): Promise<CinderReplicationTarget[]> {
    const n = await this.negotiation(caller, 'replication');
    // An action only by its route: it changes nothing, so its failures are a read's.
    const res = await this.call(caller, n, { method: 'POST', path: path`/groups/${id}/action`, body: { list_replication_targets: {} }, readOnly: true });
    // The api-ref sample shows an object; the server sends an array.
    const targets = (res.json as { replication_targets?: unknown } | undefined)?.replication_targets;
    return Array.isArray(targets) ? (targets as CinderReplicationTarget[]) : [];
  }

  // ---- group snapshots
  async listGroupSnapshots(caller: Caller, opts: ListOptions): Promise<CinderPage<CinderGroupSnapshot>> {
    // Below 3.29 Cinder ignores every query parameter here and its next link loops forever.
    const n = await this.negotiation(caller, 'groupSnapshotFilters');
    return this.page(caller, n, '/group_snapshots/detail', 'group_snapshots', 'group_snapshot_links', opts);
  }

  async listGroupSnapshotSummaries(caller: Caller, opts: ListOptions): Promise<CinderPage<{ id: string }>> {
    const n = await this.negotiation(caller, 'groupSnapshotFilters');
    return this.page(caller, n, '/group_snapshots', 'group_snapshots', 'group_snapshot_links', opts);
  }

  async showGroupSnapshot(caller: Caller, id: string): Promise<CinderGroupSnapshot> {
    const n = await this.negotiation(caller, 'groups');
    const res = await this.call(caller, n, { method: 'GET', path: path`/group_snapshots/${id}` });
    return objectIn<CinderGroupSnapshot>('cinder', res, 'group_snapshot');
  }

  async createGroupSnapshot(caller: Caller, body: Record<string, unknown>): Promise<{ id: string }> {
    const n = await this.negotiation(caller, 'groups');
    const res = await this.call(caller, n, { method: 'POST', path: '/group_snapshots', body: { group_snapshot: body } });
    return objectIn<{ id: string }>('cinder', res, 'group_snapshot', true);
  }

  async deleteGroupSnapshot(caller: Caller, id: string): Promise<void> {
    const n = await this.negotiation(caller, 'groups');
    await this.call(caller, n, { method: 'DELETE', path: path`/group_snapshots/${id}` });
  }

  async resetGroupSnapshotStatus(caller: Caller, id: string, status: string): Promise<void> {
    const n = await this.negotiation(caller, 'groupSnapshotReset');
    await this.call(caller, n, {
      method: 'POST',
      path: path`/group_snapshots/${id}/action`,
      body: { reset_status: { status } },
    });
  }

  // ---- types
  async listGroupTypes(caller: Caller, opts: ListOptions): Promise<CinderPage<CinderGroupType>> {
    const n = await this.negotiation(caller, 'groups');
    return this.page(caller, n, '/group_types', 'group_types', 'group_type_links', opts, EVERY_TYPE);
  }

  async showGroupType(caller: Caller, id: string): Promise<CinderGroupType> {
    const n = await this.negotiation(caller, 'groups');
    const res = await this.call(caller, n, { method: 'GET', path: path`/group_types/${id}` });
    return objectIn<CinderGroupType>('cinder', res, 'group_type');
  }

  async listVolumeTypes(caller: Caller, opts: ListOptions): Promise<CinderPage<CinderVolumeType>> {
    const n = await this.negotiation(caller);
    return this.page(caller, n, '/types', 'volume_types', 'volume_type_links', opts, EVERY_TYPE);
  }

  async showVolumeType(caller: Caller, id: string): Promise<CinderVolumeType> {
    const n = await this.negotiation(caller);
    const res = await this.call(caller, n, { method: 'GET', path: path`/types/${id}` });
    return objectIn<CinderVolumeType>('cinder', res, 'volume_type');
  }

  // ---- volumes
  async listVolumes(caller: Caller, opts: ListOptions): Promise<CinderPage<CinderVolume>> {
    const n = await this.negotiation(caller);
    return this.page(caller, n, '/volumes/detail', 'volumes', 'volumes_links', asText(opts));
  }

  /** A page of volumes with the listing's `count` (one COUNT query more in Cinder, no extra call). */
  async listVolumesCounted(caller: Caller, opts: ListOptions): Promise<CinderPage<CinderVolume>> {
    const n = await this.negotiation(caller, 'counts');
    return this.page(caller, n, '/volumes/detail', 'volumes', 'volumes_links', asText(opts), { with_count: true });
  }

  /**
   * A page of volumes, with the listing's `count` where this Cinder gives one (3.45): what a full listing read to
   * partition costs is then known exactly even when the read stopped short of it.
   */
  async listVolumesCountedIfAble(caller: Caller, opts: ListOptions): Promise<CinderPage<CinderVolume>> {
    const n = await this.negotiation(caller);
    const count = n.supports('counts') ? { with_count: true } : undefined;
    return this.page(caller, n, '/volumes/detail', 'volumes', 'volumes_links', asText(opts), count);
  }

  /** `group_id` in the body needs 3.13 (create_volume_v313); 202 with the new volume, usually `creating`. */
  async createVolume(caller: Caller, body: Record<string, unknown>): Promise<{ id: string }> {
    const n = await this.negotiation(caller, body.group_id === undefined ? undefined : 'groups');
    const res = await this.call(caller, n, { method: 'POST', path: '/volumes', body: { volume: body } });
    return objectIn<{ id: string }>('cinder', res, 'volume', true);
  }

  async deleteVolume(caller: Caller, id: string): Promise<void> {
    const n = await this.negotiation(caller);
    await this.call(caller, n, { method: 'DELETE', path: path`/volumes/${id}` });
  }

  // ---- volume snapshots (group_snapshot_id in the detail view from 3.14)
  async listSnapshots(caller: Caller, opts: ListOptions): Promise<CinderPage<CinderSnapshot>> {
    const n = await this.negotiation(caller, 'groups');
    return this.page(caller, n, '/snapshots/detail', 'snapshots', 'snapshots_links', opts);
  }

  async showVolume(caller: Caller, id: string): Promise<CinderVolume> {
    const n = await this.negotiation(caller);
    const res = await this.call(caller, n, { method: 'GET', path: path`/volumes/${id}` });
    return objectIn<CinderVolume>('cinder', res, 'volume');
  }

  /** Counts a listing by reading its summary pages; null past `max` items rather than reading without bound. */
  async count(list: (opts: ListOptions) => Promise<CinderPage<{ id: string }>>, filters?: Query, max = 10_000): Promise<number | null> {
    const out = await readMarkerPages('cinder', (limit, marker) => list({ limit: Math.min(limit, 1000), marker, filters }), max + 1, undefined);
    return out.items.length > max ? null : out.items.length;
  }

  /**
   * Every item of a listing, following pages (bounded). With `expected` (how many items the listing held last
   * time) past one page, its pages are read at once by offset (see readPagesAtOnce); then on by marker when the
   * listing has grown, or from the start by marker when the pages did not line up.
   */
  async listAll<T extends { id: string }>(
    list: (opts: ListOptions) => Promise<CinderPage<T>>,
    filters?: Query,
    maxItems = 10_000,
    expected = 0,
  ): Promise<T[]> {
    const byMarker = (want: number, after?: string) =>
      readMarkerPages('cinder', (limit, marker) => list({ limit: Math.min(limit, CINDER_PAGE_LIMIT), marker, filters }), want, after);
    const needed = Math.min(maxItems, expected + 1);
    if (needed > CINDER_PAGE_LIMIT) {
      const read = await readPagesAtOnce((offset, limit) => list({ limit, offset: offset || undefined, filters }), needed);
      const last = read?.items[read.items.length - 1];
      if (read && (read.ended || read.items.length >= maxItems || !last)) return read.items;
      if (read && last) return [...read.items, ...(await byMarker(maxItems - read.items.length, last.id)).items];
    }
    return (await byMarker(maxItems)).items;
  }
}

/**
 * A group's `volumes` (list_volume) kept only as a list of ids: anything else is left out, as when not asked for,
 * and the planner reads the volumes instead (a string there made every group's volumes an internal error).
 */
function withVolumeIds(g: CinderGroup): CinderGroup {
  const volumes: unknown = g.volumes;
  if (volumes !== undefined && !(Array.isArray(volumes) && volumes.every((v) => typeof v === 'string'))) delete g.volumes;
  return g;
}
