// graphql-armor's hook turned any error Apollo's pipeline did not expect into its own validation failure carrying the
// error's text (a stack overflow reached the client as "RangeError: …", unlogged). Its own refusals stay its own.
import { GraphQLError } from 'graphql';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { armorPlugins } from '../../src/graphql/apollo.js';
import { createLogger } from '../../src/observability/logger.js';
import type { RequestContext } from '../../src/context.js';
import { logCapture } from '../helpers/logs.js';

function wrapped() {
  const logs = logCapture();
  const log = createLogger({ level: 'info', format: 'json', variables: false }, logs.stream);
  const plugins = armorPlugins(new ApolloArmor({ maxTokens: { n: 10 } }).protect().plugins as unknown as ApolloServerPlugin<RequestContext>[], log);
  const hooks = plugins.map((p) => p.unexpectedErrorProcessingRequest).filter((h) => h !== undefined);
  expect(hooks.length).toBeGreaterThan(0);
  const run = (error: Error) => Promise.all(hooks.map((h) => h!({ requestContext: { contextValue: undefined } as never, error })));
  return { logs, run };
}

describe('armorPlugins', () => {
  it("logs an error that is not armor's and lets Apollo answer its own 500 (no text of it to the client)", async () => {
    const { logs, run } = wrapped();
    await expect(run(new RangeError('Maximum call stack size exceeded'))).resolves.toBeDefined();
    expect(logs.lines).toEqual([expect.objectContaining({ msg: 'unexpected error in the GraphQL pipeline', level: 50 })]);
  });

  it("keeps armor's own refusal (its token limit) a validation failure", async () => {
    const { logs, run } = wrapped();
    await expect(run(new GraphQLError('Syntax Error: Token limit of 10 exceeded.'))).rejects.toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(logs.lines).toEqual([]);
  });
});
