import { buildSubgraphSchema } from '@apollo/subgraph';
import { type DocumentNode, type GraphQLSchema, graphqlSync, parse } from 'graphql';
import { referenceResolvers } from './entities.js';

type ResolverMap = Record<string, object>;

/**
 * The schema as a Federation 2 subgraph: `_service { sdl }`, `_entities` and `_Entity` added by @apollo/subgraph
 * from the `@link` and `@key`s of the schema files, every resolver given (Query, Mutation, Subscription, scalars)
 * kept, and each entity's `__resolveReference` added beside its field resolvers. A subgraph is still a plain
 * GraphQL endpoint: direct clients see the same fields plus those two.
 */
export function buildSubgraph(typeDefs: string[], resolvers: ResolverMap): GraphQLSchema {
  const merged: ResolverMap = { ...resolvers };
  for (const [typename, reference] of Object.entries(referenceResolvers())) {
    merged[typename] = { ...(resolvers[typename] ?? {}), ...reference };
  }
  const document: DocumentNode = parse(typeDefs.join('\n'));
  const schema = buildSubgraphSchema({ typeDefs: document, resolvers: merged as never });
  settleEntities(schema);
  return schema;
}

/**
 * `_entities` hands the executor one promise per representation. graphql-jit drops a rejected last item from the
 * list (two representations, the second failing, answered a list of one), and a router matches the answer to its
 * representations by position. Settled first, a failure is an Error value in its place, which both executors
 * report as that item's error with a null in its position.
 */
function settleEntities(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()._entities;
  const resolve = field?.resolve;
  if (!field || !resolve) return;
  field.resolve = async (source, args, context, info) => {
    const items = (await resolve(source, args, context, info)) as unknown[];
    return Promise.all(items.map((item) => Promise.resolve(item).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))))));
  };
}

/**
 * The SDL a router composes (what `_service { sdl }` answers), read from the schema itself: composition needs no
 * running facade, nor a token for one.
 */
export function subgraphSdl(schema: GraphQLSchema): string {
  const result = graphqlSync({ schema, source: '{ _service { sdl } }' });
  const sdl = (result.data?._service as { sdl?: unknown } | undefined)?.sdl;
  if (typeof sdl !== 'string') throw new Error(`the schema answered no _service { sdl }: ${JSON.stringify(result.errors)}`);
  return sdl;
}
