import type { Dispatcher } from 'undici';
import { NotSupportedError, UpstreamError } from '../../errors.js';
import type { Caller } from '../caller.js';
import { HttpClient, type HttpClientOptions, path, type Query, type UpstreamRequest } from '../http.js';
import { arrayIn, listIn, objectIn } from '../wire.js';
import { type DiscoveryTrigger, VersionCache, compareVersions, minVersion, readAdvertisedRange } from '../microversion.js';
import { readPagesAtOnce } from '../paging.js';
import { MANILA_REQUEST_LIMIT, PageCap, readOffsetPages } from './paging.js';
import type {
  ManilaAvailabilityZone,
  ManilaQuotaSet,
  ManilaShare,
  ManilaShareGroup,
  ManilaShareGroupSnapshot,
  ManilaShareGroupType,
  ManilaShareNetwork,
  ManilaShareType,
} from './types.js';

/** The newest microversion this facade is written and tested against (Manila Zed). Manila has no `latest`. */
export const MANILA_TARGET_VERSION = '2.73';

/** Microversions that matter (manila/api/openstack/api_version_request.py). */
export const MANILA_VERSIONS = {
  consistencyGroups: '2.4',
  /** Bare `reset_status` / `force_delete` action names; `os-` prefixed below. */
  bareActions: '2.7',
  shareGroups: '2.31',
  /** `name~` / `description~` on share-group lists; silently dropped below. */
  likeFilters: '2.36',
  /** Share groups no longer need the experimental header. */
  shareGroupsGraduated: '2.55',
  /** `/availability-zones` and `/quota-sets` (`os-` prefixed below). */
  modernUrls: '2.7',
  /** `GET /quota-sets/{project}/detail`: limit, in use and reserved. */
  quotaDetail: '2.25',
  /** Share group and share group snapshot quotas in the quota set. */
  shareGroupQuotas: '2.40',
} as const;

/** Which API a call belongs to: decides the experimental header. */
export type CallKind = 'share-groups' | 'consistency-groups' | 'shares' | 'plain';

const EXPERIMENTAL = 'x-openstack-manila-api-experimental';

export interface ListOptions {
  limit: number;
  offset: number;
  filters?: Query;
}

/** A Manila 400 whose message says a referenced object is missing (e.g. a snapshot's share group). */
export function missingParent(status: number, message: string): boolean {
  return status === 400 && /\b(could not be found|not found)\b/i.test(message);
}

/**
 * A refusal because of the object's state, which Manila sends as 403 or 400 rather than 409: a share delete
 * (`InvalidShare`, 403 "Invalid share: %(reason)s." on Zed; "Share is busy"), a share create into a group that is
 * not available (400), a share group type still used by share groups (400 "… is still in use.").
 */
export function stateRefusal(status: number, message: string): boolean {
  if (status === 403) return /^Invalid share\b/i.test(message);
  return status === 400 && /(\bis still in use\b|^Share group status must be\b|^Share is busy\b)/i.test(message);
}

/** What one version document allows: the microversion to send, and the headers of each kind of call. */
class Negotiated {
  readonly version: string;
  /** Share groups exist from 2.31. */
  readonly shareGroups: boolean;
  /** Legacy consistency groups exist from 2.4 until share groups replaced them (2.31). */
  readonly consistencyGroups: boolean;
  /** One frozen header object per kind of call, sent as is. */
  readonly headers: Readonly<Record<CallKind, Readonly<Record<string, string>>>>;

  constructor(max: string) {
    const v = minVersion(max, MANILA_TARGET_VERSION);
    this.version = v;
    this.shareGroups = compareVersions(v, MANILA_VERSIONS.shareGroups) >= 0;
    const inRange = (lo: string, hiExclusive: string) => compareVersions(v, lo) >= 0 && compareVersions(v, hiExclusive) < 0;
    const sg = inRange(MANILA_VERSIONS.shareGroups, MANILA_VERSIONS.shareGroupsGraduated);
    const cg = inRange(MANILA_VERSIONS.consistencyGroups, MANILA_VERSIONS.shareGroups);
    this.consistencyGroups = cg;
    const plain = Object.freeze({ 'x-openstack-manila-api-version': v });
    const experimental = Object.freeze({ ...plain, [EXPERIMENTAL]: 'True' });
    this.headers = Object.freeze({
      'share-groups': sg ? experimental : plain,
      'consistency-groups': cg ? experimental : plain,
      // A share's share_group_id (2.31–2.54) or consistency_group_id (2.4–2.30) is shown only with the header.
      shares: sg || cg ? experimental : plain,
      plain,
    });
  }
}

