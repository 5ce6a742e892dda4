import { Agent, type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A round-robin HTTP balancer in front of groupgraph replicas: what a Kubernetes Service or a plain nginx
 * `upstream` block gives the router, one URL for N replicas. It has no health checks and no retries of its own
 * (a replica that is gone answers 502 here), so what a client sees after a replica dies is the router's doing.
 */
export interface Balancer {
  url: string;
  /** Requests sent to each target so far, by target URL. */
  sent: Map<string, number>;
  close(): Promise<void>;
}

export async function startBalancer(targets: string[], port = 0, host = '127.0.0.1'): Promise<Balancer> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sent = new Map(targets.map((t) => [t, 0]));
  let next = 0;
  const server: Server = createServer((req, res) => {
    const target = targets[next++ % targets.length]!;
    sent.set(target, (sent.get(target) ?? 0) + 1);
    forward(req, res, new URL(req.url ?? '/', target), agent);
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}`,
    sent,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

function forward(req: IncomingMessage, res: ServerResponse, url: URL, agent: Agent): void {
  const upstream = request(url, { method: req.method, headers: { ...req.headers, host: url.host }, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    // The replica refused or dropped the connection: say so as a gateway error, as a real balancer would.
    if (res.headersSent) return void res.destroy();
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ message: 'replica unreachable', extensions: { code: 'BAD_GATEWAY' } }] }));
  });
  req.pipe(upstream);
}
