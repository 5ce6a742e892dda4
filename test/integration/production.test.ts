// NODE_ENV=production as `npm start` runs it: nothing configured stops start-up with one line; introspection is
// switched by GRAPHQL_INTROSPECTION alone (Apollo's own default would turn it off under NODE_ENV=production).
import { request } from 'undici';
import { runMain, untilHealthy } from '../helpers/process.js';
import { describe, expect, it } from 'vitest';

const INTROSPECTION = JSON.stringify({ query: '{ __schema { queryType { name } } }' });

describe('NODE_ENV=production', () => {
  it('with no CINDER_URL, MANILA_URL, SDRS_URL, KEYSTONE_URL or SIMULATE, refuses to start with one line', async () => {
    const p = runMain({});
    expect(await p.exited).toBe(2);
    const lines = p.err().split('\n').filter((l) => l.trim() && !l.includes('ExperimentalWarning'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).msg).toMatch(/^groupgraph: invalid configuration: NODE_ENV=production and no CINDER_URL, MANILA_URL, SDRS_URL or KEYSTONE_URL/);
    expect(p.out()).not.toMatch(/listening/);
  });

  it.each([
    ['unset', {}, true],
    ['false', { GRAPHQL_INTROSPECTION: 'false' }, false],
  ])('introspection with GRAPHQL_INTROSPECTION %s', async (_, env, allowed) => {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const p = runMain({ PORT: String(port), HOST: '127.0.0.1', SIMULATE: 'cinder,manila,sdrs', ...env });
    try {
      await untilHealthy(p, port);
      const res = await request(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: INTROSPECTION,
      });
      const body = (await res.body.json()) as { data?: unknown; errors?: { message: string }[] };
      if (allowed) {
        expect(res.statusCode, JSON.stringify(body)).toBe(200);
        expect(body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      } else {
        expect(res.statusCode).toBe(400);
        // Apollo's own text told the operator to pass an option to ApolloServer; the setting is what they can change.
        expect(body.errors?.[0]?.message).toBe('Introspection is turned off on this server (GRAPHQL_INTROSPECTION=false).');
      }
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});
