import { InputError } from '../errors.js';

/** Tagged template that percent-encodes every interpolated value as one path segment. */
export function path(strings: TemplateStringsArray, ...values: string[]): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    // encodeURIComponent leaves `.` and `..` as they are: a dot segment (or an empty one) would name another resource.
    if (v === '' || v === '.' || v === '..') throw new InputError(`${JSON.stringify(v)} cannot name an upstream object.`);
    out += encodeURIComponent(v) + (strings[i + 1] ?? '');
  });
  return out;
}
