import { Kind, type OperationDefinitionNode, parse } from 'graphql';
import { nestsTooDeep } from '../graphql/nesting.js';

/**
 * Whether the operation a request names is a subscription: how a request whose Accept weighs JSON and event
 * streams alike (urql's default) is routed. Anything that does not parse is not, and gets its error as JSON.
 */
export function isSubscription(query: unknown, operationName: unknown, maxTokens: number): boolean {
  // Most documents never spell the keyword: they are not parsed here at all.
  if (typeof query !== 'string' || !query.includes('subscription') || nestsTooDeep(query)) return false;
  let operations: OperationDefinitionNode[];
  try {
    operations = parse(query, { noLocation: true, maxTokens }).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  } catch {
    return false;
  }
  const named = typeof operationName === 'string' && operationName !== '';
  const operation = named ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  return operation?.operation === 'subscription';
}

/** `query` and `operationName` of a POST body, when it is a JSON object. */
export function bodyParams(raw: string): { query?: unknown; operationName?: unknown } {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The document of a GraphQL request: the body's `query`, or the URL's for a GET. */
export function documentOf(body: unknown, search: string): string {
  const query = body !== null && typeof body === 'object' ? (body as { query?: unknown }).query : new URLSearchParams(search).get('query');
  return typeof query === 'string' ? query : '';
}
