import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Limits } from './config.js';
import { type RequestContext, type Upstreams, createContext, tokenFrom } from './context.js';
import type { AboutShape } from './graphql/about.js';
import { formatError } from './graphql/errors.js';
import { guardsPlugin } from './graphql/guards.js';
import { type CompilingExecutor, compilingExecutor, executorGateway } from './graphql/executor.js';
import { graphiqlAsset, graphiqlPage } from './graphiql.js';
import { buildSchema } from './schema.js';

export const MAX_BODY_BYTES = 256 * 1024;

export interface FacadeServer {
  url: string;
  server: Server;
  /** GraphQL requests being answered right now. */
  inFlight(): number;
  /** How operations were executed: interpreted by graphql-js, or compiled by graphql-jit once they recurred. */
  execution: CompilingExecutor['stats'];
  /**
   * Graceful stop: refuse new work (503, /readyz fails), let in-flight requests finish within `graceMs`, then
   * close. Resolves with how many requests were still running when the grace period ended (0 normally).
   */
  drain(graceMs: number): Promise<number>;
  close(): Promise<void>;
}

export interface ServerOptions {
  port: number;
  host: string;
  upstreams: Upstreams;
  about: AboutShape;
  limits: Limits;
  development: boolean;
  /** Runs of a document through graphql-js before graphql-jit compiles it; null: never compiled. */
  compileAfter: number | null;
}

/** What /readyz says about each upstream: its mode and its circuit breaker, never a live call. */
function upstreamStates(upstreams: Upstreams, about: AboutShape) {
  type Client = { http?: { breaker?: { state: string }; bulkhead?: { inFlight: number; queued: number } } } | null;
  const out: Record<string, { mode: string; circuit: string | null; inFlight: number | null; queued: number | null }> = {};
  for (const s of about.services) {
    const http = (upstreams as unknown as Record<string, Client>)[s.name]?.http;
    out[s.name] = {
      mode: s.mode,
      circuit: http?.breaker?.state ?? null,
      inFlight: http?.bulkhead?.inFlight ?? null,
      queued: http?.bulkhead?.queued ?? null,
    };
  }
  return out;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function requestError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
}

