// A request whose Accept header takes no JSON answer (a browser's text/html, Apollo Client's multipart/mixed alone)
// was run through Apollo, a mutation's write included, and only then answered 406 without a request id: the client,
// told it failed, would send the write again. It is now refused before anything runs.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
beforeAll(async () => {
  f = await startFacade({ SIMULATE: 'cinder,manila,sdrs' });
});
afterAll(() => f.close());

const RENAME = { query: 'mutation($id: ID!) { updateGroup(input: { id: $id, name: "renamed-by-406" }) { group { name } } }', variables: { id: SEED.groups.webTier } };
const READ = { query: '{ group(id: "' + SEED.groups.webTier + '") { name } }' };

async function post(body: object, accept: string | undefined) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-auth-token': 'member-token' };
  if (accept !== undefined) headers.accept = accept;
  const res = await request(f.url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.statusCode, requestId: res.headers['x-request-id'], json: (await res.body.json()) as any };
}

describe('an Accept header that takes no JSON answer', () => {
  it.each(['text/html', 'multipart/mixed', 'application/json;q=0, text/plain'])('(%s) is 406 before anything runs: a mutation writes nothing', async (accept) => {
    const cinder = f.app.simulators.cinder!;
    cinder.resetCalls();
    const r = await post(RENAME, accept);
    expect(r.status, JSON.stringify(r.json)).toBe(406);
    expect(r.json.errors[0].extensions).toEqual({ code: 'BAD_REQUEST', requestId: r.requestId });
    expect(r.json.errors[0].message).toMatch(/Accept header takes no JSON answer/);
    expect(cinder.calls).toEqual([]);
    expect((await post(READ, undefined)).json.data.group.name).not.toBe('renamed-by-406');
  });

  it.each([undefined, '*/*', 'application/*', 'application/json', 'application/graphql-response+json', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'])(
    '(%s) is answered as JSON',
    async (accept) => {
      const r = await post(READ, accept);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json.data.group.name).toBe('web-tier');
    },
  );
});
