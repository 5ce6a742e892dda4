// A compiler that throws (a graphql-jit bug) leaves the document on graphql-js instead of failing it.
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { getOperationAST, parse } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { compilingExecutor } from '../../src/graphql/executor.js';

vi.mock('graphql-jit', async (importOriginal) => ({
  ...(await importOriginal<typeof import('graphql-jit')>()),
  compileQuery: () => {
    throw new TypeError('compiler bug');
  },
}));

describe('compilingExecutor with a compiler that throws', () => {
  it('answers through graphql-js, compiles the document only once, and says so in the log', async () => {
    const schema = makeExecutableSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } });
    const logged: { obj: unknown; msg: string }[] = [];
    const log = { error: (obj: unknown, msg: string) => void logged.push({ obj, msg }) };
    const run = compilingExecutor(schema, { compileAfter: 0, log: log as never });
    const query = '{ hello }';
    const document = parse(query);
    const rc = { document, operation: getOperationAST(document), operationName: null, queryHash: query, request: { query }, context: {} };
    for (let i = 0; i < 3; i++) {
      expect(await run.executor(rc as unknown as GatewayGraphQLRequestContext)).toEqual({ data: { hello: 'world' } });
    }
    expect(run.stats()).toMatchObject({ interpreted: 3, compiled: 0, compilations: 1 });
    expect(logged).toHaveLength(1);
    expect(logged[0]?.msg).toMatch(/could not compile/);
    expect(String((logged[0]?.obj as { err: unknown }).err)).toContain('compiler bug');
  });
});
