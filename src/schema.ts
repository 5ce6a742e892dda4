import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { GraphQLSchema } from 'graphql';
import { buildSubgraph } from './federation/subgraph.js';
import { guardResolversWithDeadline } from './graphql/deadline.js';
import { answerEmptyPages } from './graphql/emptyPages.js';
import { resolvers } from './resolvers/index.js';

// schema/ beside src/ when run from source (tsx), two levels up when run compiled from dist/src/.
const SCHEMA_DIR = [new URL('../schema/', import.meta.url), new URL('../../schema/', import.meta.url)].find((u) =>
  existsSync(new URL('common.graphql', u)),
) ?? new URL('../schema/', import.meta.url);

/** The SDL files under schema/, common.graphql first (it declares Query and Mutation). */
export function loadTypeDefs(): string[] {
  const files = readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort((a, b) => (a === 'common.graphql' ? -1 : b === 'common.graphql' ? 1 : a.localeCompare(b)));
  return files.map((f) => readFileSync(new URL(f, SCHEMA_DIR), 'utf8'));
}

/**
 * The facade's schema: a Federation 2 subgraph (src/federation/subgraph.ts), with `first: 0` answered on every
 * connection and the deadline on every resolver.
 */
export function buildSchema(): GraphQLSchema {
  const schema = buildSubgraph(loadTypeDefs(), resolvers as never);
  answerEmptyPages(schema);
  guardResolversWithDeadline(schema);
  return schema;
}
