import v8 from 'node:v8';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { type DocumentNode, type ExecutionResult, GraphQLError, type GraphQLSchema, type OperationDefinitionNode, execute } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { type Logger, fallbackLogger } from '../observability/logger.js';
import { compilable } from './compilable.js';
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
  /**
   * Generated code the compiled documents may hold in all (characters of graphql-jit's source): the least recently
   * run compiled documents are forgotten past it, and one larger than an eighth of it stays on graphql-js.
   */
  maxCompiledChars: number;
  /** Where a compiler failure is logged; default stdout. */
  log?: Pick<Logger, 'error'>;
}

// A compiled canonical screen holds about 100 KB, but a document of 14 aliased lists under the shape limits
// generates half a megabyte of source and holds about 1.3 MB: a count alone let a client cycling through such
// documents make the facade keep 130 MB. The source budget bounds that to about twice 16 M characters.
export const DEFAULT_EXECUTOR_OPTIONS: CompilingExecutorOptions = { compileAfter: 1, maxDocuments: 100, maxCompiledChars: 16 * 2 ** 20 };

interface Slot {
  runs: number;
  /** When it last ran (a counter): the least recently used slot goes first when the table is full. */
  used: number;
  /** Compiled; or 'interpret' when graphql-jit could not compile the document (graphql-js answers it). */
  compiled?: CompiledQuery | 'interpret';
  /** Characters of generated source its compiled form holds. */
  chars: number;
}

export interface CompilingExecutor {
  executor: GatewayExecutor;
  /** How requests were run so far: for tests and the bench. */
  stats(): { interpreted: number; compiled: number; compilations: number; documents: number; compiledChars: number };
}

export function compilingExecutor(schema: GraphQLSchema, options: Partial<CompilingExecutorOptions> = {}): CompilingExecutor {
  const { compileAfter, maxDocuments, maxCompiledChars, log = fallbackLogger() } = { ...DEFAULT_EXECUTOR_OPTIONS, ...options };
  if (compileAfter !== Number.POSITIVE_INFINITY) withoutEvalCache();
  // Keyed by the document's hash and operation: Apollo hands the same parsed document back for the same text.
  const slots = new Map<string, Slot>();
  // The key of each parsed document's operations, made once per document object rather than per request (a
  // 64-character hash joined and hashed again on every request showed in the profile).
  const keys = new WeakMap<DocumentNode, Map<string, string>>();
  let clock = 0;
  let interpreted = 0;
  let compiled = 0;
  let compilations = 0;
  let compiledChars = 0;

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
      if (slots.size >= maxDocuments) forget(leastRecentlyUsed());
      slot = { runs: 0, used: 0, chars: 0 };
      slots.set(key, slot);
    }
    slot.used = ++clock;
    return slot;
  };

  const forget = (key: string): void => {
    compiledChars -= slots.get(key)?.chars ?? 0;
    slots.delete(key);
  };

  // Only when a new document arrives with the table full, or compiled code over budget: a scan of at most
  // maxDocuments slots.
  const leastRecentlyUsed = (compiledOnly = false): string => {
    let oldest = '';
    let used = Infinity;
    for (const [key, slot] of slots) {
      if (compiledOnly && slot.chars === 0) continue;
      if (slot.used < used) {
        used = slot.used;
        oldest = key;
      }
    }
    return oldest;
  };

  const compile = (slot: Slot, document: DocumentNode, operation: OperationDefinitionNode, operationName: string | null): CompiledQuery | 'interpret' => {
    if (!compilable(document, operation)) return 'interpret';
    compilations++;
    try {
      // `debug` hands back the generated source: its length is what the compiled form holds (V8 keeps the source).
      const result = compileQuery(schema, document, operationName ?? undefined, { debug: true } as Parameters<typeof compileQuery>[3]);
      if (!isCompiledQuery(result)) return 'interpret';
      const chars = takeSourceLength(result);
      if (chars > maxCompiledChars / 8) return 'interpret';
      slot.chars = chars;
      compiledChars += chars;
      while (compiledChars > maxCompiledChars) {
        const key = leastRecentlyUsed(true);
        if (key === '' || slots.get(key) === slot) break;
        forget(key);
      }
      return result;
    } catch (err) {
      // A compiler bug must not fail a document graphql-js can answer; it stays interpreted.
      log.error({ err, operationName }, 'graphql-jit could not compile a document; it runs on graphql-js');
      return 'interpret';
    }
  };

  const executor: GatewayExecutor = async (rc) => {
    // graphql-jit would run the document's only operation whatever operationName said; nothing runs unresolved.
    if (!rc.operation) return { errors: [unresolvedOperation(rc.request.operationName)] };
    // Mutations stay on graphql-js: graphql-jit ran the mutations after one whose non-null field had failed, which
    // graphql-js (and the specification) stops before. A write's upstream call dwarfs interpreting its document.
    if (rc.operation.operation !== 'query') return interpret(rc);
    const slot = slotFor(keyOf(rc.document, rc.queryHash, rc.operationName));
    slot.runs++;
    if (!slot.compiled && slot.runs > compileAfter) slot.compiled = compile(slot, rc.document, rc.operation, rc.operationName);
    if (slot.compiled && slot.compiled !== 'interpret') {
      const result = await slot.compiled.query(undefined, rc.context, rc.request.variables ?? {});
      // No data at all: the variables were refused before any resolver ran. graphql-js words that refusal the way
      // Apollo recognises as BAD_USER_INPUT (HTTP 400), so it answers those requests.
      if (result.data !== undefined) {
        compiled++;
        return withPlainErrors(result);
      }
    }
    return interpret(rc);
  };

  const interpret = async (rc: Parameters<GatewayExecutor>[0]): Promise<Result> => {
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
    stats: () => ({ interpreted, compiled, compilations, documents: slots.size, compiledChars }),
  };
}

/**
 * graphql-jit compiles with `new Function`, and V8 keeps each such function's source and code in its compilation
 * cache through several full collections: the forgotten documents' code stayed, and a client cycling through
 * distinct documents grew the heap by a megabyte per document (2 GB after 3,000; 150 MB without the cache). The
 * cache only saves compiling the same source twice, which the slots above already avoid.
 */
function withoutEvalCache(): void {
  v8.setFlagsFromString('--no-compilation-cache');
}

const SOURCE = '__DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation';

/** The generated source's length; the copy `debug` made is dropped at once (V8 keeps its own for the function). */
function takeSourceLength(result: CompiledQuery): number {
  const holder = result as unknown as Record<string, unknown>;
  const source = holder[SOURCE];
  delete holder[SOURCE];
  return typeof source === 'string' ? source.length : 0;
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
