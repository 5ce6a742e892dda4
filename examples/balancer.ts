import { Agent, type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A round-robin HTTP balancer in front of groupgraph replicas: one URL for N replicas, as a plain nginx `upstream`
 * block gives the router with its defaults (`proxy_next_upstream error`, `max_fails=1`, `fail_timeout=10s`). A
 * replica that refuses a connection is skipped for `failMs` and the request, not sent yet, goes to the next one; a
 * replica that fails once the request was sent answers 502 (the request may have run: only the router decides to
 * retry, and it retries reads only).
 */
export interface Balancer {
  url: string;
  /** Requests sent to each target so far (attempts, a refused connection included), by target URL. */
  sent: Map<string, number>;
  close(): Promise<void>;
}

export interface BalancerOptions {
  port?: number;
  host?: string;
  /** How long a target that refused a connection is left out. */
  failMs?: number;
}

export async function startBalancer(targets: string[], opts: BalancerOptions = {}): Promise<Balancer> {
  const { port = 0, host = '127.0.0.1', failMs = 10_000 } = opts;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sent = new Map(targets.map((t) => [t, 0]));
  const downUntil = new Map<string, number>();
  let next = 0;
  /** The next target in turn that is not left out; every target once at most. */
  const pick = (tried: Set<string>): string | undefined => {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[next++ % targets.length]!;
      if (!tried.has(target) && (downUntil.get(target) ?? 0) <= Date.now()) return target;
    }
    return undefined;
  };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const tried = new Set<string>();
    for (let target = pick(tried); target; target = pick(tried)) {
      tried.add(target);
      sent.set(target, (sent.get(target) ?? 0) + 1);
      const outcome = await forward(req, body, res, new URL(req.url ?? '/', target), agent);
      if (outcome !== 'refused') return;
      downUntil.set(target, Date.now() + failMs);
    }
    badGateway(res);
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

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function badGateway(res: ServerResponse): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(502, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ message: 'no replica answered', extensions: { code: 'BAD_GATEWAY' } }] }));
}

/** Sends the request to one replica and pipes its answer back; 'refused' when nothing reached the replica. */
function forward(req: IncomingMessage, body: Buffer, res: ServerResponse, url: URL, agent: Agent): Promise<'answered' | 'refused' | 'failed'> {
  return new Promise((resolve) => {
    // The body is re-sent whole: its length replaces any chunked encoding.
    const { 'transfer-encoding': _chunked, connection: _hop, ...passed } = req.headers;
    // Appends the address it saw, as nginx's $proxy_add_x_forwarded_for does (TRUSTED_PROXIES reads it).
    const seen = req.socket.remoteAddress ?? 'unknown';
    const forwardedFor = passed['x-forwarded-for'] ? `${String(passed['x-forwarded-for'])}, ${seen}` : seen;
    const headers = { ...passed, host: url.host, 'content-length': String(body.length), 'x-forwarded-for': forwardedFor };
    const upstream = request(url, { method: req.method, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', () => resolve('answered'));
      answer.on('error', () => resolve('failed'));
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') return resolve('refused');
      badGateway(res);
      resolve('failed');
    });
    upstream.end(body);
  });
}
