import { InputError } from '../errors.js';
import { DRIFT } from '../resolvers/resume.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface PageInfoShape {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

/** Counted only when a query asks for it (it can cost upstream calls). */
export type TotalCount = number | null | (() => Promise<number | null>);

/** A Relay connection as resolvers hand it to GraphQL. */
export interface Connection<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfoShape;
  totalCount: TotalCount;
}

/** Resolver for `totalCount` on any connection. */
export const totalCount = (c: { totalCount: TotalCount }) =>
  typeof c.totalCount === 'function' ? c.totalCount() : c.totalCount;

/** Validates `first`: 1..MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE (`first: 0` never reaches it: emptyPages.ts). */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new InputError(`"first" must be between 1 and ${MAX_PAGE_SIZE}, got ${first}.`);
  }
  return first;
}

const enc = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

function dec(cursor: string): string {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw badCursor();
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

export function badCursor(): InputError {
  return new InputError('Invalid "after" cursor: pass a cursor this API returned (pageInfo.endCursor).');
}

/**
 * What a cursor names. Forms: `o:<kind>:<n>:<id>[:<scope>]` (an offset: Manila, SDRS; the id of the item there, see
 * src/resolvers/resume.ts), `o:<n>[:<id>]` and `m:<id>` (the old offset and Cinder marker forms, of no listing, still
 * read), and for Cinder `k:<kind>:<n>:<id>[:<scope>]` (paged by marker) or `p:…` (paged by offset, under a sort
 * by a nullable column; the same parts). The `o`, `k` and `p` forms may end in `/<id>`, the item that followed. The parts: which listing the cursor is of, so that a cursor of another
 * one is refused before any call; the item's position, where the next page starts when the item is gone (Cinder
 * answers 404 for an unknown marker); the item's id, sent as the marker; the scope, the group a group snapshot is
 * of (Cinder), or the parent a nested offset listing is of. `<n>` is empty when a page after an old `m:` cursor
 * could not know it.
 */
export interface CursorParts {
  form: 'm' | 'o' | 'k' | 'p';
  kind?: string;
  offset?: number;
  id?: string;
  scope?: string;
  /** The id of the item that followed it when the cursor was made: where the next page starts if its own is gone. */
  nextId?: string;
}

// Lower case only: cursors carry ids as the upstreams write them (oslo's generate_uuid, SDRS alike), so an upper-case
// id is a cursor this API did not hand out. Let through, Cinder answered 404 for it as a marker (it compares ids as
// strings) and the page restarted at the cursor's position, repeating its item (test/integration/cursor-case.test.ts).
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// At most 8 digits: the offset sent (position + 1) then stays within what the upstreams take (9 digits).
const FORMS: Record<CursorParts['form'], RegExp> = {
  m: new RegExp(`^m:(${UUID})$`),
  o: new RegExp(`^o:([a-z]):(\\d{1,8}):(${UUID})(?::(${UUID}))?(?:/(${UUID}))?$`),
  k: new RegExp(`^k:([a-z]):(\\d{0,8}):(${UUID})(?::(${UUID}))?(?:/(${UUID}))?$`),
  p: new RegExp(`^p:([a-z]):(\\d{1,8}):(${UUID})(?::(${UUID}))?(?:/(${UUID}))?$`),
};
const OLD_OFFSET = new RegExp(`^o:(\\d{1,8})(?::(${UUID}))?$`);

/** The parts of a cursor this API handed out; BAD_USER_INPUT for anything else. */
export function cursorParts(cursor: string): CursorParts {
  const raw = dec(cursor);
  const form = raw.slice(0, 1) as CursorParts['form'];
  const num = (s: string | undefined) => (s ? Number(s) : undefined);
  const old = form === 'o' ? OLD_OFFSET.exec(raw) : null;
  if (old) return withinOffsets({ form, offset: num(old[1]), id: old[2] });
  const m = FORMS[form]?.exec(raw);
  if (!m) throw badCursor();
  if (form === 'm') return { form, id: m[1]! };
  return withinOffsets({ form, kind: m[1], offset: num(m[2]), id: m[3]!, scope: m[4], nextId: m[5] });
}

function withinOffsets(parts: CursorParts): CursorParts {
  if (parts.offset !== undefined && parts.offset > MAX_CURSOR_OFFSET) throw badCursor();
  return parts;
}

// A page holds at most MAX_PAGE_SIZE items, read from up to DRIFT before its cursor to DRIFT past it (resume.ts):
// the cursors of a page after this one still have 8 digits (a page after a forged 99999999 handed out 100000001,
// which the next request refused).
const MAX_CURSOR_OFFSET = 99_999_999 - MAX_PAGE_SIZE - 2 * DRIFT;

/** Cursor for Cinder pages, `k` (by marker) or `p` (by offset) form: see CursorParts. */
export function keyedCursor(form: 'k' | 'p', kind: string, offset: number | undefined, id: string, scope?: string, nextId?: string): string {
  return enc(`${form}:${kind}:${offset ?? ''}:${id}${scope ? `:${scope}` : ''}${followedBy(nextId)}`);
}

// Only an id a cursor may carry: one that is not (an SDRS id of another shape) leaves the cursor without it.
const followedBy = (nextId: string | undefined) => (nextId !== undefined && ID_ONLY.test(nextId) ? `/${nextId}` : '');
const ID_ONLY = new RegExp(`^${UUID}$`);

/** A cursor of the old marker form (`m:<id>`), which Cinder listings still read. */
export function markerCursor(id: string): string {
  return enc(`m:${id}`);
}

/** The marker (item id) a marker-paged cursor names. */
export function markerFromCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const parts = cursorParts(cursor);
  if (parts.form !== 'm' && parts.form !== 'k') throw badCursor();
  return parts.id;
}

