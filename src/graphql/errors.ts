import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { FacadeError, UpstreamError } from '../errors.js';
import { type Logger, fallbackLogger } from '../observability/logger.js';

// Apollo's own codes for request-level problems that we pass through unchanged.
const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'QUERY_TOO_LARGE',
]);

/**
 * The one place an error becomes what a client sees: a FacadeError keeps its code and message (plus the
 * upstream's service, status and request id); anything unexpected is logged and shown as an internal error,
 * never with a stack trace or a raw upstream body.
 */
export function formatErrorWith(log: Logger): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => formatOne(formatted, error, log);
}

/** formatErrorWith, logging to stdout (for callers without the facade's logger). */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  return formatOne(formatted, error, fallbackLogger());
}

const INTROSPECTION_OFF = 'Introspection is turned off on this server (GRAPHQL_INTROSPECTION=false).';
// graphql-js stops validating once comparing fields (quadratic in a field repeated within one selection) or
// walking fragment spreads runs past its budget, and says only this.
const VALIDATION_ABORTED = 'Validation aborted.';
export const TOO_MANY_REPEATS =
  'The document repeats the same fields or fragment spreads too many times to be checked: ask for each field, and spread each fragment, once per selection.';

/** graphql-js's and graphql-jit's messages when an argument's value cannot be coerced at execution (getArgumentValues). */
const ARGUMENT_REFUSED = /^Argument "[^"]+" (of (required|non-null) type|of type|has invalid value)/;

/** A validation error's message as a client can act on it (graphql-js's bare "Validation aborted." says nothing). */
export function validationMessage(message: string): string {
  return message === VALIDATION_ABORTED ? TOO_MANY_REPEATS : message;
}

/** The upstream's Retry-After as whole seconds (from seconds or an HTTP date), at most an hour; nothing when unreadable. */
function retryAfterOf(header: string | undefined): { retryAfterSeconds: number } | Record<string, never> {
  if (!header) return {};
  const seconds = /^\d+$/.test(header.trim()) ? Number(header.trim()) : (Date.parse(header) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? { retryAfterSeconds: Math.min(3600, Math.max(0, Math.ceil(seconds))) } : {};
}

const COMPLETION_FAILED = /^(Cannot return null for non-nullable field |Expected Iterable, but did not find one for field )/;

function formatOne(formatted: GraphQLFormattedError, error: unknown, log: Logger): GraphQLFormattedError {
  const unwrapped = unwrapResolverError(error);
  // Refusals raised before execution (the identity gate) are GraphQLErrors carrying the facade's own error.
  const original = unwrapped instanceof GraphQLError && unwrapped.originalError instanceof FacadeError ? unwrapped.originalError : unwrapped;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof FacadeError) {
    const extensions: Record<string, unknown> = { code: original.code };
    if (original instanceof UpstreamError) {
      extensions.upstream = {
        service: original.service,
        status: original.status,
        requestId: original.requestId,
        code: original.upstreamCode,
        ...retryAfterOf(original.retryAfter),
      };
    } else if ('service' in original) {
      extensions.upstream = { service: (original as { service: string }).service, status: null, requestId: null, code: null };
    }
    return { ...base, message: original.message, extensions };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PASS_THROUGH.has(code)) {
    const cost = formatted.extensions?.cost;
    // Apollo's refusal tells the operator to pass an option to ApolloServer: the facade's setting is what they have.
    const message = formatted.message.startsWith('GraphQL introspection is not allowed') ? INTROSPECTION_OFF : validationMessage(formatted.message);
    return { ...base, message, extensions: cost ? { code, cost } : { code } };
  }
  // Apollo turns anything a plugin throws into a GraphQLError around it: what is inside is the facade's bug.
  const cause = original instanceof GraphQLError && original.originalError && !(original.originalError instanceof GraphQLError) ? original.originalError : original;
  if (cause instanceof GraphQLError) {
    // The executor's own refusal of an argument (a null through a defaulted variable) is the client's input.
    if (ARGUMENT_REFUSED.test(cause.message)) return { ...base, extensions: { code: 'BAD_USER_INPUT' } };
    // Apollo's own request refusals without a code ("provided sha does not match query") are the client's; a
    // GraphQL error raised while serialising a value (bad timestamp, non-null violation) has a path, and is not.
    return { ...base, extensions: { code: formatted.path ? 'UPSTREAM_ERROR' : 'BAD_REQUEST' } };
  }
  // graphql-js's own completion of a value the upstream answered (a null for a non-null field, a list that is none)
  // reaches here as a plain Error; graphql-jit raises the same as a GraphQLError (above): the upstream's either way.
  if (formatted.path && cause instanceof Error && COMPLETION_FAILED.test(cause.message)) {
    // Logged: an upstream's odd answer, or a resolver of the facade's returning nothing.
    log.warn({ path: formatted.path, message: cause.message }, 'a value the schema does not allow');
    return { ...base, message: cause.message, extensions: { code: 'UPSTREAM_ERROR' } };
  }
  log.error({ err: cause, path: formatted.path }, 'internal error');
  return { ...base, message: 'Internal error in the facade.', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
