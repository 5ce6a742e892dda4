/**
 * Sets `key` as the object's own property, `__proto__` included: the real services keep spec keys in a Python dict,
 * where that name is a key like any other, and a plain assignment would set the prototype instead.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
