import type { Dispatcher } from 'undici';
import { type ErrorCode, UpstreamError } from '../../errors.js';
import type { Caller } from '../caller.js';
import { type ErrorClassifier, HttpClient, type HttpClientOptions, path, type UpstreamRequest } from '../http.js';
import { VERSION_READ_MS, serviceRoot } from '../microversion.js';
import { countOf, isObject, listIn, objectIn, textOf } from '../wire.js';
import type {
  SdrsActionName,
  SdrsCreateProtectionGroup,
  SdrsDrill,
  SdrsGroupFilters,
  SdrsJob,
  SdrsJobAccepted,
  SdrsJobEntities,
  SdrsMemberFilters,
  SdrsProtectedInstance,
  SdrsProtectionGroup,
  SdrsProtectionGroupList,
  SdrsReplicationPair,
} from './types.js';

/** The one SDRS code for "no such protection group"; SDRS sends it as HTTP 400 (traps 17, 18). */
export const SDRS_GROUP_NOT_FOUND = 'SDRS.1013';

// "Not found" of the members, HTTP 400 like the group's: protected instance, replication pair, DR drill.
const SDRS_MEMBER_NOT_FOUND = new Set(['SDRS.1320', 'SDRS.1608', 'SDRS.1902']);

// Refusals because of an object's state (error table), all HTTP 400: the group's status (SDRS.1002, 1017–1024);
// delete refused while the group holds protected instances (1001), DR drills (1003) or replication pairs (1010);
// an abnormal protected instance (1314); servers not stopped (1316, 1319, 1342, 1352); a protected instance or
// pair not available (1328, 1601); "operation not allowed due to a system error" (1823, 1824: a pair's fault);
// pairs still synchronising (1830).
const SDRS_CONFLICTS = new Set([
  // The error table's common "Incorrect status" and "Incorrect replication pair status" (SDRS reference check of 2026-12-08).
  'SDRS.0209',
  'SDRS.0214',
  'SDRS.1001',
  'SDRS.1002',
  'SDRS.1003',
  'SDRS.1010',
  ...Array.from({ length: 8 }, (_, i) => `SDRS.${1017 + i}`),
  'SDRS.1314',
  'SDRS.1316',
  'SDRS.1319',
  'SDRS.1328',
  'SDRS.1342',
  'SDRS.1352',
  'SDRS.1601',
  'SDRS.1823',
  'SDRS.1824',
  'SDRS.1830',
]);

/**
 * SDRS codes -> the facade vocabulary. Anything not listed falls back to the HTTP status (other 400s are
 * BAD_USER_INPUT, 5xx UPSTREAM_ERROR, 503 UPSTREAM_UNAVAILABLE).
 */
export const classifySdrsError: ErrorClassifier = (status, upstreamCode): ErrorCode | undefined => {
  if (upstreamCode === SDRS_GROUP_NOT_FOUND || (upstreamCode !== null && SDRS_MEMBER_NOT_FOUND.has(upstreamCode))) return 'NOT_FOUND';
  // "Null job": the table lists it as 500, the simulator as 404; either way the job does not exist. UNCONFIRMED.
  if (upstreamCode === 'SDRS.0408') return 'NOT_FOUND';
  if (upstreamCode !== null && SDRS_CONFLICTS.has(upstreamCode)) return 'CONFLICT';
  // "Incorrect API invoking permissions" (a reader's write): SDRS's error table lists it as a 400. UNCONFIRMED live.
  if (upstreamCode === 'SDRS.0004') return 'FORBIDDEN';
  // The API gateway answers unrouted paths with 404 APIGW.0101: a wrong SDRS_URL, not a missing object, so it
  // must not turn into a quiet `null`.
  if (status === 404 && upstreamCode === 'APIGW.0101') return 'UPSTREAM_ERROR';
  return undefined;
};

export interface SdrsListOptions {
  limit: number;
  offset: number;
  filters?: SdrsGroupFilters;
}

export interface SdrsMemberListOptions {
  limit: number;
  offset: number;
  filters?: SdrsMemberFilters;
}

/** The most items one SDRS listing returns (`limit` is 0-1000). */
export const SDRS_MAX_LIMIT = 1000;

/** Where each kind of group member is listed and shown, and under which keys it comes back. */
const MEMBERS = {
  instances: { path: '/protected-instances', list: 'protected_instances', one: 'protected_instance' },
  // The reference's list key is `replications`, not `replication_pairs`.
  pairs: { path: '/replications', list: 'replications', one: 'replication' },
  drills: { path: '/disaster-recovery-drills', list: 'disaster_recovery_drills', one: 'disaster_recovery_drill' },
} as const;