/** One typed method per Manila endpoint the facade uses. Process-wide; the caller is passed per call. */
export class ManilaClient {
  readonly http: HttpClient;
  readonly cap = new PageCap();
  /** The negotiated microversion and per-kind headers (see VersionCache.negotiated). */
  private readonly negotiation: (trigger?: DiscoveryTrigger) => Negotiated | Promise<Negotiated>;
  /** The v2 entry of the last version document read: its minimum and maximum microversion. */
  private advertised: { min: string | null; max: string } | null = null;

  /** `shared`: a breaker and bulkhead shared with other endpoints of the same host (one per project with Keystone). */
  constructor(endpoint: string, agent: Dispatcher, shared?: Pick<HttpClientOptions, 'breaker' | 'bulkhead' | 'telemetry'>) {
    // Manila answers "missing parent" with 400 (share-group-snapshot create, create from a snapshot), and some
    // refusals because of an object's state with 403 or 400: one code per situation.
    this.http = new HttpClient({
      service: 'manila',
      endpoint,
      agent,
      classify: (status, _code, message) =>
        missingParent(status, message) ? 'NOT_FOUND' : stateRefusal(status, message) ? 'CONFLICT' : undefined,
      ...shared,
    });
    this.negotiation = new VersionCache('manila', (trigger) => this.discoverMax(trigger)).negotiated((max) => new Negotiated(max));
  }

  private async discoverMax(trigger?: DiscoveryTrigger): Promise<string> {
    this.advertised = await readAdvertisedRange(this.http, trigger, 'v2', 'manila');
    return this.advertised.max;
  }

  /** The advertised microversion range and the one sent, from the (cached) version document: the start-up log. */
  async apiVersions(): Promise<{ min: string | null; max: string; sent: string }> {
    const n = await this.negotiation();
    return { min: this.advertised?.min ?? null, max: this.advertised?.max ?? n.version, sent: n.version };
  }

  /** The microversion sent on every call: the service maximum, capped at what the facade knows. */
  async version(caller: Caller): Promise<string> {
    return (await this.negotiation(caller)).version;
  }

  async atLeast(caller: Caller, v: string): Promise<boolean> {
    return compareVersions(await this.version(caller), v) >= 0;
  }

  /** Share groups exist from 2.31; an older Manila offers consistency groups instead. */
  async requireShareGroups(caller: Caller): Promise<void> {
    const n = await this.negotiation(caller);
    if (!n.shareGroups) {
      throw new NotSupportedError(
        'manila',
        `Share groups need Manila API ${MANILA_VERSIONS.shareGroups}; this Manila supports up to ${n.version}. ` +
          'It offers consistency groups instead: use consistencyGroup, consistencyGroups and the consistency group mutations.',
      );
    }
  }

  /** Consistency groups exist only on a Manila whose maximum is 2.4–2.30 (removed in Ocata, manila 4.0.0). */
  async requireConsistencyGroups(caller: Caller): Promise<void> {
    const n = await this.negotiation(caller);
    if (n.shareGroups) {
      throw new NotSupportedError(
        'manila',
        `Consistency groups are not supported by this Manila (API up to ${n.version}): Manila replaced them with share groups ` +
          'in API 2.31. Use shareGroup, shareGroups and the share group mutations instead.',
      );
    }
    if (!n.consistencyGroups) {
      throw new NotSupportedError('manila', `Consistency groups need Manila API 2.4; this Manila supports up to ${n.version}.`);
    }
  }

