// What a request leaves behind for the garbage collector (issue 5, CPU). V8 collects the young generation by
// copying what is reachable, and anything the old generation points at counts as reachable, dead or not, until
// the next full collection. Measured on Node 20: an object literal with its own accessor (`get started() {}`)
// kept every instance, and everything its closures reached, through scavenges; so did our context value while
// Apollo Server's gateway request context (a literal with a `status` accessor whose closure holds Apollo's request
// context) referred to it. A quarter of what a screen allocated went to the old generation that way, and garbage
// collection took a fifth of the facade's CPU. The same reach kept Apollo's answer (the result tree and the
// upstream strings in it) until the context's dispose learnt to empty it. These tests measure the promotion, or
// what a disposed context still reaches.
import { type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type RequestContext, createContext } from '../../src/context.js';
import { createGraphQLServer } from '../../src/graphql/apollo.js';
import { fallbackLogger } from '../../src/observability/logger.js';
import { connection } from '../../src/graphql/connections.js';
import { CinderClient } from '../../src/upstreams/cinder/client.js';
import type { CinderGroup } from '../../src/upstreams/cinder/types.js';
import { createAgent } from '../../src/upstreams/http.js';
import { once } from '../../src/upstreams/loaders.js';
import { gc, oldSpace } from '../helpers/gc.js';


/**
 * Bytes two scavenges move into the old generation after `build` made objects and let go of them all. A first
 * run compiles the code: bytecode, feedback and hidden classes live in the old generation too. The least of three
 * runs: an optimised compile landing meanwhile also allocates there, and what the objects keep alive shows in all.
 */
function promotedAfter(build: () => void): number {
  build();
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    gc();
    const before = oldSpace();
    build();
    gc({ type: 'minor' });
    gc({ type: 'minor' });
    runs.push(oldSpace() - before);
  }
  return Math.min(...runs);
}

/** About 2 KB of upstream-like objects. */
const payload = (i: number) => Array.from({ length: 20 }, (_, j) => ({ id: `item-${i}-${j}`, size: j, name: `n${j}` }));
/**
 * The same for the control. Its own allocation site: V8 allocates straight into the old generation from a site
 * whose objects were seen to survive (pretenuring), which the control's would otherwise teach `payload`.
 */
const controlPayload = (i: number) => Array.from({ length: 20 }, (_, j) => ({ id: `ctrl-${i}-${j}`, size: j, name: `c${j}` }));

describe('helpers built once per request leave nothing for the old generation', () => {
  // On V8 (Node 20), a literal with its own accessor kept every instance, and what its closure could reach,
  // through scavenges: this is what the helpers used to be.
  const literalOnce = (fetch: () => Promise<unknown>) => {
    let result: Promise<unknown> | undefined;
    return {
      get: () => (result ??= fetch()),
      get started() {
        return result !== undefined;
      },
    };
  };

  it('once()', () => {
    const helper = promotedAfter(() => {
      for (let i = 0; i < 1500; i++) {
        const data = payload(i);
        once(async () => data);
      }
    });
    const literal = promotedAfter(() => {
      for (let i = 0; i < 1500; i++) {
        const data = controlPayload(i);
        literalOnce(async () => data);
      }
    });
    expect(helper).toBeLessThan(600_000);
    if (literal > 1_500_000) expect(helper).toBeLessThan(literal / 10);
  });

  it('connection(), its pageInfo and its edges', () => {
    const promoted = promotedAfter(() => {
      for (let i = 0; i < 1500; i++) {
        const c = connection(payload(i), { cursorOf: (x) => x.id, hasNextPage: true, hasPreviousPage: false, totalCount: 20 });
        if (i % 2) void c.edges;
        if (i % 3) void c.pageInfo.endCursor;
      }
    });
    expect(promoted).toBeLessThan(600_000);
  });
});

describe('RequestContext.dispose', () => {
  const client = new CinderClient('http://127.0.0.1:9/v3/p', createAgent());
  const upstreams = { cinder: client, manila: null, sdrs: null };
  const about = { services: [] };

  const groups = (n: number): CinderGroup[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `group-${i}-${'x'.repeat(40)}`,
      name: `name ${i}`,
      status: 'available',
      group_type: 'gt',
      volume_types: ['vt-a', 'vt-b'],
      volumes: [`vol-${i}-a`, `vol-${i}-b`],
    })) as unknown as CinderGroup[];

  /**
   * Whether the groups a request's loaders read are still reachable while something holds on to its context (as
   * Apollo's gateway request context does, for scavenges, until the next full collection). A full collection is
   * exact where a scavenge is not, so it answers the question itself: what the context still reaches.
   */
  async function dataOutlivesRequest(dispose: boolean): Promise<boolean> {
    const holder: { context?: unknown } = {};
    let read: WeakRef<object> | undefined;
    (() => {
      const ctx = createContext(upstreams, about, 'token');
      const page = groups(50);
      ctx.cinder().loaders.primeGroups(page);
      read = new WeakRef(page[7]!);
      holder.context = ctx;
      if (dispose) ctx.dispose();
    })();
    // A WeakRef holds its target until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(holder.context).toBeDefined();
    return read!.deref() !== undefined;
  }

  it('a context still referred to after dispose no longer holds what its loaders read', async () => {
    // The measure can tell: without dispose the context keeps the groups.
    expect(await dataOutlivesRequest(false)).toBe(true);
    expect(await dataOutlivesRequest(true)).toBe(false);
  });

  it('after dispose, the context hands out fresh loaders, not the request’s', async () => {
    const ctx = createContext(upstreams, about, 'token');
    const first = ctx.cinder().loaders;
    first.primeGroups(groups(1));
    ctx.dispose();
    const again = ctx.cinder().loaders;
    expect(again).not.toBe(first);
  });

  /**
   * Whether a request's answer (the result tree, and the upstream strings in it) is still reachable from Apollo's
   * request context after the server disposed of the request's context: Apollo's gateway request context keeps
   * Apollo's request context, and so its response, through scavenges until the next full collection.
   */
  async function answerOutlivesRequest(dispose: boolean): Promise<boolean> {
    const held: { apolloContext?: unknown; data?: WeakRef<object> } = {};
    // Stands for the gateway request context: it refers to Apollo's request context after the request.
    const holdOn: ApolloServerPlugin<RequestContext> = {
      async requestDidStart() {
        return {
          async willSendResponse(rc) {
            held.apolloContext = rc;
            if (rc.response.body.kind === 'single') held.data = new WeakRef(rc.response.body.singleResult.data as object);
          },
        };
      },
    };
    const { apollo } = createGraphQLServer({ limits: loadConfig({}).limits, development: false, compileAfter: 1, log: fallbackLogger(), plugins: [holdOn] });
    await apollo.start();
    try {
      const ctx = createContext(upstreams, about, 'token');
      const answer = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: 'POST', headers: new HeaderMap([['content-type', 'application/json']]), search: '', body: { query: '{ about { services { name } } }' } },
        context: async () => ctx,
      });
      expect(answer.body.kind === 'complete' && answer.body.string).toContain('"about"');
      if (dispose) ctx.dispose();
    } finally {
      await apollo.stop();
    }
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(held.apolloContext).toBeDefined();
    return held.data!.deref() !== undefined;
  }

  it("Apollo's request context no longer holds the answer once the context is disposed", async () => {
    // The measure can tell: without dispose the answer stays reachable from Apollo's request context.
    expect(await answerOutlivesRequest(false)).toBe(true);
    expect(await answerOutlivesRequest(true)).toBe(false);
  });
});
