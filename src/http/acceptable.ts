import Negotiator from 'negotiator';

// Apollo Server's media types for one JSON answer (its chooseContentTypeForSingleResultResponse), negotiated the same way.
const JSON_ANSWERS = ['application/json; charset=utf-8', 'application/graphql-response+json; charset=utf-8', 'application/json; callbackSpec=1.0; charset=utf-8'];

// What clients send most (fetch's default, Apollo Client's, graphql-request's): no negotiation needed for these.
const COMMON_JSON_ACCEPTS = new Set([
  '*/*',
  'application/json',
  'application/graphql-response+json',
  'application/graphql-response+json,application/json;q=0.9',
  'application/graphql-response+json, application/json',
]);

export const NOT_ACCEPTABLE_MESSAGE =
  'The Accept header takes no JSON answer: accept application/graphql-response+json or application/json (subscriptions: text/event-stream). Nothing was run.';

/**
 * Whether a query or mutation's answer, JSON, is one the client accepts (no Accept header: yes). Checked before
 * anything runs: Apollo refuses such a request with 406 only once the operation has run, a mutation's write included.
 */
export function acceptsJsonAnswer(accept: string | undefined): boolean {
  if (!accept || COMMON_JSON_ACCEPTS.has(accept)) return true;
  return new Negotiator({ headers: { accept } }).mediaType(JSON_ANSWERS) !== undefined;
}
