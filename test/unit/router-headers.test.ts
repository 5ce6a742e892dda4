// examples/router.ts is what docs/deploy.md tells operators to run in front of groupgraph (and what the router test
// runs): the caller's OpenStack token must reach groupgraph alone, while the request id and trace context reach all.
import { describe, expect, it } from 'vitest';
import { GROUPGRAPH_SUBGRAPH, ROUTER_OPTIONS } from '../../examples/router.js';

const client = new Request('http://router.test/graphql', {
  headers: {
    'x-auth-token': 'gAAAAABsecret-token',
    authorization: 'Bearer company-jwt',
    'x-request-id': 'portal-42',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tracestate: 'vendor=1',
  },
});
const headersFor = (subgraphName: string) => ROUTER_OPTIONS.propagateHeaders.fromClientToSubgraphs({ request: client, subgraphName }) as Record<string, string | null>;

describe('the example router forwards', () => {
  it("the caller's credentials to groupgraph only", () => {
    expect(headersFor(GROUPGRAPH_SUBGRAPH)).toMatchObject({ 'x-auth-token': 'gAAAAABsecret-token', authorization: 'Bearer company-jwt' });
    const other = headersFor('ownership');
    expect(other).not.toHaveProperty('x-auth-token');
    expect(other).not.toHaveProperty('authorization');
  });

  it('the request id and the W3C trace context to every subgraph, so the trace goes on past the router', () => {
    for (const name of [GROUPGRAPH_SUBGRAPH, 'ownership']) {
      expect(headersFor(name)).toMatchObject({
        'x-request-id': 'portal-42',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'vendor=1',
      });
    }
  });
});