  async call(caller: Caller, kind: CallKind, req: Omit<UpstreamRequest, 'token' | 'requestId'>) {
    const n = this.negotiation(caller);
    const { headers } = n instanceof Promise ? await n : n;
    return this.http.as(caller, { ...req, headers: headers[kind] });
  }

  async list<T>(caller: Caller, kind: CallKind, p: string, key: string, opts: ListOptions): Promise<T[]> {
    const res = await this.call(caller, kind, {
      method: 'GET',
      path: p,
      // An admin's allProjects request reads every project's objects (see Caller.allProjects).
      query: { ...opts.filters, limit: opts.limit, offset: opts.offset, all_tenants: caller.allProjects ? 1 : undefined },
    });
    return listIn<T>('manila', res, key);
  }

  async show<T>(caller: Caller, kind: CallKind, p: string, key: string): Promise<T> {
    const res = await this.call(caller, kind, { method: 'GET', path: p });
    return objectIn<T>('manila', res, key);
  }

  /**
   * Reads `want` items from `offset` of a listing, asking again whenever Manila cut a page short. With `expected`
   * (how many items the listing held last time) past one page, and a Manila known to answer that many at once,
   * the pages leave together (see readPagesAtOnce), then it reads on from where they ended.
   */
  async read<T extends { id: string }>(list: (o: ListOptions) => Promise<T[]>, offset: number, want: number, filters?: Query, expected = 0) {
    const needed = Math.min(want, expected - offset + 1);
    if (needed > MANILA_REQUEST_LIMIT && this.cap.atLeast >= MANILA_REQUEST_LIMIT) {
      // Manila sends no usable next link: a page shorter than asked, within what it answers at once, is the end.
      const fetchAt = async (off: number, limit: number) => ({ items: await list({ limit, offset: offset + off, filters }), hasNextLink: false });
      const atOnce = await readPagesAtOnce(fetchAt, needed, MANILA_REQUEST_LIMIT);
      if (atOnce && (atOnce.ended || atOnce.items.length >= want)) {
        return { items: atOnce.items, positions: atOnce.items.map((_, i) => offset + i), exhausted: atOnce.ended };
      }
    }
    return readOffsetPages((limit, off) => list({ limit, offset: off, filters }), offset, want, this.cap);
  }

  /** Every item of a listing (bounded): `maxItems` + 1 read tells the caller it was cut. */
  async listAll<T extends { id: string }>(list: (o: ListOptions) => Promise<T[]>, filters?: Query, maxItems = 10_000, expected = 0): Promise<T[]> {
    return (await this.read(list, 0, maxItems, filters, expected)).items;
  }

  /** Counts a listing by reading its summary pages; null past `max` items rather than reading without bound. */
  async count(list: (o: ListOptions) => Promise<{ id: string }[]>, filters?: Query, max = 10_000): Promise<number | null> {
    const out = await this.read(list, 0, max + 1, filters);
    return out.items.length > max ? null : out.items.length;
  }

  // ---- share groups (Zed routes are hyphenated: /share_groups is a router 404)
  async listShareGroups(caller: Caller, o: ListOptions): Promise<ManilaShareGroup[]> {
    await this.requireShareGroups(caller);
    return this.list(caller, 'share-groups', '/share-groups/detail', 'share_groups', o);
  }

  async listShareGroupSummaries(caller: Caller, o: ListOptions): Promise<{ id: string }[]> {
    await this.requireShareGroups(caller);
    return this.list(caller, 'share-groups', '/share-groups', 'share_groups', o);
  }

  async showShareGroup(caller: Caller, id: string): Promise<ManilaShareGroup> {
    await this.requireShareGroups(caller);
    return this.show(caller, 'share-groups', path`/share-groups/${id}`, 'share_group');
  }

  async createShareGroup(caller: Caller, body: Record<string, unknown>): Promise<ManilaShareGroup> {
    await this.requireShareGroups(caller);
    const res = await this.call(caller, 'share-groups', { method: 'POST', path: '/share-groups', body: { share_group: body } });
    return objectIn<ManilaShareGroup>('manila', res, 'share_group', true);
  }

