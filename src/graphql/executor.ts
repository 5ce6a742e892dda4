import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { type DocumentNode, type ExecutionResult, GraphQLError, type GraphQLSchema, execute } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { type Logger, fallbackLogger } from '../observability/logger.js';
import { unresolvedOperation } from './guards.js';

/**
 * graphql-js interprets a document anew for every request: on the canonical screen that was a third of the
 * facade's CPU and half of what it allocated (bench profile). graphql-jit turns a document into plain JavaScript
 * once. Compiling costs milliseconds, so a document is compiled only when it comes back (`compileAfter` runs):
 * a screen's query is sent again and again, a one-off or hostile document never pays for, nor holds, a compile.
 */
export interface CompilingExecutorOptions {
  /** Runs through graphql-js before the document is compiled; Infinity: never compiled. */
  compileAfter: number;
  /** Documents remembered (seen or compiled), least recently used first out. */
  maxDocuments: number;
  /** Where a compiler failure is logged; default stdout. */
  log?: Pick<Logger, 'error'>;
}

// A compiled canonical screen holds about 100 KB: 100 documents bound what a client cycling through distinct
// documents can make the facade keep to about 10 MB. A portal sends a handful of distinct documents.
export const DEFAULT_EXECUTOR_OPTIONS: CompilingExecutorOptions = { compileAfter: 1, maxDocuments: 100 };

interface Slot {
  runs: number;
  /** When it last ran (a counter): the least recently used slot goes first when the table is full. */
  used: number;
  /** Compiled; or 'interpret' when graphql-jit could not compile the document (graphql-js answers it). */
  compiled?: CompiledQuery | 'interpret';
}

export interface CompilingExecutor {
  executor: GatewayExecutor;
  /** How requests were run so far: for tests and the bench. */
  stats(): { interpreted: number; compiled: number; compilations: number; documents: number };
}

export function compilingExecutor(schema: GraphQLSchema, options: Partial<CompilingExecutorOptions> = {}): CompilingExecutor {
  const { compileAfter, maxDocuments, log = fallbackLogger() } = { ...DEFAULT_EXECUTOR_OPTIONS, ...options };
  // Keyed by the document's hash and operation: Apollo hands the same parsed document back for the same text.
  const slots = new Map<string, Slot>();
  // The key of each parsed document's operations, made once per document object rather than per request (a
  // 64-character hash joined and hashed again on every request showed in the profile).
  const keys = new WeakMap<DocumentNode, Map<string, string>>();
  let clock = 0;
  let interpreted = 0;
  let compiled = 0;
  let compilations = 0;

  const keyOf = (document: DocumentNode, queryHash: string, operationName: string | null): string => {
    let byOperation = keys.get(document);
    if (!byOperation) keys.set(document, (byOperation = new Map()));
    let key = byOperation.get(operationName ?? '');
    if (key === undefined) {
      key = `${queryHash}\u0000${operationName ?? ''}`;
      byOperation.set(operationName ?? '', key);
    }
    return key;
  };

  const slotFor = (key: string): Slot => {
    let slot = slots.get(key);
    if (!slot) {
      if (slots.size >= maxDocuments) slots.delete(leastRecentlyUsed());
      slot = { runs: 0, used: 0 };
      slots.set(key, slot);
    }
    slot.used = ++clock;
    return slot;
  };

  // Only when a new document arrives with the table full: a scan of at most maxDocuments slots.
  const leastRecentlyUsed = (): string => {
    let oldest = '';
    let used = Infinity;
    for (const [key, slot] of slots) {
      if (slot.used < used) {
        used = slot.used;
        oldest = key;
      }
    }
    return oldest;
  };

  const compile = (document: DocumentNode, operationName: string | null): CompiledQuery | 'interpret' => {
    compilations++;
    try {
      const result = compileQuery(schema, document, operationName ?? undefined);
      return isCompiledQuery(result) ? result : 'interpret';
    } catch (err) {
      // A compiler bug must not fail a document graphql-js can answer; it stays interpreted.
      log.error({ err, operationName }, 'graphql-jit could not compile a document; it runs on graphql-js');
      return 'interpret';
    }
  };

  const executor: GatewayExecutor = async (rc) => {
    // graphql-jit would run the document's only operation whatever operationName said; nothing runs unresolved.
    if (!rc.operation) return { errors: [unresolvedOperation(rc.request.operationName)] };
    const slot = slotFor(keyOf(rc.document, rc.queryHash, rc.operationName));
    slot.runs++;
    if (!slot.compiled && slot.runs > compileAfter) slot.compiled = compile(rc.document, rc.operationName);
    if (slot.compiled && slot.compiled !== 'interpret') {
      const result = await slot.compiled.query(undefined, rc.context, rc.request.variables ?? {});
      // No data at all: the variables were refused before any resolver ran. graphql-js words that refusal the way
      // Apollo recognises as BAD_USER_INPUT (HTTP 400), so it answers those requests.
      if (result.data !== undefined) {
        compiled++;
        return withPlainErrors(result);
      }
    }
    interpreted++;
    return (await execute({
      schema,
      document: rc.document,
      contextValue: rc.context,
      variableValues: rc.request.variables,
      operationName: rc.operationName,
    })) as Result;
  };

  return {
    executor,
    stats: () => ({ interpreted, compiled, compilations, documents: slots.size }),
  };
}

type Result = ExecutionResult<Record<string, unknown>>;

/**
 * graphql-jit's errors are its own subclass with a read-only message, which Apollo's plugins (graphql-armor's
 * suggestion filter) rewrite: hand Apollo plain graphql-js errors carrying the same message, path, locations,
 * extensions and original error, so error formatting cannot tell the two executors apart.
 */
function withPlainErrors(result: ExecutionResult): Result {
  if (!result.errors?.length) return result as Result;
  const errors = result.errors.map((e) => {
    const plain = new GraphQLError(e.message, {
      path: e.path,
      originalError: e.originalError ?? undefined,
      extensions: e.extensions,
    });
    if (e.locations?.length) (plain as { locations?: GraphQLError['locations'] }).locations = e.locations;
    return plain;
  });
  return { ...result, errors } as Result;
}

/**
 * Apollo Server lets one thing other than graphql-js execute an operation: a gateway. This one serves a fixed
 * schema and the executor above; parsing, validation (depth and cost limits), plugins and error formatting stay
 * Apollo's.
 */
export function executorGateway(schema: GraphQLSchema, executor: GatewayExecutor): GatewayInterface {
  return {
    load: async () => ({ executor }),
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    stop: async () => {},
  };
}
