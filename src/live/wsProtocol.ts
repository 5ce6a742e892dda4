import type { IncomingMessage } from 'node:http';
import { CloseCode, MessageType, type ServerOptions, makeServer } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../observability/logger.js';

/** What graphql-ws's hooks get of a connection (`ctx.extra`), as graphql-ws/use/ws gives it. */
export interface SocketExtra {
  socket: WebSocket;
  request: IncomingMessage;
  /** Aborted once the client has completed subscribe `id` or the socket has closed (a start waiting leaves its queue). */
  left(id: string): AbortSignal;
}

/** graphql-ws/use/ws's keep-alive: a ping this often; a client that has not answered by the next one is cut. */
const KEEP_ALIVE_MS = 12_000;

/** What graphql-ws 6 takes from a client but throws on (4500, a stack trace on stderr): the protocol says 4400. */
const SERVER_ONLY = new Set<string>([MessageType.Next, MessageType.Error, MessageType.ConnectionAck]);

/**
 * graphql-ws's server on `wss`, wired as graphql-ws/use/ws wires it, except that each message is looked at before
 * graphql-ws gets it (Inbox) and its failures go to the facade's log instead of stderr.
 */
export function serveGraphqlWs(wss: WebSocketServer, options: ServerOptions<undefined, SocketExtra>, log: Logger): void {
  const server = makeServer(options);
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    // ws has closed the connection already (a bad frame, too large a message): nothing more to do than say so.
    socket.once('error', (err) => log.debug({ err: err.message }, 'WebSocket protocol error; connection closed'));
    const stopKeepAlive = keepAlive(socket);
    let inbox: Inbox | undefined;
    const left = (id: string) => inbox?.left(id) ?? AbortSignal.abort();
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (err) => (err ? reject(err) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) => {
          inbox = new Inbox(socket, handle, log);
          socket.on('message', (data) => inbox!.receive(String(data)));
        },
      },
      { socket, request, left },
    );
    socket.once('close', (code, reason) => {
      stopKeepAlive();
      inbox?.close();
      closed(code, String(reason)).catch((err: unknown) => log.error({ err }, 'graphql-ws failed closing a connection'));
    });
  });
}

function keepAlive(socket: WebSocket): () => void {
  let pongWait: NodeJS.Timeout | null = null;
  const pings = setInterval(() => {
    if (socket.readyState !== socket.OPEN) return;
    pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
    socket.once('pong', () => {
      if (pongWait) clearTimeout(pongWait);
      pongWait = null;
    });
    socket.ping();
  }, KEEP_ALIVE_MS);
  return () => {
    clearInterval(pings);
    if (pongWait) clearTimeout(pongWait);
  };
}

/** A subscribe graphql-ws runs (or will): `done` once graphql-ws has finished with its id. */
interface Operation {
  done: Promise<void>;
  /** The client sent `complete` for it. */
  completed: boolean;
  /** Aborted when the client completes it or the socket closes. */
  left: AbortController;
}

/** One connection's messages on their way to graphql-ws. */
class Inbox {
  private readonly running = new Map<string, Operation>();
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly handle: (data: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  receive(data: string): void {
    const message = peek(data);
    if (message && SERVER_ONLY.has(message.type)) return this.socket.close(CloseCode.BadRequest, `Invalid message received: only a server sends ${message.type}`);
    if (message?.type === MessageType.Complete && message.id !== undefined) {
      const operation = this.running.get(message.id);
      if (operation) operation.completed = true;
      operation?.left.abort();
    }
    if (message?.type === MessageType.Subscribe && message.id !== undefined) return this.subscribe(message.id, data);
    void this.run(data);
  }

  close(): void {
    this.closed = true;
    for (const operation of this.running.values()) operation.left.abort();
  }

  /** The signal of subscribe `id`, the one running now (aborted: none runs, or the socket has closed). */
  left(id: string): AbortSignal {
    return this.closed ? AbortSignal.abort() : (this.running.get(id)?.left.signal ?? AbortSignal.abort());
  }

  /**
   * An id the client completed and subscribes with again waits until graphql-ws has finished with the first: graphql-ws
   * 6 would otherwise send the first one's `complete` for the second, then forget the second (the first's `finally`
   * deletes the id), so that neither `complete` nor the socket's close could end it, nor give back its caller's slots.
   */
  private subscribe(id: string, data: string): void {
    const previous = this.running.get(id);
    const operation: Operation = { done: Promise.resolve(), completed: false, left: new AbortController() };
    this.running.set(id, operation);
    const started = previous?.completed ? previous.done.then(() => (operation.completed || this.closed ? undefined : this.run(data))) : this.run(data);
    operation.done = started.finally(() => {
      if (this.running.get(id) === operation) this.running.delete(id);
    });
  }

  private async run(data: string): Promise<void> {
    try {
      await this.handle(data);
    } catch (err) {
      this.log.error({ err }, 'graphql-ws failed on a message; connection closed');
      this.socket.close(CloseCode.InternalServerError, 'Internal server error');
    }
  }
}

/** The message's type and id, if it is a JSON object with a string type (graphql-ws judges the rest). */
function peek(data: string): { type: string; id: string | undefined } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { type, id } = parsed as { type?: unknown; id?: unknown };
  return typeof type === 'string' ? { type, id: typeof id === 'string' ? id : undefined } : null;
}