export interface SdrsMemberTypes {
  instances: SdrsProtectedInstance;
  pairs: SdrsReplicationPair;
  drills: SdrsDrill;
}

export type SdrsMemberKind = keyof SdrsMemberTypes;

/**
 * One typed method per SDRS endpoint the facade uses. Process-wide; the caller is passed per call. `endpoint` is
 * `https://sdrs.{region}.myhuaweicloud.com/v1/{project_id}`. Writes (POST/PUT/DELETE) are sent exactly once:
 * HttpClient retries only GETs, and nothing here adds a retry, because an SDRS action that reached the service
 * starts a disaster-recovery job.
 */
export class SdrsClient {
  readonly http: HttpClient;

  /** `shared`: a breaker and bulkhead shared with other endpoints of the same host (one per project with Keystone). */
  constructor(endpoint: string, agent: Dispatcher, shared?: Pick<HttpClientOptions, 'breaker' | 'bulkhead' | 'telemetry'>) {
    this.http = new HttpClient({ service: 'sdrs', endpoint, agent, classify: classifySdrsError, ...shared });
  }

  private call(caller: Caller, req: Omit<UpstreamRequest, 'token' | 'requestId'>) {
    return this.http.as(caller, req);
  }

  /**
   * The version document at the service root (`GET /`, no token): SDRS has no microversions, so its API versions
   * and their status are all it says. Read once, at start-up, for the log.
   */
  async apiVersions(readMs = VERSION_READ_MS): Promise<{ id: string; status: string }[]> {
    const root = serviceRoot(this.http.endpoint, /^v\d+$/);
    const res = await this.http.send({ method: 'GET', path: '', deadline: Date.now() + readMs }, root);
    const body = isObject(res.json) ? res.json : {};
    const list: unknown[] = Array.isArray(body.versions) ? body.versions : isObject(body.version) ? [body.version] : [];
    const versions = list.filter(isObject).flatMap((v) => {
      const id = textOf(v.id);
      return id ? [{ id, status: textOf(v.status) ?? 'unknown' }] : [];
    });
    if (versions.length === 0) throw new UpstreamError('UPSTREAM_ERROR', 'SDRS answered a version document that names no API version.', 'sdrs', res.status, null, null);
    return versions;
  }

  /** `GET /server-groups?limit&offset&…`; SDRS pages by offset and reports the total as `count`. */
  async listGroups(caller: Caller, opts: SdrsListOptions): Promise<{ items: SdrsProtectionGroup[]; count: number | null }> {
    const res = await this.call(caller, {
      method: 'GET',
      path: '/server-groups',
      query: { ...opts.filters, limit: opts.limit, offset: opts.offset },
    });
    const body = (res.json ?? {}) as Partial<SdrsProtectionGroupList>;
    return { items: listIn<SdrsProtectionGroup>('sdrs', res, 'server_groups'), count: countOf(body.count) };
  }

  async showGroup(caller: Caller, id: string): Promise<SdrsProtectionGroup> {
    const res = await this.call(caller, { method: 'GET', path: path`/server-groups/${id}` });
    return objectIn<SdrsProtectionGroup>('sdrs', res, 'server_group');
  }

  async createGroup(caller: Caller, body: SdrsCreateProtectionGroup): Promise<SdrsJobAccepted> {
    const res = await this.call(caller, { method: 'POST', path: '/server-groups', body: { server_group: body } });
    return accepted(res);
  }

  /**
   * `PUT /server-groups/{id}`: only the name can change. SDRS answers with the group: returned only when it is this
   * group renamed; null (re-read it) for any other answer, since the rename was accepted whatever the body says.
   */
  async renameGroup(caller: Caller, id: string, name: string): Promise<SdrsProtectionGroup | null> {
    const res = await this.call(caller, { method: 'PUT', path: path`/server-groups/${id}`, body: { server_group: { name } } });
    const group = isObject(res.json) ? res.json.server_group : undefined;
    return isRenamed(group, id, name) ? group : null;
  }

  async deleteGroup(caller: Caller, id: string): Promise<SdrsJobAccepted> {
    const res = await this.call(caller, { method: 'DELETE', path: path`/server-groups/${id}` });
    return accepted(res);
  }

  /** `POST /server-groups/{id}/action {"<action>": args}`: enable/re-protect, stop, failover, reverse. */
  async groupAction(caller: Caller, id: string, action: SdrsActionName, args: Record<string, unknown> = {}): Promise<SdrsJobAccepted> {
    const res = await this.call(caller, { method: 'POST', path: path`/server-groups/${id}/action`, body: { [action]: args } });
    return accepted(res);
  }

