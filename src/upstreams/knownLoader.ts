import DataLoader from 'dataloader';
import { FacadeError } from '../errors.js';

/**
 * A DataLoader that also answers synchronously (`now`) what this request has already read: a value one of its
 * batches resolved, or one primed from a listing. A resolver that returns a value rather than a promise costs the
 * executor no promise and no microtask: a screen's snapshots ask for their group and group type dozens of times,
 * nearly all of it in hand. Per request, like every loader.
 */
function missingId(): FacadeError {
  return new FacadeError('UPSTREAM_ERROR', 'The upstream answered an object without the id this field is read by.');
}

export class KnownLoader<K, V> extends DataLoader<K, V> {
  private readonly known: Map<K, V>;
  /** Keys loaded and not known yet: DataLoader's cache holds their promise, which a prime does not replace. */
  private readonly asked: Set<K>;

  /** `listed`: a value this request has in hand outside the loader (a listing it read whole), else undefined. */
  constructor(
    batch: DataLoader.BatchLoadFn<K, V>,
    private readonly listed?: (key: K) => V | undefined,
  ) {
    const known = new Map<K, V>();
    const asked = new Set<K>();
    super(async (keys) => {
      const values = await batch(keys);
      for (let i = 0; i < keys.length; i++) {
        const v = values[i];
        // A key cleared while its batch was out is forgotten by DataLoader, and so here.
        if (!(v instanceof Error) && asked.delete(keys[i]!)) known.set(keys[i]!, v as V);
      }
      return values;
    });
    this.known = known;
    this.asked = asked;
  }

  /** Keys a client named itself (a router's `_entities` ids), not read from an upstream object: see `loadNamed`. */
  readonly named = new Set<K>();

  override load(key: K): Promise<V> {
    // DataLoader throws a TypeError for these: an id an upstream object left out is the upstream's fault (wire audit of 2026-12-08).
    if (key === null || key === undefined) return Promise.reject(missingId());
    if (!this.known.has(key)) this.asked.add(key);
    return super.load(key);
  }

  /** `load` for a key the client named: a by-id loader bounds the shows such keys may cost (loaders.ts). */
  loadNamed(key: K): Promise<V> {
    this.named.add(key);
    return this.load(key);
  }

  /** What `load(key)` resolves to: the value itself when it is known already. */
  now(key: K): V | Promise<V> {
    // The key comes from an upstream object (a group's `group_type`): missing there, it is the upstream's fault.
    if (key === null || key === undefined) throw missingId();
    // Not `??`: null is a value (an object that does not exist).
    const v = this.inHand(key);
    return v === undefined ? this.load(key) : v;
  }

  /** What `loadMany(keys)` resolves to: the values themselves when every one is known already. */
  manyNow(keys: readonly K[]): (V | Error)[] | Promise<(V | Error)[]> {
    if (!Array.isArray(keys) || keys.some((k) => k === null || k === undefined)) {
      throw new FacadeError('UPSTREAM_ERROR', 'The upstream answered an object whose list of ids is not a list of ids.');
    }
    const values: V[] = [];
    for (const k of keys) {
      const v = this.inHand(k);
      if (v === undefined) return this.loadMany(keys);
      values.push(v);
    }
    return values;
  }

  /** The value when it is in hand; undefined otherwise (a loader's values are never undefined). */
  private inHand(key: K): V | undefined {
    return this.known.has(key) ? this.known.get(key) : this.listed?.(key);
  }

  override prime(key: K, value: V | PromiseLike<V> | Error): this {
    // As DataLoader's own cache: a primed value replaces neither a value nor a load on its way.
    if (!this.known.has(key) && !this.asked.has(key) && !(value instanceof Error) && !isThenable(value)) this.known.set(key, value);
    return super.prime(key, value);
  }

  override clear(key: K): this {
    this.known.delete(key);
    this.asked.delete(key);
    return super.clear(key);
  }

  override clearAll(): this {
    this.known.clear();
    this.asked.clear();
    return super.clearAll();
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | null)?.then === 'function';
}