/** Throws BAD_USER_INPUT unless `cursor` is one this API hands out (of `kind`, when the field takes one only). */
export function checkCursor(cursor: string, kind?: 'marker' | 'offset'): void {
  const { form } = cursorParts(cursor);
  if ((kind === 'marker' && form !== 'm' && form !== 'k') || (kind === 'offset' && form !== 'o')) throw badCursor();
}

/** The offset-paged listings (Manila, SDRS): top-level fields, and the nested ones by `Type.field`. */
export type OffsetListing =
  | 'shareGroups'
  | 'shares'
  | 'shareGroupSnapshots'
  | 'consistencyGroups'
  | 'consistencyGroupSnapshots'
  | 'protectionGroups'
  | 'ShareGroup.snapshots'
  | 'ProtectionGroup.protectedInstances'
  | 'ProtectionGroup.replicationPairs'
  | 'ProtectionGroup.drills';

/** The page an offset cursor is of: its listing, and for a nested one the id of the object it is of. */
export interface OffsetScope {
  listing: OffsetListing;
  parentId?: string;
}

// Each listing's letter in its cursors. None of Cinder's (g, s, v): Cinder's name-sorted pages read `o` cursors too
// and refuse another listing's by its letter. A nested listing's cursor names its parent too: an offset in one
// share group's snapshots is another snapshot in another group's, a page with gaps and no error.
const OFFSET_LISTINGS: Record<OffsetListing, { letter: string; name: string; parent?: string }> = {
  shareGroups: { letter: 'e', name: 'share groups' },
  shares: { letter: 'f', name: 'shares' },
  shareGroupSnapshots: { letter: 'n', name: 'share group snapshots' },
  consistencyGroups: { letter: 'c', name: 'consistency groups' },
  consistencyGroupSnapshots: { letter: 'd', name: 'consistency group snapshots' },
  protectionGroups: { letter: 'q', name: 'protection groups' },
  'ShareGroup.snapshots': { letter: 'h', name: 'snapshots', parent: 'share group' },
  'ProtectionGroup.protectedInstances': { letter: 'i', name: 'protected instances', parent: 'protection group' },
  'ProtectionGroup.replicationPairs': { letter: 'r', name: 'replication pairs', parent: 'protection group' },
  'ProtectionGroup.drills': { letter: 'x', name: 'DR drills', parent: 'protection group' },
};

/**
 * Cursor for offset paging (Manila, SDRS): its listing (and parent), the item's position in it and its id, and the
 * id of the item that followed it when known.
 */
export function offsetCursor(scope: OffsetScope, position: number, id: string, nextId?: string): string {
  const parent = scope.parentId ? `:${scope.parentId}` : '';
  return enc(`o:${OFFSET_LISTINGS[scope.listing].letter}:${position}:${id}${parent}${followedBy(nextId)}`);
}

/** The offset to start reading at: one past the cursor's position. */
export function offsetFromCursor(cursor: string | null | undefined, scope: OffsetScope): number {
  return offsetAfter(cursor, scope).start;
}

