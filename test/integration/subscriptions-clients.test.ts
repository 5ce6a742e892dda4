import { ApolloClient, ApolloLink, InMemoryCache, gql } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { restClient } from '../helpers/rest.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { sleep } from '../helpers/live.js';

// Issue 21: what a portal uses. Apollo Client over graphql-ws (its GraphQLWsLink) and over graphql-sse (a link
// around graphql-sse's own client in distinct connections mode).
const POLL_MS = 300;
const FOLLOW = gql`
  subscription Follow($id: ID!) {
    group(id: $id) { id name status }
  }
`;

let f: Facade;
beforeAll(async () => {
  f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: String(POLL_MS) });
});
afterAll(() => f.close());

/** graphql-sse's client as an Apollo link: one event stream per operation. */
class SseLink extends ApolloLink {
  constructor(private readonly client: ReturnType<typeof createSseClient>) {
    super();
  }
  override request(operation: ApolloLink.Operation): Observable<ApolloLink.Result> {
    return new Observable((sink) =>
      this.client.subscribe(
        { query: print(operation.query), variables: operation.variables, operationName: operation.operationName ?? undefined },
        { next: (r) => sink.next(r as ApolloLink.Result), error: (e) => sink.error(e), complete: () => sink.complete() },
      ),
    );
  }
}

const transports = {
  WebSocket: () => {
    const ws = createWsClient({ url: f.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { 'X-Auth-Token': 'apollo-ws' }, retryAttempts: 0 });
    return { link: new GraphQLWsLink(ws), dispose: () => ws.dispose() };
  },
  SSE: () => {
    const sse = createSseClient({ url: f.url, headers: { 'x-auth-token': 'apollo-sse' }, retryAttempts: 0 });
    return { link: new SseLink(sse), dispose: () => sse.dispose() };
  },
};

describe.each(Object.keys(transports) as (keyof typeof transports)[])('Apollo Client over %s', (name) => {
  it('gets the group at once, then its new status; unsubscribing stops the poller', async () => {
    const id = (await f.ok<any>('{ groups(first: 2) { nodes { id } } }')).groups.nodes[1].id;
    const cinder = restClient(f.app.simulators.cinder!.endpoint, null, { 'openstack-api-version': 'volume 3.70' });
    await cinder('POST', `/groups/${id}/action`, { reset_status: { status: 'available' } });
    const { link, dispose } = transports[name]();
    const client = new ApolloClient({ link, cache: new InMemoryCache() });
    const statuses: string[] = [];
    const errors: unknown[] = [];
    const subscription = client.subscribe({ query: FOLLOW, variables: { id } }).subscribe({
      next: (r) => (r.error ? errors.push(r.error) : statuses.push((r.data as any).group.status)),
      error: (e) => errors.push(e),
    });
    for (let i = 0; i < 100 && statuses.length < 1; i++) await sleep(20);
    expect(statuses).toEqual(['AVAILABLE']);
    await cinder('POST', `/groups/${id}/action`, { reset_status: { status: 'error' } });
    for (let i = 0; i < 100 && statuses.length < 2; i++) await sleep(20);
    expect(statuses).toEqual(['AVAILABLE', 'ERROR']);
    expect(errors).toEqual([]);
    // Apollo's cache holds the group as the subscription last sent it.
    expect((client.cache.extract() as Record<string, unknown>)[`Group:${id}`]).toMatchObject({ status: 'ERROR' });
    subscription.unsubscribe();
    for (let i = 0; i < 50 && f.app.server.live.pollers() > 0; i++) await sleep(20);
    expect(f.app.server.live.pollers()).toBe(0);
    await cinder('POST', `/groups/${id}/action`, { reset_status: { status: 'available' } });
    dispose();
  });
});
