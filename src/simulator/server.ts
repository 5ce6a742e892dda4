import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a simulated upstream sees it. `path` is the raw (still percent-encoded) path without query. */
export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, `undefined` when there was none. */
  body: unknown;
  rawBody: string;
}

/** What a handler answers: `json` is serialised, `text` is sent verbatim; neither means an empty body. */
export interface SimResponse {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export interface RecordedCall {
  method: string;
  /** Raw path plus query string, exactly as received. */
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /**
   * How many responses the simulator had finished sending when this request arrived. Calls of one GraphQL
   * request that share this number were all sent before any of them was answered: one round trip.
   */
  answeredBefore: number;
}

/** What a simulator inside a facade (demo mode, SIMULATE) keeps of its calls: it serves for as long as the facade runs. */
export const MAX_RECORDED_CALLS = 10_000;

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Added latency per request, in milliseconds. */
  delayMs?: number;
  /** Keep at least this many of the most recent calls in `calls`, at most twice it; default: every call (tests, bench). */
  keepCalls?: number;
}

/** A canned failure answered instead of the handler, for the next `times` matching requests. */
export interface InjectedFault {
  status: number;
  json?: unknown;
  text?: string;
  /** How many requests it answers (default 1). */
  times?: number;
  /** Only requests with these methods (default: any). */
  methods?: string[];
  /** Only requests whose raw URL (path and query, as received) contains this. */
  urlIncludes?: string;
  headers?: Record<string, string>;
}

/** Random misbehaviour, for fault and soak tests: each rate is a probability per request (0..1). */
export interface Chaos {
  /** Answer 503 with an OpenStack envelope. */
  errorRate?: number;
  /** Destroy the connection without answering. */
  resetRate?: number;
  /** Answer 200 with truncated JSON, or 502 with an HTML page. */
  garbageRate?: number;
  /** Added latency on every request. */
  extraLatencyMs?: number;
}

export interface RunningSimulator {
  /** Origin the simulator listens on, e.g. `http://127.0.0.1:41234`. */
  origin: string;
  /** The requests received since the last reset, in order, the most recent MAX_RECORDED_CALLS at least; tests assert on it. */
  calls: RecordedCall[];
  /** How many requests arrived since the last reset, however many `calls` still holds (benchmarks count them). */
  received(): number;
  resetCalls(): void;
  /** Change the added latency at run time (benchmarks). */
  setDelay(ms: number): void;
  /** Answer the next matching request(s) with this failure instead of the simulated API. */
  injectFault(fault: InjectedFault): void;
  /** Misbehave at random from now on; `setChaos({})` heals. */
  setChaos(chaos: Chaos): void;
  /** Sees every simulated answer with its body size (benchmarks count bytes read); null stops. */
  observe(observer: AnswerObserver | null): void;
  close(): Promise<void>;
}

/** Called after an answer of the simulated API (not a fault or chaos) was handed to the socket. */
export type AnswerObserver = (call: RecordedCall, out: SimResponse, bytes: number) => void;

const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Writes the answer; returns its body's size in bytes. */
function send(res: ServerResponse, out: SimResponse): number {
  const headers: Record<string, string> = { ...(out.headers ?? {}) };
  let payload = '';
  if (out.json !== undefined) {
    payload = JSON.stringify(out.json);
    headers['content-type'] ??= 'application/json';
  } else if (out.text !== undefined) {
    payload = out.text;
    headers['content-type'] ??= 'text/plain; charset=UTF-8';
  }
  const bytes = Buffer.byteLength(payload);
  headers['content-length'] = String(bytes);
  res.writeHead(out.status, headers);
  res.end(payload);
  return bytes;
}

/** Serves a simulated upstream over real HTTP on loopback (port 0 = any free port). */
export async function serveSimulator(handler: SimHandler, opts: ServeOptions = {}): Promise<RunningSimulator> {
  const calls: RecordedCall[] = [];
  const keep = opts.keepCalls;
  let received = 0;
  let delayMs = opts.delayMs ?? 0;
  const faults: InjectedFault[] = [];
  let chaos: Chaos = {};
  let answered = 0;
  let observer: AnswerObserver | null = null;
  const takeFault = (method: string, url: string): InjectedFault | undefined => {
    const i = faults.findIndex((f) => (!f.methods || f.methods.includes(method)) && (!f.urlIncludes || url.includes(f.urlIncludes)));
    if (i === -1) return undefined;
    const f = faults[i]!;
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) faults.splice(i, 1);
    return f;
  };
  const server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      const qIndex = url.indexOf('?');
      const path = qIndex === -1 ? url : url.slice(0, qIndex);
      const query = new URLSearchParams(qIndex === -1 ? '' : url.slice(qIndex + 1));
      let rawBody: string;
      try {
        rawBody = await readBody(req);
      } catch {
        send(res, { status: 413, json: { overLimit: { code: 413, message: 'Request is too large.' } } });
        return;
      }
      const call: RecordedCall = { method: req.method ?? 'GET', url, path, headers: req.headers, body: rawBody, answeredBefore: answered };
      calls.push(call);
      received++;
      // Bounded when asked (a simulator inside a facade): the oldest half goes past twice the number kept.
      if (keep !== undefined && calls.length >= 2 * keep) calls.splice(0, keep);
      res.once('finish', () => answered++);
      let body: unknown;
      if (rawBody.length > 0) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          send(res, {
            status: 400,
            json: { badRequest: { code: 400, message: 'Malformed request body' } },
          });
          return;
        }
      }
      const wait = delayMs + (chaos.extraLatencyMs ?? 0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (chaos.resetRate && Math.random() < chaos.resetRate) {
        req.socket.destroy();
        return;
      }
      if (chaos.errorRate && Math.random() < chaos.errorRate) {
        send(res, { status: 503, json: { serviceUnavailable: { code: 503, message: 'chaos: service unavailable' } } });
        return;
      }
      if (chaos.garbageRate && Math.random() < chaos.garbageRate) {
        send(res, Math.random() < 0.5 ? { status: 200, text: '{"groups": [{"id": "trunc', headers: { 'content-type': 'application/json' } } : { status: 502, text: '<html><body><h1>502 Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } });
        return;
      }
      const fault = takeFault(req.method ?? 'GET', url);
      if (fault) {
        send(res, { status: fault.status, json: fault.json, text: fault.text, headers: fault.headers });
        return;
      }
      let out: SimResponse;
      try {
        out = await handler({ method: req.method ?? 'GET', path, query, headers: req.headers, body, rawBody });
      } catch (err) {
        out = {
          status: 500,
          json: { computeFault: { code: 500, message: `simulator failure: ${(err as Error).message}` } },
        };
      }
      const bytes = send(res, out);
      observer?.(call, out, bytes);
    })();
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    origin: `http://${opts.host ?? '127.0.0.1'}:${addr.port}`,
    calls,
    resetCalls: () => {
      calls.length = 0;
      received = 0;
    },
    received: () => received,
    setDelay: (ms) => {
      delayMs = ms;
    },
    injectFault: (fault) => {
      faults.push({ ...fault });
    },
    setChaos: (next) => {
      chaos = { ...next };
    },
    observe: (next) => {
      observer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
