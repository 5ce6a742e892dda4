import { FacadeError } from '../errors.js';

/** Tagged template that percent-encodes every interpolated value as one path segment. */
export function path(strings: TemplateStringsArray, ...values: string[]): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    // encodeURIComponent leaves `.` and `..` as they are: a dot segment (or an empty one) would name another resource.
    // Input is checked before it gets here, so such a segment came from an upstream's answer (an id it handed out).
    if (v === '' || v === '.' || v === '..') throw new FacadeError('UPSTREAM_ERROR', `${JSON.stringify(v)} cannot name an upstream object; an upstream answered it as an id.`);
    out += encodeURIComponent(v) + (strings[i + 1] ?? '');
  });
  return out;
}
