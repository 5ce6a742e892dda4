// KnownLoader (src/upstreams/knownLoader.ts): `now` answers what a load would resolve to, synchronously once known.
import { describe, expect, it } from 'vitest';
import { KnownLoader } from '../../src/upstreams/knownLoader.js';

function loader() {
  const batches: string[][] = [];
  const l = new KnownLoader<string, string | null>(async (keys) => {
    batches.push([...keys]);
    return keys.map((k) => (k === 'bad' ? new Error('boom') : k === 'gone' ? null : `v-${k}`));
  });
  return { l, batches };
}

describe('KnownLoader', () => {
  it('answers a promise until a batch resolved the key, then the value itself', async () => {
    const { l, batches } = loader();
    const first = l.now('a');
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe('v-a');
    expect(l.now('a')).toBe('v-a');
    expect(l.now('gone')).toBeInstanceOf(Promise);
    expect(await l.load('gone')).toBeNull();
    expect(l.now('gone')).toBeNull();
    expect(batches).toEqual([['a'], ['gone']]);
  });

  it('never holds an error: a failed key stays a (rejected) load', async () => {
    const { l } = loader();
    await expect(l.load('bad')).rejects.toThrow('boom');
    const again = l.now('bad');
    expect(again).toBeInstanceOf(Promise);
    await expect(again).rejects.toThrow('boom');
  });

  it('knows a primed value, but a prime replaces neither a known value nor a load on its way', async () => {
    const { l, batches } = loader();
    l.prime('p', 'primed');
    expect(l.now('p')).toBe('primed');
    const pending = l.load('q');
    l.prime('q', 'primed-late');
    expect(l.now('q')).toBeInstanceOf(Promise);
    expect(await pending).toBe('v-q');
    expect(l.now('q')).toBe('v-q');
    l.prime('q', 'other');
    expect(l.now('q')).toBe('v-q');
    expect(batches).toEqual([['q']]);
  });

  it('manyNow: the values at once when every key is known, else loadMany', async () => {
    const { l } = loader();
    const mixed = l.manyNow(['a', 'b']);
    expect(mixed).toBeInstanceOf(Promise);
    expect(await mixed).toEqual(['v-a', 'v-b']);
    expect(l.manyNow(['b', 'a'])).toEqual(['v-b', 'v-a']);
  });

  it('forgets what clear and clearAll drop, and a key cleared while its batch was out', async () => {
    const { l, batches } = loader();
    await l.load('a');
    l.clear('a');
    expect(l.now('a')).toBeInstanceOf(Promise);
    const out = l.load('c');
    l.clearAll();
    await out;
    const reread = l.now('c');
    expect(reread).toBeInstanceOf(Promise);
    expect(await reread).toBe('v-c');
    expect(batches).toEqual([['a'], ['a', 'c'], ['c']]);
  });

  it('answers from a listing the request has in hand (`listed`), and loads what the listing does not hold', async () => {
    const batches: string[][] = [];
    const listing = new Map([['t1', 'listed-t1']]);
    const l = new KnownLoader<string, string | null>(async (keys) => {
      batches.push([...keys]);
      return keys.map((k) => `shown-${k}`);
    }, (id) => listing.get(id));
    expect(l.now('t1')).toBe('listed-t1');
    expect(l.manyNow(['t1'])).toEqual(['listed-t1']);
    expect(await l.manyNow(['t1', 't2'])).toEqual(['shown-t1', 'shown-t2']);
    expect(batches).toEqual([['t1', 't2']]);
  });
});
