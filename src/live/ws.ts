import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { handleProtocols } from 'graphql-ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { tokenFrom, tokenOf } from '../context.js';
import { RefusalPacing } from '../http/pacing.js';
import { endedBehindOwedAnswers, isWebSocketUpgrade, serveWithoutUpgrade } from '../http/plainUpgrade.js';
import { atMost } from '../http/waits.js';
import { rawDoorAnswer } from '../http/respond.js';
import type { Logger } from '../observability/logger.js';
import { requestTarget } from '../http/target.js';
import { requestIds, withRequestIdIn } from '../observability/requestId.js';
import type { LiveHub } from './hub.js';
import { connectionFull, isRefusal } from './prepare.js';
import { PushStream } from './stream.js';
import { serveGraphqlWs } from './wsProtocol.js';
import { CROSS_SITE_WEBSOCKET_MESSAGE, isCrossSitePage } from '../http/crossSite.js';

export interface WebSocketTransport {
  /**
   * The drained subscriptions' last results are flushed, then every socket is closed with 1001 (going away), with
   * no `complete` for them: graphql-ws's clients reconnect then and subscribe again.
   */
  close(): Promise<void>;
}

/** connection_init's payload: `X-Auth-Token` or `authorization`, in any letter case (clients differ). */
function paramsHeaders(params: Readonly<Record<string, unknown>> | undefined) {
  const lower = new Map<string, string>();
  for (const [key, value] of Object.entries(params ?? {})) if (typeof value === 'string') lower.set(key.toLowerCase(), value);
  return { get: (name: string) => lower.get(name) };
}

/**
 * GraphQL over WebSocket (graphql-ws, subprotocol graphql-transport-ws) on the HTTP server's port, path /graphql.
 * The token comes from connection_init's payload (browsers cannot set headers on a WebSocket), else from the
 * upgrade request's headers; it is checked at each subscribe, like each query's.
 */
export function attachWebSockets(server: Server, hub: LiveHub, maxPayload: number, log: Logger): WebSocketTransport {
  const wss = new WebSocketServer({ noServer: true, maxPayload, handleProtocols });
  const streams = new SocketStreams();
  wss.on('connection', (ws: WebSocket) => streams.opened(ws));
  const wrongProtocol = wrongProtocolServer();
  // A client that subscribes again at once after each refusal for load or a limit is held as HTTP's are (pacing.ts).
  const pacing = new RefusalPacing();
  // graphql-ws takes GraphQLErrors only: each carries the subscription's request id to onError, which formats it.
  const paced = async (socket: WebSocket, errors: readonly GraphQLError[], status: number | undefined, requestId: string) => {
    const retryable = (status === 429 || status === 503) && errors[0]?.extensions?.code !== 'SHUTTING_DOWN';
    if (retryable) await pacing.hold(socket, 1);
    return errors.map((e) => new GraphQLError(e.message, { originalError: e.originalError, extensions: { ...e.extensions, requestId } }));
  };
  // The upgrade's answer carries X-Request-Id as every other answer does: the 101, and ws's refusals of a bad handshake.
  const upgradeIds = new WeakMap<IncomingMessage, string>();
  const idOf = (req: IncomingMessage) => upgradeIds.get(req) ?? requestIds(req.headers['x-request-id']).id;
  for (const handshakes of [wss, wrongProtocol]) {
    handshakes.on('headers', (headers: string[], req: IncomingMessage) => void headers.push(`X-Request-Id: ${idOf(req)}`));
    handshakes.on('wsClientError', (err: Error, socket: Duplex, req: IncomingMessage) => {
      const status = err.message === 'Invalid HTTP method' ? 405 : 400;
      refuseUpgrade(socket, status, `${err.message}.`, idOf(req), err.message.includes('Version') ? { 'sec-websocket-version': '13, 8' } : {});
    });
  }
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (endedBehindOwedAnswers(socket)) return;
    if (!isWebSocketUpgrade(req)) return serveWithoutUpgrade(server, req, socket, head);
    const requestId = requestIds(req.headers['x-request-id']).id;
    upgradeIds.set(req, requestId);
    const path = requestTarget(req.url)?.pathname;
    if (path === undefined) return refuseUpgrade(socket, 400, 'The request target is not a URL path. The GraphQL endpoint is /graphql.', requestId);
    if (req.headers.host === undefined) return refuseUpgrade(socket, 400, 'An HTTP/1.1 request must carry a Host header.', requestId);
    if (hub.draining) return refuseUpgrade(socket, 503, 'The server is shutting down; connect to another instance.', requestId);
    if (path !== '/graphql') return refuseUpgrade(socket, 404, 'Not found. The GraphQL endpoint is /graphql.', requestId);
    // Browsers send a WebSocket handshake cross-site without a preflight; its subscriptions would run as the demo admin.
    if (isCrossSitePage(req, hub.allowsOrigin)) return refuseUpgrade(socket, 403, CROSS_SITE_WEBSOCKET_MESSAGE, requestId);
    if (offersOnlyOthers(req)) return wrongProtocol.handleUpgrade(req, socket, head, refuseProtocol);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  serveGraphqlWs(
    wss,
    {
      onSubscribe: async (ctx, id, payload) => {
        // Taken before any await: graphql-ws calls onSubscribe in the same turn as it reads the message.
        const left = ctx.extra.left(id);
        const fromParams = tokenFrom(paramsHeaders(ctx.connectionParams));
        const token = fromParams ?? tokenOf(ctx.extra.request.headers);
        const socket = ctx.extra.socket;
        let caller;
        // Per subscription: the upgrade request's X-Request-Id when it sent a safe one, else one of its own.
        const origin = { requestId: requestIds(ctx.extra.request.headers['x-request-id']).id, transport: 'ws' as const, client: hub.clientAddressOf(ctx.extra.request) };
        // Counted from the moment graphql-ws reads it, not once admitted: else a burst on one socket waited at the
        // door in full, and each admitted counted the socket's ids (20,000 subscribes: 49 s of the event loop).
        const operationName = (payload as { operationName?: unknown }).operationName;
        if (ctx.extra.subscribes() > hub.maxPerConnection) {
          hub.refusedByTransport(origin, 'TOO_MANY_SUBSCRIPTIONS', 429, operationName);
          return paced(socket, connectionFull(hub.maxPerConnection).errors, 429, origin.requestId);
        }
        try {
          caller = await hub.admit(token, origin, operationName, left);
        } catch (err) {
          const error = err as GraphQLError;
          return paced(socket, [error], (error.extensions?.http as { status?: number } | undefined)?.status, origin.requestId);
        }
        const prepared = hub.prepare(payload as unknown as Record<string, unknown>, caller);
        if (isRefusal(prepared)) return paced(socket, prepared.errors, prepared.status, origin.requestId);
        pacing.admitted(socket);
        streams.expect(prepared, socket);
        return prepared;
      },
      subscribe: async (args) => streams.held(args, await hub.subscribe(args)) as never,
      // Results are formatted by the hub already (the facade's codes, no stack traces).
      onNext: (_ctx, _id, _payload, _args, result) => result as never,
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((e) => {
          const requestId = e.extensions?.requestId;
          return typeof requestId === 'string' ? withRequestIdIn([hub.formatError(e)], requestId)[0]! : hub.formatError(e);
        }),
    },
    log,
    {
      maxSubscriptions: hub.maxPerConnection,
      onCut: (req, unread) =>
        log.warn({ requestId: upgradeIds.get(req), unreadBytes: unread.bytes, unreadMessages: unread.messages }, 'WebSocket client stopped reading; connection cut'),
    },
  );
  return {
    close: async () => {
      // The results the drain let through are still on their way out: give them a moment.
      await pause(50);
      const closing = [...wss.clients].map((ws) => new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1001, 'The server is shutting down');
      }));
      // A client that never answers the close handshake is cut after a second.
      await atMost(Promise.all(closing), 1_000);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * The streams each socket started, all ended when it closes, whatever graphql-ws still knows of their ids: a stream
 * graphql-ws lost track of would otherwise poll, and hold its caller's places, for good.
 */