  /**
   * `GET /protected-instances`, `/replications` or `/disaster-recovery-drills` with limit, offset and filters: a
   * page and SDRS's `count` of every match.
   */
  async listMembers<K extends SdrsMemberKind>(
    caller: Caller,
    kind: K,
    opts: SdrsMemberListOptions,
  ): Promise<{ items: SdrsMemberTypes[K][]; count: number | null }> {
    const m = MEMBERS[kind];
    const res = await this.call(caller, {
      method: 'GET',
      path: m.path,
      query: { ...opts.filters, limit: opts.limit, offset: opts.offset },
    });
    const body = (res.json ?? {}) as Record<string, unknown>;
    return { items: listIn<SdrsMemberTypes[K]>('sdrs', res, m.list), count: countOf(body.count) };
  }

  /** `GET /protected-instances/{id}`, `/replications/{id}` or `/disaster-recovery-drills/{id}`. */
  async showMember<K extends SdrsMemberKind>(caller: Caller, kind: K, id: string): Promise<SdrsMemberTypes[K]> {
    const m = MEMBERS[kind];
    const res = await this.call(caller, { method: 'GET', path: `${m.path}${path`/${id}`}` });
    return objectIn<SdrsMemberTypes[K]>('sdrs', res, m.one);
  }

  /** `GET /jobs/{job_id}`. */
  async showJob(caller: Caller, jobId: string): Promise<SdrsJob> {
    const res = await this.call(caller, { method: 'GET', path: path`/jobs/${jobId}` });
    // A job answer without its id is not a job (SDRS's jobs carry job_id, not id).
    const job = res.json as SdrsJob | null;
    if (job === null || typeof job !== 'object' || typeof job.job_id !== 'string') {
      throw new UpstreamError('UPSTREAM_ERROR', `SDRS answered HTTP ${res.status} with a job that has no job_id.`, 'sdrs', res.status, null, null);
    }
    return { ...job, entities: entitiesOf(job.entities) };
  }
}

/**
 * A job's entities with every field of the type the API documents, or left out: a `volume_ids` of 12345 was an
 * INTERNAL_SERVER_ERROR (byzantine-upstream probe of 2026-12-08). Sub-jobs without a job_id are dropped.
 */
function entitiesOf(raw: unknown): SdrsJobEntities | null {
  if (!isObject(raw)) return null;
  const subJobs = Array.isArray(raw.sub_jobs) ? raw.sub_jobs.filter((j): j is SdrsJob => isObject(j) && typeof j.job_id === 'string') : null;
  // The reference's stop job names its group in its sub-jobs only (`entities: {sub_jobs: [...]}`): the group is theirs.
  const ofSubJobs = subJobs?.map((j) => (isObject(j.entities) ? textOf(j.entities.server_group_id) : undefined)).find((g) => g !== undefined);
  return {
    server_group_id: textOf(raw.server_group_id) ?? ofSubJobs ?? null,
    replication_pair_id: textOf(raw.replication_pair_id) ?? null,
    volume_ids: textOf(raw.volume_ids) ?? null,
    protected_instance_id: textOf(raw.protected_instance_id) ?? null,
    native_server_id: textOf(raw.native_server_id) ?? null,
    nic_id: textOf(raw.nic_id) ?? null,
    // One level, as SDRS nests them: a sub-job's own sub-jobs are not followed.
    sub_jobs: subJobs?.map((j) => ({ ...j, entities: isObject(j.entities) ? { ...entitiesOf(j.entities), sub_jobs: null } : null })) ?? null,
  };
}

/** The group a rename answered is trusted only as itself (its id), renamed, with the status every read shows. */
function isRenamed(group: unknown, id: string, name: string): group is SdrsProtectionGroup {
  return isObject(group) && typeof group.id === 'string' && group.id.toLowerCase() === id && group.name === name && typeof group.status === 'string';
}

function accepted(res: { status: number; json: unknown }): SdrsJobAccepted {
  const jobId = (res.json as { job_id?: unknown } | undefined)?.job_id;
  if (typeof jobId !== 'string' || !/^[0-9a-f]{32}$/i.test(jobId)) {
    // The work may have started: say so rather than pretend nothing happened.
    throw new UpstreamError(
      'OUTCOME_UNKNOWN',
      'SDRS accepted the request but returned no job id; the work may have started, so read the protection group before trying again.',
      'sdrs',
      res.status,
      null,
      null,
    );
  }
  return { job_id: jobId };
}
