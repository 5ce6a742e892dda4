import { type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema, getNamedType, isObjectType } from 'graphql';
import { type Connection, DEFAULT_PAGE_SIZE, connection } from './connections.js';
import { selectedNames } from './lookahead.js';

type Resolve = GraphQLFieldResolver<unknown, unknown, { first?: number | null }>;

/**
 * `first: 0`, which Relay allows: a page of no items that still answers `totalCount` and `hasNextPage` (whether
 * anything lies after `after`), the count a portal shows on a badge. The upstreams read `limit=0` as "your
 * default", so every connection field's resolver is asked for one item instead and shows none, through the same
 * paging code as any other page. A count without items reads the default page instead: it holds the whole listing
 * of most projects, and so its count, where one item would leave the count to a listing of its own.
 * Mutates the schema's field configs in place, as the deadline guard does; returns the number of fields wrapped.
 */
export function answerEmptyPages(schema: GraphQLSchema): number {
  let wrapped = 0;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const isPaged = field.args.some((a) => a.name === 'first') && getNamedType(field.type).name.endsWith('Connection');
      if (!isPaged || !field.resolve) continue;
      field.resolve = withEmptyPages(field.resolve as Resolve);
      wrapped++;
    }
  }
  return wrapped;
}

function withEmptyPages(resolve: Resolve): Resolve {
  // Any other `first` goes straight through: no extra promise on the common path.
  return (source, args, context, info) =>
    args.first === 0 ? emptyPage(resolve(source, { ...args, first: readFor(info) }, context, info)) : resolve(source, args, context, info);
}

/** How many items `first: 0` reads: the default page for a count (see above), else one. */
function readFor(info: GraphQLResolveInfo): number {
  const asked = selectedNames(info);
  return asked.has('totalCount') && !asked.has('nodes') && !asked.has('edges') ? DEFAULT_PAGE_SIZE : 1;
}

async function emptyPage(onePage: unknown): Promise<Connection<never> | null> {
  const page = (await onePage) as Connection<unknown> | null | undefined;
  if (!page) return null;
  return connection<never>([], {
    cursorOf: () => '',
    hasNextPage: page.nodes.length > 0 || page.pageInfo.hasNextPage,
    hasPreviousPage: page.pageInfo.hasPreviousPage,
    totalCount: page.totalCount,
  });
}
