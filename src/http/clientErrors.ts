import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { rawDoorAnswer, refuse } from './respond.js';
import type { Duplex } from 'node:stream';
import type { Logger } from '../observability/logger.js';
import { requestIds } from '../observability/requestId.js';

/** What Node answers a request its parser refused (lib/_http_server.js), with the facade's error body and id. */
function answerOf(code: string | undefined): [number, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'The request headers are too large.'];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'The chunk extensions are too large.'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'The request did not arrive in time.'];
    default:
      return [400, 'Malformed HTTP request.'];
  }
}

/**
 * Requests Node's HTTP parser refuses (a bad method, a bare CR in a header, headers too large, too slow) get the
 * answer Node would give, plus the X-Request-Id and JSON error body every other answer carries. Written to the
 * socket: such a request has no response object.
 */
export function answerClientErrors(server: Server, log: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Node's own rule: answer only if nothing of an answer on this connection is on the wire yet.
    const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) return void socket.destroy();
    const [status, message] = answerOf(err.code);
    const requestId = requestIds(undefined).id;
    log.debug({ requestId, status, parserError: err.code }, 'malformed HTTP request refused');
    socket.write(rawDoorAnswer(status, status === 408 ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST', message, requestId));
    // As Node does: the connection's state is unknown past a parse error, so it is closed at once.
    socket.destroy();
  });
}

/** An `Expect` other than 100-continue: Node's own 417 is empty; this one has the id and JSON error of the rest. */
export function answerOddRequests(server: Server): void {
  server.on('checkExpectation', (req, res) => {
    res.setHeader('x-request-id', requestIds(req.headers['x-request-id']).id);
    refuse(res, 417, 'BAD_REQUEST', 'Only "Expect: 100-continue" is understood.', { close: true });
  });
  // CONNECT (a proxy's tunnel) has no response object: Node would drop the connection without a word.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    const requestId = requestIds(req.headers['x-request-id']).id;
    socket.end(rawDoorAnswer(405, 'BAD_REQUEST', 'CONNECT is not served here: this is not a proxy.', requestId, { allow: 'GET, POST, OPTIONS' }));
  });
}

/**
 * HTTP/1.1 requires a Host header (RFC 9112, 3.2). Node's own check answers an empty 400, so servers are made with
 * `requireHostHeader: false` and their handlers call this first (the answer's X-Request-Id is set already).
 */
export function refusedWithoutHost(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.httpVersion !== '1.1' || req.headers.host !== undefined) return false;
  refuse(res, 400, 'BAD_REQUEST', 'An HTTP/1.1 request must carry a Host header.', { close: true });
  return true;
}
