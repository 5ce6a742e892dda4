import { ApolloServer, type ApolloServerOptionsWithGateway, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { type DocumentNode, GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { Limits } from '../config.js';
import type { RequestContext } from '../context.js';
import type { Logger } from '../observability/logger.js';
import { buildSchema } from '../schema.js';
import { formatErrorWith } from './errors.js';
import { type CompilingExecutor, compilingExecutor, executorGateway } from './executor.js';
import { repeatsPlugin } from './repeats.js';
import { guardsPlugin } from './guards.js';
import { boundedIntrospection } from './schemaIntrospection.js';
import { PREFLIGHTED_HEADERS } from '../http/crossSite.js';

export interface GraphQLServerOptions {
  limits: Limits;
  development: boolean;
  /** Runs of a document through graphql-js before graphql-jit compiles it; null: never compiled. */
  compileAfter: number | null;
  log: Logger;
  /** Plugins of the host's, after the guards (the request log's: operation, error codes, requestId). */
  plugins?: ApolloServerPlugin<RequestContext>[];
}

/** Apollo Server as the facade runs it (not yet started), and the parts subscriptions reuse outside it. */
export interface GraphQLServer {
  apollo: ApolloServer<RequestContext>;
  schema: GraphQLSchema;
  execution: CompilingExecutor;
  /** graphql-armor's depth, alias, directive and token rules (and field suggestions blocked outside development). */
  validationRules: ValidationRule[];
}

/** Hands each request's response object to its context, which empties it once the answer is written (context.ts). */
const answerRelease: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async willSendResponse(rc) {
        rc.contextValue.holdAnswer(rc.response);
      },
    };
  },
};

/**
 * Parsed documents Apollo keeps, by the size of their JSON (Apollo's measure). A parsed document holds about five
 * times its JSON on the heap, tokens and locations included: Apollo's default of 30 MiB let one client sending
 * distinct documents make the facade keep about 200 MB. 8 MiB is hundreds of a portal's documents.
 */
export const DOCUMENT_STORE_BYTES = 8 * 2 ** 20;

/**
 * The document store, each document counted with its source text: a parsed document keeps the whole text it was
 * parsed from (`loc.source.body`), which its JSON leaves out. `{__typename}` padded to 250 KB with spaces or a
 * comment measured 412 bytes, so one client sending such documents filled the heap in minutes (probe of 2026-12-07).
 */
export function createDocumentStore(maxBytes = DOCUMENT_STORE_BYTES): InMemoryLRUCache<DocumentNode> {
  return new InMemoryLRUCache<DocumentNode>({
    maxSize: maxBytes,
    sizeCalculation: (doc) => InMemoryLRUCache.sizeCalculation(doc) + (doc.loc?.source.body.length ?? 0),
  });
}

/**
 * graphql-armor's token limit answers every error Apollo's pipeline did not expect as its own validation failure,
 * with the error's text: a stack overflow reached the client as "RangeError: …", unlogged. Its own refusals (a
 * GraphQLError) stay its own; anything else is logged here and answered as Apollo's 500, without its text.
 */
export function armorPlugins(plugins: ApolloServerPlugin<RequestContext>[], log: Logger): ApolloServerPlugin<RequestContext>[] {
  return plugins.map(leavingSyntaxErrors).map((plugin) => {
    const rethrow = plugin.unexpectedErrorProcessingRequest;
    if (!rethrow) return plugin;
    return {
      ...plugin,
      async unexpectedErrorProcessingRequest(args) {
        if (args.error instanceof GraphQLError) return rethrow.call(plugin, args);
        log.error({ err: args.error, requestId: args.requestContext.contextValue?.caller?.requestId }, 'unexpected error in the GraphQL pipeline');
      },
    };
  });
}

/**
 * graphql-armor's token limit parses each new document before Apollo does and reports whatever stops that parse as
 * its own refusal, a syntax error too (GRAPHQL_VALIDATION_FAILED). Only the limit is its to report: a syntax error is
 * left to Apollo's own parse, which answers it GRAPHQL_PARSE_FAILED (400), as subscriptions are answered.
 */
