// A document with a syntax error is GRAPHQL_PARSE_FAILED (HTTP 400) on every transport, as Apollo Server answers it
// and as clients (Apollo Client, urql) expect; it was GRAPHQL_VALIDATION_FAILED over POST and GET, because
// graphql-armor's token limit parses each document first and reported whatever stopped it as its own refusal.
// Limits hit while parsing (tokens) stay GRAPHQL_VALIDATION_FAILED: they are limits, not syntax errors.
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { sseSubscribe, wsConnection } from '../helpers/live.js';
import { type Line, logCapture } from '../helpers/logs.js';

const MAX_TOKENS = 40;
const TOKEN = 'parse-errors';

interface Answer {
  /** null over WebSocket: a subscribe's error has no HTTP status. */
  status: number | null;
  errors: { message: string; extensions?: Record<string, any> }[];
  raw: string;
  /** The request id the error must carry: the X-Request-Id sent (a WebSocket's subscribe gets one of its own). */
  requestId: string | RegExp;
}

let f: Facade;
let logs: Line[];
const upstreamCalls = () => Object.values(f.app.simulators).reduce((n, s) => n + s.calls.length, 0);

async function answerOf(res: { statusCode: number; body: { text(): Promise<string> } }, requestId: string): Promise<Answer> {
  const raw = await res.body.text();
  return { status: res.statusCode, errors: (JSON.parse(raw) as { errors: Answer['errors'] }).errors, raw, requestId };
}

const transports: Record<string, (query: string, requestId: string) => Promise<Answer>> = {
  POST: async (query, requestId) =>
    answerOf(await request(f.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': TOKEN, 'x-request-id': requestId }, body: JSON.stringify({ query }) }), requestId),
  GET: async (query, requestId) =>
    answerOf(await request(`${f.url}?query=${encodeURIComponent(query)}`, { headers: { 'apollo-require-preflight': 'true', 'x-auth-token': TOKEN, 'x-request-id': requestId } }), requestId),
  SSE: async (query, requestId) => {
    const sse = await sseSubscribe(f.url, query, {}, { 'x-auth-token': TOKEN, 'x-request-id': requestId });
    const raw = sse.body ?? `(an event stream: ${JSON.stringify(sse.results)})`;
    return { status: sse.status, errors: JSON.parse(raw).errors, raw, requestId };
  },
  WebSocket: async (query) => {
    const conn = wsConnection(f.url, { 'x-auth-token': TOKEN });
    try {
      const sub = conn.subscribe(query);
      await sub.completed;
      const errors = (sub.errors[0] ?? []) as Answer['errors'];
      return { status: null, errors, raw: JSON.stringify({ errors, results: sub.results }), requestId: /^req-/ };
    } finally {
      conn.dispose();
    }
  },
};

/** Fails with the transport, the document and the answer, so a wrong code explains itself. */
function expectRefused(answer: Answer, code: string, how: string): void {
  const context = `${how}\nanswer: ${answer.status} ${answer.raw}`;
  if (answer.status !== null) expect(answer.status, context).toBe(400);
  expect(answer.errors, context).toHaveLength(1);
  expect(answer.errors[0]!.extensions?.code, context).toBe(code);
  expect(answer.errors[0]!.extensions?.requestId, context).toMatch(answer.requestId);
}

beforeAll(async () => {
  const capture = logCapture();
  logs = capture.lines;
  f = await startFacade({ GRAPHQL_MAX_TOKENS: String(MAX_TOKENS) }, undefined, undefined, { logDestination: capture.stream });
});
afterAll(() => f.close());
beforeEach(() => {
  for (const s of Object.values(f.app.simulators)) s.resetCalls();
});

describe('a syntax error', () => {
  it.each([
    ['a missing brace', '{ groups(first: 1) { nodes { id }', 'Syntax Error: Expected Name, found <EOF>.'],
    ['a character GraphQL has no token for', '{ groups(first: 1) { nodes { id ☃ } } }', 'Syntax Error: Unexpected character: U+2603.'],
    ['an unterminated string', 'subscription { job(id: "x) { id } }', 'Syntax Error: Unterminated string.'],
  ])('(%s) is GRAPHQL_PARSE_FAILED with the same message over POST, GET, SSE and WebSocket; nothing goes upstream', async (_, query, message) => {
    for (const [name, send] of Object.entries(transports)) {
      const answer = await send(query, `parse-${name}`);
      expectRefused(answer, 'GRAPHQL_PARSE_FAILED', `${name} ${query}`);
      expect(answer.errors[0]!.message, `${name} ${query}`).toBe(message);
    }
    expect(upstreamCalls()).toBe(0);
  });

  it('is logged with its code and status, as any refused request', async () => {
    await transports.POST!('{ groups(first: 1) { nodes { id }', 'parse-logged');
    const line = await waitFor(async () => logs.find((l) => l.requestId === 'parse-logged' && l.msg === 'graphql request'), (l) => l !== undefined, 2_000, 20);
    expect(line).toMatchObject({ status: 400, errorCodes: ['GRAPHQL_PARSE_FAILED'] });
  });
});

describe('a document over GRAPHQL_MAX_TOKENS', () => {
  const many = (n: number) => Array.from({ length: n }, () => '__typename').join(' ');

  it.each([
    ['well formed', `{ ${many(MAX_TOKENS)} }`],
    // The limit is met before the parser reaches the error: it is what stopped the parse.
    ['with a syntax error past the limit', `{ ${many(MAX_TOKENS)} ☃ }`],
  ])('(%s) is still GRAPHQL_VALIDATION_FAILED (a limit, not a syntax error) over POST and GET', async (_, query) => {
    for (const name of ['POST', 'GET']) {
      const answer = await transports[name]!(query, `tokens-${name}`);
      expectRefused(answer, 'GRAPHQL_VALIDATION_FAILED', `${name} ${query}`);
      expect(answer.errors[0]!.message).toBe(`Syntax Error: Token limit of ${MAX_TOKENS} exceeded.`);
    }
    expect(upstreamCalls()).toBe(0);
  });

  it('a syntax error before the limit is a syntax error', async () => {
    const answer = await transports.POST!(`{ ☃ ${many(MAX_TOKENS)} }`, 'tokens-after');
    expectRefused(answer, 'GRAPHQL_PARSE_FAILED', 'POST');
  });

  // Subscriptions parse in src/live/prepare.ts with graphql's own token limit, which reports it as a syntax error.
  it('is GRAPHQL_VALIDATION_FAILED over SSE and WebSocket too', async () => {
    const query = `subscription { job(id: "x") { ${Array.from({ length: MAX_TOKENS }, () => 'id').join(' ')} } }`;
    for (const name of ['SSE', 'WebSocket']) {
      const answer = await transports[name]!(query, `tokens-${name}`);
      expectRefused(answer, 'GRAPHQL_VALIDATION_FAILED', `${name} ${query}`);
      expect(answer.errors[0]!.message).toBe(`Syntax Error: Token limit of ${MAX_TOKENS} exceeded.`);
    }
  });
});
