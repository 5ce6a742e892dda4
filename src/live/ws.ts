import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { tokenFrom, tokenOf } from '../context.js';
import { requestIds } from '../observability/requestId.js';
import type { LiveHub } from './hub.js';
import { isRefusal } from './prepare.js';

export interface WebSocketTransport {
  /** Completed subscriptions are flushed, then every socket is closed with 1001 (going away). */
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
export function attachWebSockets(server: Server, hub: LiveHub, maxPayload: number): WebSocketTransport {
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/graphql' || hub.draining) {
      socket.end(`HTTP/1.1 ${hub.draining ? '503 Service Unavailable' : '404 Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  useServer(
    {
      onSubscribe: async (ctx, _id, payload) => {
        const fromParams = tokenFrom(paramsHeaders(ctx.connectionParams));
        const token = fromParams ?? tokenOf(ctx.extra.request.headers);
        let caller;
        try {
          // Per subscription: the upgrade request's X-Request-Id when it sent a safe one, else one of its own.
          const origin = { requestId: requestIds(ctx.extra.request.headers['x-request-id']).id, transport: 'ws' as const };
          caller = await hub.admit(token, ctx.extra.request.socket.remoteAddress, origin, (payload as { operationName?: unknown }).operationName);
        } catch (err) {
          return [err as GraphQLError];
        }
        // graphql-ws has reserved this subscription's id already: it is counted.
        const prepared = hub.prepare(payload as unknown as Record<string, unknown>, caller, Object.keys(ctx.subscriptions).length);
        return isRefusal(prepared) ? prepared.errors : prepared;
      },
      subscribe: (args) => hub.subscribe(args) as never,
      // Results are formatted by the hub already (the facade's codes, no stack traces).
      onNext: (_ctx, _id, _payload, _args, result) => result as never,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => hub.formatError(e)),
    },
    wss,
  );
  return {
    close: async () => {
      // graphql-ws sends each `complete` once the stream has ended: give those messages a moment to go out.
      await pause(50);
      const closing = [...wss.clients].map((ws) => new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1001, 'The server is shutting down');
      }));
      // A client that never answers the close handshake is cut after a second.
      await Promise.race([Promise.all(closing), pause(1_000)]);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