/**
 * Where an offset page of `scope` starts (one past the cursor's position), and the id of the item the cursor was on.
 * BAD_USER_INPUT for a cursor of another listing or parent; an old `o:` cursor names neither and is read as it was.
 */
export function offsetAfter(cursor: string | null | undefined, scope: OffsetScope): { start: number; lastId?: string; nextId?: string } {
  if (cursor === null || cursor === undefined) return { start: 0 };
  const parts = cursorParts(cursor);
  if (parts.form !== 'o') throw parts.kind === undefined ? badCursor() : otherListing(parts, scope);
  if (parts.kind !== undefined) expectListing(parts, scope);
  return { start: parts.offset! + 1, lastId: parts.id, nextId: parts.nextId };
}

/** BAD_USER_INPUT unless the cursor names `scope`'s listing and parent, in Cinder's words (cinder/pages.ts). */
function expectListing(parts: CursorParts, scope: OffsetScope): void {
  const { letter, name, parent } = OFFSET_LISTINGS[scope.listing];
  if (parts.kind !== letter) throw otherListing(parts, scope);
  if (parts.scope === scope.parentId) return;
  // A top-level listing's cursor names no parent: this one was not handed out here.
  if (parent === undefined || parts.scope === undefined) throw badCursor();
  const theirs = `${parent} ${parts.scope}'s ${name}`;
  throw new InputError(`Invalid "after" cursor: it is a cursor of ${theirs}, not of ${parent} ${scope.parentId}'s.`);
}

function otherListing(parts: CursorParts, scope: OffsetScope): InputError {
  // A Cinder cursor's letter names a Cinder listing (cinder/pages.ts), not one of these.
  const theirs = parts.form === 'o' ? Object.values(OFFSET_LISTINGS).find((l) => l.letter === parts.kind) : undefined;
  const what = theirs ? listingName(theirs, parts.scope) : 'another listing';
  const ours = listingName(OFFSET_LISTINGS[scope.listing], scope.parentId);
  return new InputError(`Invalid "after" cursor: it is a cursor of ${what}, not of ${ours}.`);
}

/** "share groups", or "share group <id>'s snapshots" for a nested listing. */
function listingName(l: { name: string; parent?: string }, parentId: string | undefined): string {
  return l.parent && parentId ? `${l.parent} ${parentId}'s ${l.name}` : l.name;
}

interface ConnectionOptions<T> {
  /** `next`: the item after it, on the page or `following`. */
  cursorOf: (item: T, index: number, next: T | undefined) => string;
  /** The item after the page, when it was read (to know `hasNextPage`). */
  following?: T;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: TotalCount;
}

/**
 * Cursors are made only when the query asks for them: most screens read `nodes` alone. Classes with the lazy
 * fields as prototype getters, not object literals with their own `get edges()`: V8 keeps such literals, and the
 * page their closures reach, alive through scavenges until the next full collection (test/unit/gc-shapes.test.ts).
 */
class LazyConnection<T> implements Connection<T> {
  readonly pageInfo: PageInfoShape;
  readonly totalCount: TotalCount;
  private madeEdges: Edge<T>[] | undefined;

  constructor(
    readonly nodes: T[],
    private readonly opts: ConnectionOptions<T>,
  ) {
    this.pageInfo = new LazyPageInfo(nodes, opts);
    this.totalCount = opts.totalCount;
  }

  get edges(): Edge<T>[] {
    return (this.madeEdges ??= this.nodes.map((node, i) => ({ cursor: cursorAt(this.nodes, i, this.opts), node })));
  }
}

class LazyPageInfo<T> implements PageInfoShape {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;

  constructor(
    private readonly items: T[],
    private readonly opts: ConnectionOptions<T>,
  ) {
    this.hasNextPage = opts.hasNextPage;
    this.hasPreviousPage = opts.hasPreviousPage;
  }

  get startCursor(): string | null {
    return this.cursorAt(0);
  }

  get endCursor(): string | null {
    return this.cursorAt(this.items.length - 1);
  }

  private cursorAt(i: number): string | null {
    return this.items.length > 0 ? cursorAt(this.items, i, this.opts) : null;
  }
}

const cursorAt = <T>(items: T[], i: number, opts: ConnectionOptions<T>) => opts.cursorOf(items[i]!, i, i + 1 < items.length ? items[i + 1] : opts.following);

export function connection<T>(items: T[], opts: ConnectionOptions<T>): Connection<T> {
  return new LazyConnection(items, opts);
}
