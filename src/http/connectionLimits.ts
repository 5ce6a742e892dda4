import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import { clientOf } from './clientAddress.js';
import { servedAgain } from './plainUpgrade.js';

/** Why a new connection was closed at once: the facade's limit (MAX_CONNECTIONS) or its client's. */
export type ConnectionRefusal = 'total' | 'client';

/** A refusal is logged at most this often (with how many since the last line): a flood must not flood the log. */
const LOG_EVERY_MS = 10_000;

/**
 * Connections the facade holds at once (HTTP and WebSocket alike), in all (MAX_CONNECTIONS, Node's
 * `server.maxConnections`) and per client address (MAX_CONNECTIONS_PER_CLIENT; 0: no limit). A new connection
 * over either is closed at once. Without them one client that opens connections and holds them (silent, or
 * WebSockets that answer pings) takes every file descriptor: nobody else is answered, and no upstream call can
 * open a connection. (A connection that sends nothing is closed after a while: connections.ts.)
 */
export class ConnectionLimits {
  private readonly perClient = new Map<string, number>();
  readonly refused: Record<ConnectionRefusal, number> = { total: 0, client: 0 };
  private readonly unlogged: Record<ConnectionRefusal, number> = { total: 0, client: 0 };
  private readonly loggedAt: Record<ConnectionRefusal, number> = { total: -Infinity, client: -Infinity };

  constructor(
    private readonly server: Server,
    private readonly max: number,
    private readonly maxPerClient: number,
    private readonly log: Logger,
  ) {
    server.maxConnections = max;
    // Node closes a connection over maxConnections before any 'connection' listener sees it, and says so here.
    server.on('drop', (data?: { remoteAddress?: string }) => this.refuse('total', data?.remoteAddress));
    // Without a per-client limit there is nothing to count per address.
    if (maxPerClient > 0) server.on('connection', (socket: Socket) => this.admit(socket));
  }

  /** Connections open now, as the server counts them. */
  connections(): Promise<number> {
    return new Promise((resolve) => this.server.getConnections((_err, count) => resolve(count)));
  }

  private admit(socket: Socket): void {
    if (servedAgain.has(socket)) return;
    const client = clientOf(socket.remoteAddress);
    const held = this.perClient.get(client) ?? 0;
    if (held >= this.maxPerClient) {
      socket.destroy();
      this.refuse('client', client);
      return;
    }
    this.perClient.set(client, held + 1);
    socket.once('close', () => {
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left === 0) this.perClient.delete(client);
      else this.perClient.set(client, left);
    });
  }

  private refuse(reason: ConnectionRefusal, address: string | undefined): void {
    this.refused[reason]++;
    this.unlogged[reason]++;
    const now = performance.now();
    if (now - this.loggedAt[reason] < LOG_EVERY_MS) return;
    this.loggedAt[reason] = now;
    const limit = reason === 'total' ? { maxConnections: this.max } : { maxConnectionsPerClient: this.maxPerClient };
    this.log.warn(
      { reason, clientAddress: address, refused: this.unlogged[reason], ...limit },
      reason === 'total' ? 'connection refused: the facade holds MAX_CONNECTIONS' : 'connection refused: its client holds MAX_CONNECTIONS_PER_CLIENT',
    );
    this.unlogged[reason] = 0;
  }
}

/** The limits' counts in the facade's registry, read at scrape time. */
export function registerConnectionMetrics(registry: Registry, limits: ConnectionLimits): void {
  const registers = [registry];
  new Gauge({
    name: 'http_connections_open',
    help: 'Client connections open now (HTTP and WebSocket)',
    registers,
    async collect() {
      this.set(await limits.connections());
    },
  });
  new Counter({
    name: 'http_connections_refused_total',
    help: 'New client connections closed at once: total (MAX_CONNECTIONS) or client (MAX_CONNECTIONS_PER_CLIENT)',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      for (const reason of ['total', 'client'] as const) this.inc({ reason }, limits.refused[reason]);
    },
  });
}