class SocketStreams {
  private readonly bySocket = new WeakMap<WebSocket, Set<PushStream<unknown>>>();
  /** A prepared subscribe's socket, by its context (what graphql-ws hands subscribe()). */
  private readonly socketOf = new WeakMap<object, WebSocket>();

  opened(socket: WebSocket): void {
    const held = new Set<PushStream<unknown>>();
    this.bySocket.set(socket, held);
    socket.once('close', () => held.forEach((stream) => void stream.return()));
  }

  expect(args: ExecutionArgs, socket: WebSocket): void {
    this.socketOf.set(args.contextValue as object, socket);
  }

  held<T>(args: ExecutionArgs, result: T): T {
    const socket = this.socketOf.get(args.contextValue as object);
    const held = socket && this.bySocket.get(socket);
    if (!(result instanceof PushStream) || !held) return result;
    if (socket.readyState === socket.CLOSED) void result.return();
    // Cut by a drain, it is not ended for graphql-ws, which would send `complete` (a client would not subscribe
    // again): the socket's close (1001) ends it, so it stays held until then.
    result.holdWhenCut();
    held.add(result);
    result.onceEnded(() => void (result.wasCut || held.delete(result)));
    return result;
  }
}

/** A refused upgrade, answered on its socket as the HTTP server answers a refused request: a JSON error and the id. */
function refuseUpgrade(socket: Duplex, status: number, message: string, requestId: string, headers: Record<string, string> = {}): void {
  socket.once('finish', () => socket.destroy());
  const code = status === 503 ? 'SHUTTING_DOWN' : status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST';
  socket.end(rawDoorAnswer(status, code, message, requestId, headers));
}

// Not unref'd: on an idle facade nothing else keeps the process up while the shutdown awaits it.
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const GRAPHQL_TRANSPORT_WS = 'graphql-transport-ws';
/** The subprotocol of subscriptions-transport-ws (Apollo's old client), unmaintained since 2021. */
const LEGACY_GRAPHQL_WS = 'graphql-ws';

/** The upgrade offers subprotocols, none of them graphql-transport-ws. */
function offersOnlyOthers(req: IncomingMessage): boolean {
  const offered = req.headers['sec-websocket-protocol'];
  if (!offered) return false;
  return !offered.split(',').some((p) => p.trim() === GRAPHQL_TRANSPORT_WS);
}

/**
 * Completes the handshake of a client that offered only other subprotocols, echoing the first, so that it gets a
 * close code and a reason (4406, as graphql-ws closes a socket with no subprotocol) instead of a handshake its
 * WebSocket fails with no explanation (a server that picks none of the offered protocols leaves the client to
 * abort). Nothing is read from such a socket.
 */
function wrongProtocolServer(): WebSocketServer {
  return new WebSocketServer({ noServer: true, maxPayload: 1024, handleProtocols: (offered) => offered.values().next().value ?? false });
}

function refuseProtocol(ws: WebSocket): void {
  const legacy = ws.protocol === LEGACY_GRAPHQL_WS ? ' subscriptions-transport-ws is not supported,' : '';
  // A close reason holds at most 123 bytes.
  ws.close(4406, `Subprotocol not acceptable:${legacy} use ${GRAPHQL_TRANSPORT_WS} (graphql-ws)`);
}