/** Starts the HTTP server: POST/GET /graphql (GraphiQL for browsers), /healthz, GraphiQL assets. */
export async function startServer(opts: ServerOptions): Promise<FacadeServer> {
  const { limits } = opts;
  // Depth, alias, directive, token and cost limits run at validation, before any resolver (so before any
  // upstream call). Field suggestions ("did you mean …") would let anyone map the schema: development only.
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    maxTokens: { n: limits.maxTokens },
    // Cost is ours (src/graphql/cost.ts): armor's counted `first` only when it was a literal.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !opts.development },
  }).protect();
  const schema = buildSchema();
  const execution = compilingExecutor(schema, { compileAfter: opts.compileAfter ?? Number.POSITIVE_INFINITY });
  const apollo = new ApolloServer<RequestContext>({
    gateway: executorGateway(schema, execution.executor),
    formatError,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // Apollo would stop itself on SIGTERM and re-raise the signal, killing in-flight requests; main.ts drains.
    stopOnTerminationSignals: false,
    validationRules: armor.validationRules,
    // graphql-armor's typings point at Apollo's CommonJS build; its plugins are plain hook objects either way.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // No HTTP caching of per-caller data; its per-field hook is measurable CPU (bench profile).
      ApolloServerPluginCacheControlDisabled(),
      ...(armor.plugins as unknown as ApolloServerPlugin<RequestContext>[]),
      guardsPlugin(schema, limits.maxNodes),
    ],
  });
  await apollo.start();
  let inFlight = 0;
  let draining = false;
  const idle: (() => void)[] = [];

  async function graphql(req: IncomingMessage, res: ServerResponse, search: string): Promise<void> {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    if (req.method === 'POST') {
      let raw: string;
      try {
        raw = await readBody(req);
      } catch (err) {
        if (err instanceof BodyTooLarge) return requestError(res, 413, `Request body exceeds ${MAX_BODY_BYTES} bytes.`);
        throw err;
      }
      const type = headers.get('content-type') ?? '';
      if (type.includes('json')) {
        try {
          body = raw.length ? JSON.parse(raw) : undefined;
        } catch {
          return requestError(res, 400, 'Request body is not valid JSON.');
        }
      } else {
        body = raw;
      }
    }
    const token = tokenFrom(headers);
    let context: RequestContext | undefined;
    let result: HTTPGraphQLResponse;
    try {
      result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
        context: async () => (context = createContext(opts.upstreams, opts.about, token, limits.requestDeadlineMs, req.socket.remoteAddress)),
      });
    } finally {
      // Apollo's gateway request context (makeGatewayGraphQLRequestContext) is an object literal with a `status`
      // accessor whose closure holds Apollo's request context, and so our context value. V8 keeps such literals
      // alive through scavenges until the next full collection; with them went the loaders and all they read. A
      // quarter of what a screen allocated was promoted, and garbage collection took a fifth of the facade's CPU
      // (test/unit/gc-shapes.test.ts measures it). Once the answer is written, the context lets go of its loaders.
      context?.dispose();
    }
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.statusCode = result.status ?? 200;
    // graphql-armor's token limit throws while parsing, which Apollo answers as a 500; a document refused for
    // its shape is the client's error, a 400 like every other validation failure.
    if (res.statusCode === 500 && result.body.kind === 'complete' && result.body.string.includes('"GRAPHQL_VALIDATION_FAILED"')) {
      res.statusCode = 400;
    }
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = async () => {
      if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
        return sendJson(res, 200, { status: 'ok' });
      }
      if (url.pathname === '/readyz' && (req.method === 'GET' || req.method === 'HEAD')) {
        return sendJson(res, draining ? 503 : 200, {
          status: draining ? 'draining' : 'ready',
          inFlight,
          upstreams: upstreamStates(opts.upstreams, opts.about),
        });
      }
      if (url.pathname.startsWith('/graphiql/') && req.method === 'GET') {
        const asset = graphiqlAsset(url.pathname.slice('/graphiql/'.length));
        if (!asset) return requestError(res, 404, 'Not found.');
        res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' });
        return void res.end(asset.body);
      }
      if (url.pathname === '/graphql' || url.pathname === '/') {
        const wantsHtml = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html') && !url.searchParams.has('query');
        if (wantsHtml) {
          const html = graphiqlPage('/graphql');
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return void res.end(html);
        }
        if (url.pathname === '/graphql') {
          if (draining) {
            res.setHeader('connection', 'close');
            res.setHeader('retry-after', '5');
            return requestError(res, 503, 'The server is shutting down; retry on another instance.');
          }
          if (inFlight >= limits.maxInFlight) {
            res.setHeader('retry-after', '1');
            return requestError(res, 503, `Too many requests in progress (${limits.maxInFlight}); retry shortly.`);
          }
          // Counted until the response is flushed (or the client went away), not merely handed to the socket:
          // a drain must not cut an answer that is still being written.
          inFlight++;
          res.once('close', () => {
            inFlight--;
            if (draining) server.closeIdleConnections();
            if (inFlight === 0) idle.splice(0).forEach((wake) => wake());
          });
          if (draining) res.setHeader('connection', 'close');
          return await graphql(req, res, url.search);
        }
      }
      return requestError(res, 404, 'Not found. The GraphQL endpoint is /graphql.');
    };
    route().catch((err: unknown) => {
      console.error('request failed:', err);
      if (!res.headersSent) requestError(res, 500, 'Internal error in the facade.');
      else res.destroy();
    });
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  const close = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    await apollo.stop();
  };
  return {
    url: `http://${host}:${addr.port}`,
    server,
    inFlight: () => inFlight,
    execution: execution.stats,
    drain: async (graceMs) => {
      draining = true;
      // Stop accepting connections; idle keep-alive connections close now, busy ones once their answer is out.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const graceOver = new Promise<void>((r) => setTimeout(r, graceMs).unref());
      if (inFlight > 0) await Promise.race([new Promise<void>((r) => idle.push(r)), graceOver]);
      const left = inFlight;
      server.closeIdleConnections();
      // Whatever is still open after the grace period (a stuck client) is cut.
      await Promise.race([closed, graceOver.then(() => server.closeAllConnections())]);
      if (left > 0) server.closeAllConnections();
      await closed;
      await apollo.stop();
      return left;
    },
    close,
  };
}
