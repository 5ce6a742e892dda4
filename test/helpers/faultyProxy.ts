import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/** How the proxy answers a request a rule matched, instead of passing it on. */
export type Misbehaviour = (req: IncomingMessage, res: ServerResponse) => void;

export interface FaultyProxy {
  origin: string;
  /** Requests that arrived, as `METHOD path`. */
  seen: string[];
  /** From now on, requests whose `METHOD path` matches answer this way (the first matching rule wins). */
  misbehave(match: RegExp, how: Misbehaviour): void;
  heal(): void;
  close(): Promise<void>;
}

/** Sends a 200 whose body never ends: one space every 200 ms, under undici's per-chunk body timeout. */
export const trickle: Misbehaviour = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"versions": ');
  const timer = setInterval(() => res.write(' '), 200);
  res.once('close', () => clearInterval(timer));
};

/** Answers `status` with this JSON body. */
export const answer =
  (status: number, body: unknown): Misbehaviour =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

/** The request sent on to `target` as it came; `then` gets the answer, or null when there was none. */
function passOn(target: string, req: IncomingMessage, then: (up: { status: number; headers: Record<string, unknown>; body: Buffer } | null) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    request(`${target}${req.url}`, { method: req.method as 'GET', headers, body: chunks.length ? Buffer.concat(chunks) : undefined }).then(
      async (up) => then({ status: up.statusCode, headers: up.headers, body: Buffer.from(await up.body.arrayBuffer()) }),
      () => then(null),
    );
  });
}

/** Passes the request on to `target` (the write happens there), then answers with `status` and `body` instead. */
export const forwardThen =
  (target: string, status: number, body: string): Misbehaviour =>
  (req, res) =>
    passOn(target, req, () => res.writeHead(status, { 'content-type': 'text/html' }).end(body));

/** A pass-through proxy in front of `target` (a simulator's origin) that misbehaves on the requests its rules match. */
export async function faultyProxy(target: string): Promise<FaultyProxy> {
  const rules: [RegExp, Misbehaviour][] = [];
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    seen.push(key);
    const rule = rules.find(([match]) => match.test(key));
    if (rule) return rule[1](req, res);
    passOn(target, req, (up) => {
      if (!up) return void res.writeHead(502).end();
      const out = Object.fromEntries(Object.entries(up.headers).filter(([k]) => !['connection', 'keep-alive', 'transfer-encoding'].includes(k)));
      res.writeHead(up.status, out as Record<string, string>);
      res.end(up.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    misbehave: (match, how) => void rules.push([match, how]),
    heal: () => void rules.splice(0),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
