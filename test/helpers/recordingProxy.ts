import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface ProxiedCall {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/**
 * A pass-through HTTP proxy on loopback that records what arrives: put in front of a real service to see which
 * token each of the facade's calls carried. Bodies and answers pass unchanged.
 */
export async function recordingProxy(target: string): Promise<{ origin: string; calls: ProxiedCall[]; close(): Promise<void> }> {
  const calls: ProxiedCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
      const headers = { ...req.headers };
      delete headers.host;
      delete headers.connection;
      request(`${target}${req.url}`, { method: (req.method ?? 'GET') as 'GET', headers, body: chunks.length ? Buffer.concat(chunks) : undefined }).then(
        async (up) => {
          const body = Buffer.from(await up.body.arrayBuffer());
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
          res.writeHead(up.statusCode, out);
          res.end(body);
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