  async updateShareGroup(caller: Caller, id: string, body: Record<string, unknown>): Promise<void> {
    await this.requireShareGroups(caller);
    await this.call(caller, 'share-groups', { method: 'PUT', path: path`/share-groups/${id}`, body: { share_group: body } });
  }

  /** Plain DELETE: Manila has no `force` parameter here (the api-ref's is ignored); force is an admin action. */
  async deleteShareGroup(caller: Caller, id: string): Promise<void> {
    await this.requireShareGroups(caller);
    await this.call(caller, 'share-groups', { method: 'DELETE', path: path`/share-groups/${id}` });
  }

  /** `reset_status` or `force_delete` (the `os-` names give 400 on share groups). */
  async shareGroupAction(caller: Caller, id: string, action: 'reset_status' | 'force_delete', args: unknown): Promise<void> {
    await this.requireShareGroups(caller);
    await this.call(caller, 'share-groups', { method: 'POST', path: path`/share-groups/${id}/action`, body: { [action]: args } });
  }

  // ---- share group snapshots
  async listShareGroupSnapshots(caller: Caller, o: ListOptions): Promise<ManilaShareGroupSnapshot[]> {
    await this.requireShareGroups(caller);
    return this.list(caller, 'share-groups', '/share-group-snapshots/detail', 'share_group_snapshots', o);
  }

  async listShareGroupSnapshotSummaries(caller: Caller, o: ListOptions): Promise<{ id: string }[]> {
    await this.requireShareGroups(caller);
    return this.list(caller, 'share-groups', '/share-group-snapshots', 'share_group_snapshots', o);
  }

  async showShareGroupSnapshot(caller: Caller, id: string): Promise<ManilaShareGroupSnapshot> {
    await this.requireShareGroups(caller);
    return this.show(caller, 'share-groups', path`/share-group-snapshots/${id}`, 'share_group_snapshot');
  }

  async createShareGroupSnapshot(caller: Caller, body: Record<string, unknown>): Promise<ManilaShareGroupSnapshot> {
    await this.requireShareGroups(caller);
    const res = await this.call(caller, 'share-groups', {
      method: 'POST',
      path: '/share-group-snapshots',
      body: { share_group_snapshot: body },
    });
    return objectIn<ManilaShareGroupSnapshot>('manila', res, 'share_group_snapshot', true);
  }

  async updateShareGroupSnapshot(caller: Caller, id: string, body: Record<string, unknown>): Promise<void> {
    await this.requireShareGroups(caller);
    await this.call(caller, 'share-groups', {
      method: 'PUT',
      path: path`/share-group-snapshots/${id}`,
      body: { share_group_snapshot: body },
    });
  }

  async deleteShareGroupSnapshot(caller: Caller, id: string): Promise<void> {
    await this.requireShareGroups(caller);
    await this.call(caller, 'share-groups', { method: 'DELETE', path: path`/share-group-snapshots/${id}` });
  }

  async shareGroupSnapshotAction(caller: Caller, id: string, action: 'reset_status' | 'force_delete', args: unknown) {
    await this.requireShareGroups(caller);
    await this.call(caller, 'share-groups', {
      method: 'POST',
      path: path`/share-group-snapshots/${id}/action`,
      body: { [action]: args },
    });
  }

  // ---- types (share group types have no paging and no links)
  async listShareGroupTypes(caller: Caller): Promise<ManilaShareGroupType[]> {
    await this.requireShareGroups(caller);
    // `is_public=all` is honoured for admins (private types too) and ignored for everyone else.
    const res = await this.call(caller, 'share-groups', { method: 'GET', path: '/share-group-types', query: { is_public: 'all' } });
    return listIn<ManilaShareGroupType>('manila', res, 'share_group_types');
  }

  async showShareGroupType(caller: Caller, id: string): Promise<ManilaShareGroupType> {
    await this.requireShareGroups(caller);
    return this.show(caller, 'share-groups', path`/share-group-types/${id}`, 'share_group_type');
  }

  async listShareTypes(caller: Caller): Promise<ManilaShareType[]> {
    const res = await this.call(caller, 'plain', { method: 'GET', path: '/types', query: { is_public: 'all' } });
    return listIn<ManilaShareType>('manila', res, 'share_types');
  }

