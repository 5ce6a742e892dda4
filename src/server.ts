import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { type RequestContext, type Upstreams, createContext, tokenFrom } from './context.js';
import type { AboutShape } from './graphql/about.js';
import { formatError } from './graphql/errors.js';
import { graphiqlAsset, graphiqlPage } from './graphiql.js';
import { buildSchema } from './schema.js';

export const MAX_BODY_BYTES = 256 * 1024;

export interface FacadeServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface ServerOptions {
  port: number;
  host: string;
  upstreams: Upstreams;
  about: AboutShape;
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
  const apollo = new ApolloServer<RequestContext>({
    schema: buildSchema(),
    formatError,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

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
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
      context: async () => createContext(opts.upstreams, opts.about, token),
    });
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.statusCode = result.status ?? 200;
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
        if (url.pathname === '/graphql') return graphql(req, res, url.search);
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
  return {
    url: `http://${host}:${addr.port}`,
    server,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
    },
  };
}
