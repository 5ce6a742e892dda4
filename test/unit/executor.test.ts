// The executor behind Apollo (issue 5, CPU): graphql-js for a document's first runs, graphql-jit once it recurs,
// with the same answers and the same errors either way.
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { type DocumentNode, GraphQLError, getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compilingExecutor } from '../../src/graphql/executor.js';

class Refused extends Error {}

const schema = makeExecutableSchema({
  typeDefs: `
    type Query { things(first: Int = 2): [Thing!]! thing(id: ID!): Thing }
    type Thing { id: ID! label: String! }
    type Mutation { make(name: String!): Thing! }`,
  resolvers: {
    Mutation: {
      make: (_: unknown, args: { name: string }, ctx: { made: string[] }) => {
        if (args.name === 'bad') throw new Refused('refused');
        ctx.made.push(args.name);
        return { id: args.name, label: args.name };
      },
    },
    Query: {
      things: (_: unknown, args: { first: number }, ctx: { calls: number }) => {
        ctx.calls++;
        return Array.from({ length: args.first }, (_, i) => ({ id: `t${i}`, label: `thing ${i}` }));
      },
      thing: async (_: unknown, args: { id: string }) => {
        if (args.id === 'bad') throw new Refused(`no thing ${args.id}`);
        return { id: args.id, label: `thing ${args.id}` };
      },
    },
  },
});

const documents = new Map<string, DocumentNode>();

/** What Apollo hands a gateway executor, as far as ours reads it; one parsed document per text, as Apollo's store. */
function request(query: string, variables?: Record<string, unknown>, operationName: string | null = null) {
  let document = documents.get(query);
  if (!document) documents.set(query, (document = parse(query)));
  const context = { calls: 0, made: [] as string[] };
  const operation = getOperationAST(document, operationName) ?? undefined;
  const rc = { document, operation, operationName, queryHash: query, request: { query, variables, operationName }, context };
  return { rc: rc as unknown as GatewayGraphQLRequestContext, context };
}

const THINGS = 'query($n: Int) { things(first: $n) { id label } }';

