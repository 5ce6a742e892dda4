import type { RequestContext } from '../context.js';
import { InputError } from '../errors.js';
import { assertSdrsJobId, assertUuid } from '../ids.js';
import { MissesShown } from '../upstreams/loaders.js';
import { protectionGroupEntity } from './protectionGroups.js';

/**
 * Every entity of the subgraph (a type marked `@key(fields: "id")` in schema/*.graphql): how its id is checked and
 * which per-request loader finds it. They are the loaders the root fields and pages use, so a router's batch of
 * representations is one DataLoader batch: several ids of a type cost one listing, not one show each.
 */
export interface EntityKind {
  /** Throws BAD_USER_INPUT for an id that cannot be one of this type (src/ids.ts); returns the id. */
  checkId(id: string): string;
  /** The object, or null when the caller cannot see one with this id. */
  load(ctx: RequestContext, id: string): Promise<unknown>;
}

const uuid = (what: string) => (id: string) => assertUuid(id, what);

// `loadNamed`: ids a client named, of which at most MAX_MISSES_SHOWN a request are shown one by one (loaders.ts).
export const ENTITIES: Readonly<Record<string, EntityKind>> = {
  Group: { checkId: uuid('group id'), load: (ctx, id) => ctx.cinder().loaders.groupById.loadNamed(id) },
  GroupSnapshot: { checkId: uuid('group snapshot id'), load: (ctx, id) => ctx.cinder().loaders.groupSnapshotById.loadNamed(id) },
  GroupType: { checkId: uuid('group type id'), load: (ctx, id) => ctx.cinder().loaders.groupTypeById.loadNamed(id) },
  Volume: { checkId: uuid('volume id'), load: (ctx, id) => ctx.cinder().loaders.volumeById.loadNamed(id) },
  ShareGroup: { checkId: uuid('share group id'), load: (ctx, id) => ctx.manila().loaders.shareGroupById.loadNamed(id) },
  ShareGroupSnapshot: {
    checkId: uuid('share group snapshot id'),
    load: (ctx, id) => ctx.manila().loaders.shareGroupSnapshotById.loadNamed(id),
  },
  ShareGroupType: { checkId: uuid('share group type id'), load: (ctx, id) => ctx.manila().loaders.shareGroupTypeById.loadNamed(id) },
  // Several at once: one bounded listing (SDRS has no get-many endpoint; protectionGroups.ts).
  ProtectionGroup: { checkId: uuid('protection group id'), load: protectionGroupEntity },
  // SDRS cannot list jobs: one show each, sent together, at most MAX_MISSES_SHOWN a request.
  Job: { checkId: (id) => assertSdrsJobId(id), load: (ctx, id) => jobShows(ctx).show(id, (i) => ctx.sdrs().loaders.jobById.load(i)) },
};

const jobShowsByRequest = new WeakMap<RequestContext, MissesShown>();

function jobShows(ctx: RequestContext): MissesShown {
  let shows = jobShowsByRequest.get(ctx);
  if (!shows) jobShowsByRequest.set(ctx, (shows = new MissesShown()));
  return shows;
}

interface Representation {
  __typename: string;
  id: unknown;
}

function idOf(ref: Representation, typename: string): string {
  if (typeof ref.id !== 'string') throw new InputError(`id must be a string (the @key of ${typename}).`);
  return ref.id;
}

/**
 * `__resolveReference` for every entity, as @apollo/subgraph reads it from a resolver map. The list and the types
 * were checked before execution (representations.ts); the id is checked here, so a bad one is BAD_USER_INPUT on its
 * own item (`_entities.<i>`, no upstream call for it) and no path reaches a loader with an unchecked id.
 */
export function referenceResolvers(): Record<string, { __resolveReference(ref: Representation, ctx: RequestContext): Promise<unknown> }> {
  const out: ReturnType<typeof referenceResolvers> = {};
  for (const [typename, kind] of Object.entries(ENTITIES)) {
    // Async: a service that is not configured fails its own representations, not the whole _entities list.
    out[typename] = { __resolveReference: async (ref, ctx) => kind.load(ctx, kind.checkId(idOf(ref, typename))) };
  }
  return out;
}
