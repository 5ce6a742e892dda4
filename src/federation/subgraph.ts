import { buildSubgraphSchema } from '@apollo/subgraph';
import { type DocumentNode, type GraphQLSchema, parse } from 'graphql';
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
  return buildSubgraphSchema({ typeDefs: document, resolvers: merged as never });
}