describe('compilingExecutor', () => {
  it('runs a document through graphql-js compileAfter times, then compiles it once and answers the same', async () => {
    const run = compilingExecutor(schema, { compileAfter: 2 });
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const { rc, context } = request(THINGS, { n: 3 });
      answers.push(await run.executor(rc));
      expect(context.calls).toBe(1);
    }
    expect(run.stats()).toEqual({ interpreted: 2, compiled: 3, compilations: 1, documents: 1, compiledChars: expect.any(Number) });
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(answers[0]!.data).toEqual({ things: [0, 1, 2].map((i) => ({ id: `t${i}`, label: `thing ${i}` })) });
  });

  it('compiles a document per operation: another operation of the same text is its own entry', async () => {
    const run = compilingExecutor(schema, { compileAfter: 0 });
    const text = 'query A { things { id } } query B { thing(id: "x") { label } }';
    expect((await run.executor(request(text, undefined, 'A').rc)).data).toEqual({ things: [{ id: 't0' }, { id: 't1' }] });
    expect((await run.executor(request(text, undefined, 'B').rc)).data).toEqual({ thing: { label: 'thing x' } });
    expect(run.stats()).toMatchObject({ compiled: 2, compilations: 2, documents: 2 });
  });

  it('mutations stay on graphql-js: after a failed non-null mutation field, the later ones do not run', async () => {
    const run = compilingExecutor(schema, { compileAfter: 0 });
    const text = 'mutation { a: make(name: "1") { id } b: make(name: "bad") { id } c: make(name: "3") { id } }';
    for (let i = 0; i < 3; i++) {
      const { rc, context } = request(text);
      const result = await run.executor(rc);
      expect(result.data).toBeNull();
      // Before: graphql-jit also ran c, a write the answer never mentioned.
      expect(context.made).toEqual(['1']);
    }
    expect(run.stats()).toMatchObject({ interpreted: 3, compiled: 0, compilations: 0 });
  });

  it('holds at most maxCompiledChars of generated code: the least recently run compiled documents go first', async () => {
    const texts = Array.from({ length: 12 }, (_, i) => `{ x${i}: things { id label } }`);
    const sizes = await Promise.all(
      texts.map(async (t) => {
        const probe = compilingExecutor(schema, { compileAfter: 0 });
        await probe.executor(request(t).rc);
        return probe.stats().compiledChars;
      }),
    );
    const largest = Math.max(...sizes);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    const budget = largest * 8;
    const big = `{ ${Array.from({ length: 12 }, (_, i) => `t${i}: things { id label }`).join(' ')} }`;
    const run = compilingExecutor(schema, { compileAfter: 0, maxCompiledChars: budget });
    await run.executor(request(big).rc);
    // Over an eighth of the budget: answered on graphql-js, holding nothing.
    expect(run.stats()).toMatchObject({ compiled: 0, interpreted: 1, compiledChars: 0 });
    for (const t of texts) expect((await run.executor(request(t).rc)).errors).toBeUndefined();
    expect(run.stats()).toMatchObject({ compiled: 12, compilations: 13 });
    expect(run.stats().compiledChars).toBeLessThanOrEqual(budget);
    // The oldest compiled documents were forgotten; the last one run is still there, compiled.
    expect(run.stats().documents).toBeLessThan(12);
    await run.executor(request(texts[11]!).rc);
    expect(run.stats().compilations).toBe(13);
  });

  it('remembers at most maxDocuments documents; a forgotten one starts over on graphql-js', async () => {
    const run = compilingExecutor(schema, { compileAfter: 1, maxDocuments: 2 });
    const texts = ['{ things { id } }', '{ things { label } }', '{ things { id label } }'];
    for (const t of texts) for (let i = 0; i < 2; i++) await run.executor(request(t).rc);
    expect(run.stats()).toEqual({ interpreted: 3, compiled: 3, compilations: 3, documents: 2, compiledChars: expect.any(Number) });
    await run.executor(request(texts[0]!).rc);
    expect(run.stats()).toMatchObject({ interpreted: 4, compiled: 3, documents: 2 });
  });

  it('forgets the least recently run document first, and finds a document again by its hash whatever object it is', async () => {
    const run = compilingExecutor(schema, { compileAfter: 1, maxDocuments: 2 });
    const [a, b, c] = ['{ things { id } }', '{ things { label } }', '{ things { id label } }'];
    for (const t of [a, b, a]) await run.executor(request(t!).rc);
    await run.executor(request(c!).rc); // full: b ran longest ago and goes, a stays
    expect(run.stats()).toMatchObject({ interpreted: 3, compiled: 1, documents: 2 });
    await run.executor(request(a!).rc);
    expect(run.stats()).toMatchObject({ compiled: 2, compilations: 1 });
    await run.executor(request(b!).rc); // b starts over; c (ran before a) goes
    expect(run.stats()).toMatchObject({ interpreted: 4, compiled: 2 });
    // A parse of its own each time (no document store): the same text's slot all the same.
    for (let i = 0; i < 2; i++) {
      const fresh = request(b!).rc as unknown as { document: DocumentNode };
      fresh.document = parse(b!);
      await run.executor(fresh as unknown as GatewayGraphQLRequestContext);
    }
    expect(run.stats()).toMatchObject({ interpreted: 4, compiled: 4, compilations: 2, documents: 2 });
  });

  it('never compiles with compileAfter Infinity (GRAPHQL_COMPILE_AFTER=off)', async () => {
    const run = compilingExecutor(schema, { compileAfter: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 3; i++) await run.executor(request(THINGS).rc);
    expect(run.stats()).toMatchObject({ interpreted: 3, compiled: 0, compilations: 0 });
  });

  it('hands Apollo plain graphql-js errors with path, locations and the original error, as graphql-js does', async () => {
    const query = '{ ok: thing(id: "a") { id }\n  no: thing(id: "bad") { id } }';
    const interpreted = await compilingExecutor(schema, { compileAfter: 5 }).executor(request(query).rc);
    const run = compilingExecutor(schema, { compileAfter: 0 });
    const compiled = await run.executor(request(query).rc);
    expect(run.stats().compiled).toBe(1);
    for (const result of [interpreted, compiled]) {
      expect(result.data).toEqual({ ok: { id: 'a' }, no: null });
      const err = result.errors![0]!;
      // Apollo's plugins rewrite messages and unwrap originalError with instanceof: the class matters.
      expect(Object.getPrototypeOf(err)).toBe(GraphQLError.prototype);
      expect(err.message).toBe('no thing bad');
      expect(err.path).toEqual(['no']);
      expect(err.locations).toEqual([{ line: 2, column: 3 }]);
      expect(err.originalError).toBeInstanceOf(Refused);
      expect(() => Object.assign(err, { message: 'rewritten' })).not.toThrow();
    }
  });

  it('answers refused variables through graphql-js, whose wording Apollo turns into BAD_USER_INPUT', async () => {
    const run = compilingExecutor(schema, { compileAfter: 0 });
    const { rc, context } = request(THINGS, { n: 'ten' });
    const result = await run.executor(rc);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/^Variable "\$n" got invalid value "ten"; Int cannot represent/);
    expect(result.errors?.[0]?.nodes?.[0]?.kind).toBe('VariableDefinition');
    expect(context.calls).toBe(0);
    expect(run.stats()).toMatchObject({ compiled: 0, interpreted: 1, compilations: 1 });
  });

  it('runs nothing, on either executor, for a request whose operationName names no operation of the document', async () => {
    // A document graphql-jit cannot compile is covered by executor-compile-failure.test.ts.
    for (const compileAfter of [0, Number.POSITIVE_INFINITY]) {
      const run = compilingExecutor(schema, { compileAfter });
      for (let i = 0; i < 2; i++) {
        const { rc, context } = request('query A { things { id } }', undefined, 'Missing');
        const result = await run.executor(rc);
        expect(result.errors?.[0]?.message).toBe('The document has no operation named "Missing"; nothing was run.');
        expect(result.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
        expect(context.calls).toBe(0);
      }
      expect(run.stats()).toMatchObject({ compiled: 0, interpreted: 0, compilations: 0 });
    }
  });
});
