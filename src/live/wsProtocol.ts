import type { IncomingMessage } from 'node:http';
import { CloseCode, MessageType, type ServerOptions, makeServer } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../observability/logger.js';
import { READ_PAUSE_MESSAGES, type UnreadCut, type UnreadOutput, watchUnread } from './unread.js';

/** What graphql-ws's hooks get of a connection (`ctx.extra`), as graphql-ws/use/ws gives it. */
export interface SocketExtra {
  socket: WebSocket;
  request: IncomingMessage;
  /** Aborted once the client has completed subscribe `id` or the socket has closed (a start waiting leaves its queue). */
  left(id: string): AbortSignal;
  /** Subscribes under way on this connection: waiting at the door, running, or being answered (this one included). */
  subscribes(): number;
}

/** graphql-ws/use/ws's keep-alive: a ping this often; a client that has not answered by the next one is cut. */
const KEEP_ALIVE_MS = 12_000;

/** What graphql-ws 6 takes from a client but throws on (4500, a stack trace on stderr): the protocol says 4400. */
const SERVER_ONLY = new Set<string>([MessageType.Next, MessageType.Error, MessageType.ConnectionAck]);

/**
 * An operation id is at most this long (graphql-ws clients make UUIDs): every event of the subscription carries
 * it, and a 200 KB id was echoed in each one.
 */
const MAX_OPERATION_ID = 128;

/** How a connection's messages are read: see Inbox. */
export interface Reading {
  /** MAX_SUBSCRIPTIONS_PER_CONNECTION: with MAX_ANSWERING more subscribes under way, no more is read for a while. */
  maxSubscriptions: number;
  /** A client was cut for leaving too much unread (unread.ts). */
  onCut(request: IncomingMessage, unread: UnreadCut): void;
}

/** Subscribes past a connection's limit that may be under way (being refused) before it is read no more. */
const MAX_ANSWERING = 256;

/**
 * graphql-ws's server on `wss`, wired as graphql-ws/use/ws wires it, except that each message is looked at before
 * graphql-ws gets it (Inbox), none is read while the client has too much under way (Reading), and its failures go
 * to the facade's log instead of stderr.
 */
export function serveGraphqlWs(wss: WebSocketServer, options: ServerOptions<undefined, SocketExtra>, log: Logger, reading: Reading): void {
  const server = makeServer(options);
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const output = watchUnread(socket, (unread) => reading.onCut(request, unread));
    // ws has closed the connection already (a bad frame, too large a message): nothing more to do than say so.
    socket.once('error', (err) => log.debug({ err: err.message }, 'WebSocket protocol error; connection closed'));
    const stopKeepAlive = keepAlive(socket);
    let inbox: Inbox | undefined;
    const left = (id: string) => inbox?.left(id) ?? AbortSignal.abort();
    const subscribes = () => inbox?.subscribes ?? 0;
    const closed = server.opened(
      {
        protocol: socket.protocol,
        // A write fails only when the connection has (ECONNRESET): its close ends what runs on it. Rejected, each
        // answer still waiting for it was an error line ("graphql-ws failed on a message"), 64 for one reset.
        send: (data) =>
          new Promise((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, () => resolve());
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) => {
          inbox = new Inbox(socket, { output, maxUnderWay: reading.maxSubscriptions + MAX_ANSWERING }, handle, log);
          socket.on('message', (data) => inbox!.receive(String(data)));
        },
      },
      { socket, request, left, subscribes },
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

/**
 * One connection's messages on their way to graphql-ws. While READ_PAUSE_MESSAGES of its messages are being
 * answered (a ping until its pong has gone to the kernel), or as many answers wait to go out (UnreadOutput.full),
 * or too many of its subscribes are under way (`maxUnderWay`), its messages wait here and its socket is paused,
 * until there is room again. Without it a client that sent pings without reading the pongs had each answered at
 * once, each pong waiting for it costing 1.2-1.9 KB of heap (four such sockets took a 1 GB heap in 20 s), and
 * 20,000 subscribes sent at once were all refused at once, their answers leaving together 100 ms later (paced)
 * while /healthz waited 1.8 s. What waits here is what ws had read already (at most a read's worth).
 */
class Inbox {
  private readonly running = new Map<string, Operation>();
  private closed = false;
  /** Messages read while there was no room, in order. */
  private held: string[] = [];
  /** Messages other than subscribes graphql-ws has not finished with. */
  private answering = 0;
  /** The held messages wait for room. */
  private awaitingRoom = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly room: { output: UnreadOutput; maxUnderWay: number },
    private readonly handle: (data: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  receive(data: string): void {
    if (this.held.length === 0 && this.roomy()) return this.take(data);
    this.held.push(data);
    if (this.held.length > 1) return;
    this.socket.pause();
    this.waitForRoom();
  }

  private roomy(): boolean {
    return this.answering < READ_PAUSE_MESSAGES && !this.room.output.full && this.running.size < this.room.maxUnderWay;
  }

  private waitForRoom(): void {
    this.awaitingRoom = true;
    if (this.room.output.full) this.room.output.onceDrained(() => this.roomMade());
  }

  /** An answer went out, a message was answered or a subscribe ended: the held messages go on if there is room. */
  private roomMade(): void {
    if (!this.awaitingRoom || !this.roomy()) return;
    this.awaitingRoom = false;
    while (this.held.length > 0 && !this.closed) {
      if (!this.roomy()) return this.waitForRoom();
      this.take(this.held.shift()!);
    }
    if (!this.closed) this.socket.resume();
  }

  private take(data: string): void {
    const message = peek(data);
    if (message && SERVER_ONLY.has(message.type)) return this.socket.close(CloseCode.BadRequest, `Invalid message received: only a server sends ${message.type}`);
    if (message?.id !== undefined && message.id.length > MAX_OPERATION_ID) {
      return this.socket.close(CloseCode.BadRequest, `Invalid message received: an id is at most ${MAX_OPERATION_ID} characters`);
    }
    if (message?.type === MessageType.Complete && message.id !== undefined) {
      const operation = this.running.get(message.id);
      if (operation) operation.completed = true;
      operation?.left.abort();
    }
    if (message?.type === MessageType.Subscribe && message.id !== undefined) return this.subscribe(message.id, data);
    this.answering++;
    void this.run(data).finally(() => {
      this.answering--;
      this.roomMade();
    });
  }

  close(): void {
    this.closed = true;
    this.held = [];
    for (const operation of this.running.values()) operation.left.abort();
  }

  /** Subscribes graphql-ws has not finished with (at the door, running, or being answered). */
  get subscribes(): number {
    return this.running.size;
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
      this.roomMade();
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