function leavingSyntaxErrors(plugin: ApolloServerPlugin<RequestContext>): ApolloServerPlugin<RequestContext> {
  const started = plugin.requestDidStart;
  if (!started) return plugin;
  return {
    ...plugin,
    async requestDidStart(requestContext) {
      const listener = await started.call(plugin, requestContext);
      const parsing = listener?.parsingDidStart;
      if (!listener || !parsing) return listener;
      return {
        ...listener,
        async parsingDidStart(parsingContext) {
          try {
            return await parsing.call(listener, parsingContext);
          } catch (err) {
            if (!isSyntaxError(err)) throw err;
          }
        },
      };
    },
  };
}

/**
 * graphql's syntax errors point into the document (`source`); armor's token limit is reported as a "Syntax Error"
 * too, but points nowhere: the limit, not the document, stopped the parse.
 */
function isSyntaxError(err: unknown): boolean {
  return err instanceof GraphQLError && err.source !== undefined;
}

/** Apollo's Logger on the facade's: each line with its message under `msg`, as every other line. */
function apolloLogger(log: Logger): ApolloServerOptionsWithGateway<RequestContext>['logger'] {
  const child = log.child({ component: 'apollo-server' });
  return {
    debug: (message: unknown) => child.debug(String(message)),
    info: (message: unknown) => child.info(String(message)),
    warn: (message: unknown) => child.warn(String(message)),
    error: (message: unknown) => child.error(String(message)),
  };
}

export function createGraphQLServer(opts: GraphQLServerOptions): GraphQLServer {
  const { limits, log } = opts;
  // Depth, alias, directive, token and cost limits run at validation, before any resolver (so before any
  // upstream call). Field suggestions ("did you mean …") would let anyone map the schema: development only.
  const armor = new ApolloArmor({
    // Fragments are no level of depth: a router's `_entities … on Group` or a client's fragment wraps each one.
    maxDepth: { n: limits.maxDepth, flattenFragments: true },
    // A router names each merged fetch `_v0__entities: _entities(…)`: its aliases, not the client's (the 1000
    // representations and the node count bound all `_entities` fields together).
    maxAliases: { n: limits.maxAliases, allowList: ['__typename', '_entities'] },
    maxDirectives: { n: limits.maxDirectives },
    maxTokens: { n: limits.maxTokens },
    // Cost is ours (src/graphql/cost.ts): armor's counted `first` only when it was a literal.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !opts.development },
  }).protect();
  // graphql-armor's typings point at Apollo's CommonJS build of graphql; the rules are graphql's either way.
  const validationRules = [...(armor.validationRules as ValidationRule[]), boundedIntrospection];
  const schema = buildSchema();
  const execution = compilingExecutor(schema, { compileAfter: opts.compileAfter ?? Number.POSITIVE_INFINITY, log });
  const apollo = new ApolloServer<RequestContext>({
    gateway: executorGateway(schema, execution.executor),
    documentStore: createDocumentStore(),
    formatError: formatErrorWith(log),
    // Apollo's own lines (an unexpected pipeline error among them) in the facade's JSON log, not on the console.
    logger: apolloLogger(log),
    includeStacktraceInErrorResponses: false,
    // Apollo's default follows NODE_ENV (off in production); exploring in GraphiQL is a main use, so it is ours.
    introspection: limits.introspection,
    allowBatchedHttpRequests: false,
    csrfPrevention: { requestHeaders: [...PREFLIGHTED_HEADERS] },
    // Apollo would stop itself on SIGTERM and re-raise the signal, killing in-flight requests; main.ts drains.
    stopOnTerminationSignals: false,
    validationRules,
    // graphql-armor's typings point at Apollo's CommonJS build; its plugins are plain hook objects either way.
    plugins: [
      // Before graphql-js's validation, whose comparison of repeated fields a small document can make cost 100 ms.
      repeatsPlugin<RequestContext>(),
      ApolloServerPluginLandingPageDisabled(),
      // No HTTP caching of per-caller data; its per-field hook is measurable CPU (bench profile).
      ApolloServerPluginCacheControlDisabled(),
      // A subgraph would otherwise trace every field for any caller sending `apollo-federation-include-trace`.
      ApolloServerPluginInlineTraceDisabled(),
      ...armorPlugins(armor.plugins as unknown as ApolloServerPlugin<RequestContext>[], log),
      guardsPlugin(schema, limits.maxNodes),
      answerRelease,
      ...(opts.plugins ?? []),
    ],
  });
  return { apollo, schema, execution, validationRules };
}
