// watchAborts tells a client that went away from an error of the facade's own: only the first is answered by
// cutting the connection without a 500. A request whose body has been read is destroyed already (Node's
// autoDestroy) while its client waits: that must not count as gone, or every later error becomes a silent cut.
import { createServer } from 'node:http';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { watchAborts } from '../../src/http/aborts.js';
import { createLogger } from '../../src/observability/logger.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('watchAborts', () => {
  it('a client still waiting after its body was read is not gone', async () => {
    const seen: { destroyed: boolean; gone: boolean }[] = [];
    const server = createServer((req, res) => {
      const client = watchAborts(req, res, createLogger({ level: 'silent', format: 'json', variables: false }), 'req-test');
      req.resume();
      req.on('end', () =>
        setImmediate(() => {
          seen.push({ destroyed: req.destroyed, gone: client.gone() });
          res.end('ok');
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const res = await request(url, { method: 'POST', body: '{"query":"{ __typename }"}' });
    expect(await res.body.text()).toBe('ok');
    // The premise: Node has destroyed the request already (else this test would prove nothing).
    expect(seen).toEqual([{ destroyed: true, gone: false }]);
  });
});
