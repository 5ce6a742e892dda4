// Which POST /graphql is a subscription over SSE: its Accept header weighed, not searched for a substring (a client
// preferring JSON, `text/event-stream;q=0.1, application/json`, had its query refused by the SSE transport).
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { wantsEventStream } from '../../src/live/sse.js';

const post = (accept?: string) => ({ method: 'POST', headers: accept === undefined ? {} : { accept } }) as IncomingMessage;

describe('wantsEventStream', () => {
  it.each([
    ['text/event-stream', true],
    ['text/event-stream, application/json', true],
    ['Text/Event-Stream; charset=utf-8', true],
    ['application/json, text/event-stream;q=0.5', false],
    ['text/event-stream;q=0.1, application/json', false],
    ['application/graphql-response+json, text/event-stream;q=0.9', false],
    ['text/event-stream;q=0', false],
    ['application/json', false],
    [undefined, false],
  ])('%s -> %s', (accept, sse) => expect(wantsEventStream(post(accept))).toBe(sse));

  it('never for a GET', () => {
    expect(wantsEventStream({ method: 'GET', headers: { accept: 'text/event-stream' } } as unknown as IncomingMessage)).toBe(false);
  });
});
