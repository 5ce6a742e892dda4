import { InputError } from '../errors.js';
import { assertUuid } from '../ids.js';

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

/** Validates `first`: 1..MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE. */
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

function badCursor(): InputError {
  return new InputError('Invalid "after" cursor: pass a cursor this API returned (pageInfo.endCursor).');
}

/** Cursor for limit/marker paging (Cinder): the id of the item, to be sent back as `marker`. */
export function markerCursor(id: string): string {
  return enc(`m:${id}`);
}

export function markerFromCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const raw = dec(cursor);
  if (!raw.startsWith('m:')) throw badCursor();
  try {
    return assertUuid(raw.slice(2), 'cursor');
  } catch {
    throw badCursor();
  }
}

/** Throws BAD_USER_INPUT unless `cursor` is one this API hands out (of `kind`, when the field takes one only). */
export function checkCursor(cursor: string, kind?: 'marker' | 'offset'): void {
  const raw = dec(cursor);
  if (raw.startsWith('m:') && kind !== 'offset') markerFromCursor(cursor);
  else if (kind === 'marker' || !/^o:\d{1,8}$/.test(raw)) throw badCursor();
}

/** Cursor for offset paging (Manila, SDRS): the position of the item in the listing. */
export function offsetCursor(position: number): string {
  return enc(`o:${position}`);
}

/** The offset to start reading at: one past the cursor's position. */
export function offsetFromCursor(cursor: string | null | undefined): number {
  if (cursor === null || cursor === undefined) return 0;
  const raw = dec(cursor);
  // At most 8 digits: the offset sent (position + 1) then stays within what the upstreams take (9 digits).
  const m = /^o:(\d{1,8})$/.exec(raw);
  if (!m) throw badCursor();
  return Number(m[1]) + 1;
}

interface ConnectionOptions<T> {
  cursorOf: (item: T, index: number) => string;
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
    return (this.madeEdges ??= this.nodes.map((node, i) => ({ cursor: this.opts.cursorOf(node, i), node })));
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
    return this.items.length > 0 ? this.opts.cursorOf(this.items[i]!, i) : null;
  }
}

export function connection<T>(items: T[], opts: ConnectionOptions<T>): Connection<T> {
  return new LazyConnection(items, opts);
}
