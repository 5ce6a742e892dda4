import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { wsConnection } from '../helpers/live.js';

// Issue 21, item 5: the offline GraphiQL runs subscriptions over graphql-ws from its own bundle.
let f: Facade;
beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());

it('GraphiQL\'s fetcher gets a WebSocket URL on this host, and the bundle it is served carries the graphql-ws client', async () => {
  const page = await request(f.url, { headers: { accept: 'text/html' } });
  const html = await page.body.text();
  expect(html).toMatch(/createFetcher\(\{ url: "\/graphql", subscriptionUrl \}\)/);
  expect(html).toMatch(/location\.protocol === 'https:' \? 'wss:\/\/' : 'ws:\/\/'\) \+ location\.host \+ "\/graphql"/);
  // No CDN: every script is one of the facade's own assets.
  for (const src of html.matchAll(/<script src="([^"]+)"/g)) expect(src[1]).toMatch(/^\/graphiql\//);
  const bundle = await (await request(`${f.app.server.url}/graphiql/graphiql.js`)).body.text();
  expect(bundle).toContain('graphql-transport-ws');
  expect(bundle).toContain('subscriptionUrl');
});

it('what that fetcher sends works: the headers editor\'s X-Auth-Token in connection_init, a subscription from the page', async () => {
  const id = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes[0].id;
  // GraphiQL merges the headers editor into connectionParams as they are typed (X-Auth-Token, maybe empty).
  const conn = wsConnection(f.url, { 'X-Auth-Token': '' });
  const feed = conn.subscribe('subscription Follow($id: ID!) { group(id: $id) { name status } }', { id });
  expect((await feed.next()).data.group.status).toBeTruthy();
  await conn.dispose();
});
