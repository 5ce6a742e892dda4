import { createHash } from 'node:crypto';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationRule,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { RequestContext } from '../context.js';
import { FacadeError } from '../errors.js';
import { checkOperation, unresolvedOperation } from '../graphql/guards.js';
import { validationMessage } from '../graphql/errors.js';
import { repeatsTooMuch, tooManyRepeats } from '../graphql/repeats.js';
import { isObject } from '../upstreams/wire.js';
import { NESTING_MESSAGE, nestsTooDeep } from '../graphql/nesting.js';
import { ValidDocuments } from './validDocuments.js';

/** A subscription request refused before anything ran, with the HTTP status an SSE request answers it with. */
export interface Refusal {
  errors: GraphQLError[];
  status: number;
}

export interface ParsedSubscription {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

export interface DocumentRules {
  schema: GraphQLSchema;
  maxTokens: number;
  maxNodes: number;
  /** graphql-armor's depth, alias and directive rules: the same as for queries. */
  validationRules: readonly ValidationRule[];
  /** Field suggestions ("did you mean …") would map the schema for anyone: development only, as for queries. */
  development: boolean;
}

export function refusal(code: string, message: string, status: number): Refusal {
  return { errors: [new GraphQLError(message, { extensions: { code } })], status };
}

/** A WebSocket's subscribe past MAX_SUBSCRIPTIONS_PER_CONNECTION (`max`). */
export function connectionFull(max: number): Refusal {
  return refusal('TOO_MANY_SUBSCRIPTIONS', `This connection already holds ${max} subscriptions (MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first.`, 429);
}

/**
 * An automatic persisted query's hash, checked as Apollo checks a query's: a hash that does not match the document
 * is refused rather than ignored.
 */
function persistedQueryRefusal(extensions: unknown, query: unknown): Refusal | null {
  const persisted = isObject(extensions) ? extensions.persistedQuery : undefined;
  if (persisted === undefined) return null;
  const hash = isObject(persisted) ? persisted.sha256Hash : undefined;
  if (typeof hash !== 'string') return refusal('BAD_REQUEST', '"extensions.persistedQuery.sha256Hash" must be a string.', 400);
  // A hash alone: graphql-sse and graphql-ws refuse a subscribe without its document before this.
  if (typeof query !== 'string') return null;
  if (createHash('sha256').update(query).digest('hex') !== hash.toLowerCase()) return refusal('BAD_REQUEST', 'provided sha does not match query', 400);
  return null;
}

// graphql reports its own token limit as a syntax error; a limit is answered as POST answers it (graphql-armor's).
const stoppedByTokenLimit = (err: unknown) => err instanceof Error && /^Syntax Error: Document contains more tha[nt] \d+ tokens/.test(err.message);

/** The request's shape, document and operation, checked as Apollo checks a query's; only subscriptions pass. */
export function parseSubscription(params: Record<string, unknown>, rules: DocumentRules): ParsedSubscription | Refusal {
  const { query, variables, operationName } = params;
  const persisted = persistedQueryRefusal(params.extensions, query);
  if (persisted) return persisted;
  if (typeof query !== 'string' || !query.trim()) return refusal('BAD_REQUEST', 'The request has no GraphQL document ("query").', 400);
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return refusal('BAD_REQUEST', '"variables" must be an object.', 400);
  }
  if (operationName != null && typeof operationName !== 'string') return refusal('BAD_REQUEST', '"operationName" must be a string.', 400);
  const document = validDocument(query, (operationName as string | null) ?? undefined, rules);
  if (isRefusal(document)) return document;
  const operation = getOperationAST(document, (operationName as string | null) ?? undefined);
  if (!operation) return { errors: [unresolvedOperation(operationName as string | undefined)], status: 400 };
  if (operation.operation !== 'subscription') {
    return refusal('BAD_REQUEST', 'Only subscriptions are served over SSE and WebSocket; send queries and mutations as POST /graphql with a JSON body.', 400);
  }
  return {
    document,
    operation,
    operationName: (operationName as string | null) ?? undefined,
    variables: (variables as Record<string, unknown> | null) ?? undefined,
  };
}

const validDocuments = new WeakMap<DocumentRules, ValidDocuments>();

