import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPGraphQLResponse } from '@apollo/server';
import type { Limits } from '../config.js';
import type { Observability } from '../observability/index.js';
import type { RequestTrace } from '../observability/requestTrace.js';
import { endAnswer } from './compression.js';
import { boundedAnswer } from './responseSize.js';
import { cutIfStalled } from './stalled.js';

/**
 * Writes Apollo's answer to a query or mutation: its headers and status, never cached, bounded by
 * MAX_RESPONSE_BYTES and compressed as the client takes it; then watches for a client that stops reading it.
 */
export async function writeAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  result: HTTPGraphQLResponse,
  trace: RequestTrace,
  limits: Limits,
  observability: Observability,
): Promise<void> {
  for (const [key, value] of result.headers) res.setHeader(key, value);
  // Every answer is one caller's data: no shared cache may keep it (GET answers included).
  res.setHeader('cache-control', 'no-store');
  res.statusCode = result.status ?? 200;
  // graphql-armor's token limit throws while parsing, which Apollo answers as a 500; a document refused for
  // its shape is the client's error, a 400 like every other validation failure.
  if (res.statusCode === 500 && result.body.kind === 'complete' && result.body.string.includes('"GRAPHQL_VALIDATION_FAILED"')) {
    res.statusCode = 400;
  }
  if (result.body.kind === 'complete') {
    // Refused before Apollo's plugins ran (a bad body, the identity gate): the request id goes in here.
    const text = trace.answered ? result.body.string : observability.requests.withRequestId(trace, result.body.string);
    const answer = boundedAnswer(text, limits.maxResponseBytes, trace.requestId);
    if (answer.status) res.statusCode = answer.status;
    if (answer.code) trace.errorCodes = [answer.code];
    await endAnswer(req, res, answer.body, limits.compressResponses);
  } else {
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }
  cutIfStalled(res, limits.bodyTimeoutMs, () =>
    observability.log.warn({ requestId: trace.requestId, bodyTimeoutMs: limits.bodyTimeoutMs }, 'client stopped reading its answer; connection cut'),
  );
}