  showShareType(caller: Caller, id: string): Promise<ManilaShareType> {
    return this.show(caller, 'plain', path`/types/${id}`, 'share_type');
  }

  // ---- share networks and shares
  showShareNetwork(caller: Caller, id: string): Promise<ManilaShareNetwork> {
    return this.show(caller, 'plain', path`/share-networks/${id}`, 'share_network');
  }

  listShareNetworks(caller: Caller, o: ListOptions): Promise<ManilaShareNetwork[]> {
    return this.list(caller, 'plain', '/share-networks/detail', 'share_networks', o);
  }

  listShares(caller: Caller, o: ListOptions): Promise<ManilaShare[]> {
    return this.list(caller, 'shares', '/shares/detail', 'shares', o);
  }

  listShareSummaries(caller: Caller, o: ListOptions): Promise<{ id: string }[]> {
    return this.list(caller, 'shares', '/shares', 'shares', o);
  }

  /** 200 with the share (`creating`); `share_group_id` counts from 2.31 and is dropped silently below. */
  async createShare(caller: Caller, body: Record<string, unknown>): Promise<ManilaShare> {
    const res = await this.call(caller, 'shares', { method: 'POST', path: '/shares', body: { share: body } });
    return objectIn<ManilaShare>('manila', res, 'share', true);
  }

  /** A share in a share group is deleted only with the group's id as a query parameter (else 400). */
  async deleteShare(caller: Caller, id: string, shareGroupId: string | null): Promise<void> {
    await this.call(caller, 'shares', {
      method: 'DELETE',
      path: path`/shares/${id}`,
      query: shareGroupId ? { share_group_id: shareGroupId } : undefined,
    });
  }

  // ---- the caller's project: quotas and availability zones
  /**
   * The project the endpoint is scoped to (`/v2/{project_id}`): quota sets are addressed by project. From 2.60
   * Manila routes without it too, so an endpoint may lack it: then quotas cannot be asked for.
   */
  projectId(): string {
    // Asked for every parent of a screen (is it the caller's project?): the endpoint never changes.
    this.endpointProject ??= this.projectInEndpoint();
    return this.endpointProject;
  }

  private endpointProject: string | undefined;

  private projectInEndpoint(): string {
    const parts = new URL(this.http.endpoint).pathname.split('/').filter(Boolean);
    const at = parts.findIndex((p) => /^v2(\.\d+)?$/.test(p));
    const id = at === -1 ? undefined : parts[at + 1];
    if (!id || !/^[0-9a-f-]{1,64}$/i.test(id)) {
      throw new NotSupportedError('manila', 'The Manila endpoint names no project (/v2/{project_id}), so its quotas cannot be read.');
    }
    return id;
  }

  /** `GET /quota-sets/{project}/detail` (2.25+): limit, in use and reserved per resource. */
  async quotaUsage(caller: Caller): Promise<ManilaQuotaSet> {
    const v = await this.version(caller);
    if (compareVersions(v, MANILA_VERSIONS.quotaDetail) < 0) {
      throw new NotSupportedError('manila', `Quota usage needs Manila API ${MANILA_VERSIONS.quotaDetail}; this Manila supports up to ${v}.`);
    }
    return this.show(caller, 'plain', path`/quota-sets/${this.projectId()}/detail`, 'quota_set');
  }

  /** Zones with an enabled share service (`/os-availability-zone` below 2.7). */
  async availabilityZones(caller: Caller): Promise<ManilaAvailabilityZone[]> {
    const modern = await this.atLeast(caller, MANILA_VERSIONS.modernUrls);
    const res = await this.call(caller, 'plain', { method: 'GET', path: modern ? '/availability-zones' : '/os-availability-zone' });
    return arrayIn<ManilaAvailabilityZone>('manila', res, 'availability_zones', (z) => typeof z.name === 'string', 'a name');
  }

  showShare(caller: Caller, id: string): Promise<ManilaShare> {
    return this.show(caller, 'shares', path`/shares/${id}`, 'share');
  }
}