/** The document parsed and validated, or why not; a text that passed once is not parsed or validated again. */
function validDocument(query: string, operationName: string | undefined, rules: DocumentRules): DocumentNode | Refusal {
  let known = validDocuments.get(rules);
  if (!known) validDocuments.set(rules, (known = new ValidDocuments()));
  const cached = known.get(query);
  if (cached) return skippableRefusal(cached, operationName) ?? cached;
  if (nestsTooDeep(query)) return refusal('BAD_REQUEST', NESTING_MESSAGE, 400);
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: rules.maxTokens });
  } catch (err) {
    if (stoppedByTokenLimit(err)) return refusal('GRAPHQL_VALIDATION_FAILED', `Syntax Error: Token limit of ${rules.maxTokens} exceeded.`, 400);
    return refusal('GRAPHQL_PARSE_FAILED', err instanceof Error ? err.message : 'The document does not parse.', 400);
  }
  const invalid = skippableRefusal(document, operationName) ?? validated(document, rules);
  if (invalid) return invalid;
  known.add(query, document);
  return document;
}

/** The named operation's root field under @skip or @include (it depends on the operation, so it is checked each time). */
function skippableRefusal(document: DocumentNode, operationName: string | undefined): Refusal | null {
  const operation = getOperationAST(document, operationName);
  const skippable = operation?.operation === 'subscription' ? skippableRoot(document, operation) : null;
  return skippable ? { errors: [skippable], status: 400 } : null;
}

/** graphql's validation with the facade's rules (the same for every operation of the document). */
function validated(document: DocumentNode, rules: DocumentRules): Refusal | null {
  if (repeatsTooMuch(document)) return { errors: [tooManyRepeats()], status: 400 };
  let invalid: readonly GraphQLError[];
  try {
    invalid = validate(rules.schema, document, [...specifiedRules, ...rules.validationRules]);
  } catch (err) {
    // graphql 16's SingleFieldSubscriptionsRule throws (a variable it has no value for): the document's fault.
    if (!(err instanceof GraphQLError)) throw err;
    invalid = [err];
  }
  if (!invalid.length) return null;
  const errors = invalid.map(
    (e) => new GraphQLError(validationMessage(rules.development ? e.message : e.message.replace(/ Did you mean .*$/, '')), { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
  );
  return { errors, status: 400 };
}

/**
 * @skip or @include on a subscription's root selection (a field, or a fragment around it), which the GraphQL spec
 * forbids: the one field a subscription follows must be known without its variables. graphql 16 throws on it
 * instead (the variable form in validation, the literal one when the stream is made).
 */
function skippableRoot(document: DocumentNode, operation: OperationDefinitionNode): GraphQLError | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const seen = new Set<string>();
  const find = (set: SelectionSetNode): SelectionNode | undefined => {
    for (const selection of set.selections) {
      if (selection.directives?.some((d) => d.name.value === 'skip' || d.name.value === 'include')) return selection;
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : selection.kind === Kind.FRAGMENT_SPREAD ? spread(selection.name.value) : undefined;
      const found = inner && find(inner);
      if (found) return found;
    }
    return undefined;
  };
  // Each fragment once: a cycle is validation's to refuse, later.
  const spread = (name: string) => (seen.has(name) ? undefined : (seen.add(name), fragments.get(name)?.selectionSet));
  const found = find(operation.selectionSet);
  if (!found) return null;
  const message = 'A subscription\'s root field cannot be skipped: @skip and @include are not allowed on it or on a fragment around it.';
  return new GraphQLError(message, { nodes: [found], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
}

/** The cost, input and all-projects checks every query passes (src/graphql/guards.ts), before any upstream call. */
export function guardSubscription(parsed: ParsedSubscription, rules: DocumentRules, context: RequestContext): Refusal | null {
  try {
    checkOperation(rules.schema, rules.maxNodes, parsed.document, parsed.operation, parsed.variables, context);
    return null;
  } catch (err) {
    if (err instanceof FacadeError) return refusal(err.code, err.message, err.code === 'FORBIDDEN' ? 403 : 400);
    if (err instanceof GraphQLError) return { errors: [err], status: 400 };
    throw err;
  }
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'errors' in value && 'status' in value;
}
