// checkRepresentations on its own: a single object is a list of one, as GraphQL input coercion makes it; the cap
// counts the operation's other _entities fields. BodyReader refuses a Content-Encoding before reading a byte.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { BodyReader, BodyRefused, encodingRefusal } from '../../src/http/body.js';
import { InputError } from '../../src/errors.js';
import { MAX_REPRESENTATIONS, checkRepresentations } from '../../src/federation/representations.js';

const group = { __typename: 'Group', id: '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b02' };

describe('checkRepresentations', () => {
  it('counts a single object as a list of one, and checks it as item 0', () => {
    expect(checkRepresentations(group)).toBe(1);
    expect(() => checkRepresentations({ __typename: 'Team', id: 'x' })).toThrow(/representations\[0\]\.__typename/);
  });

  it('refuses a missing list (no variable, or null) as before', () => {
    for (const value of [undefined, null]) expect(() => checkRepresentations(value)).toThrow(InputError);
  });

  it("counts the operation's other representations toward the limit", () => {
    expect(checkRepresentations([group], MAX_REPRESENTATIONS - 1)).toBe(1);
    expect(() => checkRepresentations([group, group], MAX_REPRESENTATIONS - 1)).toThrow(`holds ${MAX_REPRESENTATIONS + 1} items; at most ${MAX_REPRESENTATIONS}`);
  });
});

describe('a request Content-Encoding', () => {
  const req = (encoding?: string) => ({ headers: encoding === undefined ? {} : { 'content-encoding': encoding } }) as IncomingMessage;

  it.each(['gzip', 'br', 'Deflate', 'identity, gzip', 'x-unknown'])('%s is refused with 415', (encoding) => {
    expect(encodingRefusal(req(encoding))).toMatchObject({ reason: 'encoding', status: 415, code: 'BAD_REQUEST' });
  });

  it.each([undefined, '', 'identity', 'IDENTITY', 'identity, Identity'])('%s is no refusal', (encoding) => {
    expect(encodingRefusal(req(encoding))).toBeNull();
  });

  it('is refused by BodyReader.read before it listens for a byte of the body', async () => {
    const reader = new BodyReader({ maxBytes: 100, timeoutMs: 1_000, budgetBytes: 1_000 });
    // No stream methods at all: a read that touched the body would throw a TypeError instead.
    const refused = await reader.read(req('gzip')).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(BodyRefused);
    expect((refused as BodyRefused).message).toMatch(/send the body uncompressed/);
  });
});
