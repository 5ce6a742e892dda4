// Where a GraphQL request goes by its Accept header: weighed, not searched for a substring (a client preferring
// JSON, `text/event-stream;q=0.1, application/json`, had its query refused by the SSE transport), and a tie
// (urql's default header) left to the document rather than sent to SSE.
import { describe, expect, it } from 'vitest';
import { isSubscription } from '../../src/live/operationKind.js';
import { acceptChoice } from '../../src/live/sse.js';

describe('acceptChoice', () => {
  it.each([
    ['text/event-stream', 'stream'],
    ['Text/Event-Stream; charset=utf-8', 'stream'],
    ['text/event-stream, application/json;q=0.9', 'stream'],
    ['text/event-stream, application/json', 'either'],
    ['application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed', 'either'],
    ['application/json, text/event-stream;q=0.5', 'json'],
    ['text/event-stream;q=0.1, application/json', 'json'],
    ['application/graphql-response+json, text/event-stream;q=0.9', 'json'],
    ['text/event-stream;q=0', 'json'],
    ['application/json', 'json'],
    ['*/*', 'json'],
    [undefined, 'json'],
  ])('%s -> %s', (accept, choice) => expect(acceptChoice(accept)).toBe(choice));
});

describe('isSubscription', () => {
  it.each([
    ['subscription { group(id: "x") { id } }', undefined, true],
    ['subscription S { a } query Q { b }', 'S', true],
    ['subscription S { a } query Q { b }', 'Q', false],
    ['subscription S { a } query Q { b }', undefined, false],
    ['{ groups(filter: { name: "subscription" }) { totalCount } }', undefined, false],
    ['# subscription\n{ a }', undefined, false],
    ['subscription {', undefined, false],
    [`subscription { a(x: ${'['.repeat(3000)}) }`, undefined, false],
    [42, undefined, false],
  ])('%s (%s) -> %s', (query, name, sub) => expect(isSubscription(query, name, 2000)).toBe(sub));
});
