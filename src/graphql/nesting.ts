/**
 * How deep one document may nest brackets, braces and parentheses together. graphql's parser recurses once per
 * level, and a list literal 2,500 deep (5 KB) overflowed its stack: the client read "RangeError: Maximum call
 * stack size exceeded". MAX_DEPTH already bounds selections far below this; no argument a screen sends comes near.
 */
export const MAX_NESTING = 64;

export const NESTING_MESSAGE = `The document nests brackets, braces and parentheses deeper than ${MAX_NESTING} levels; no query needs that.`;

/** Whether `source` nests deeper than `max`, strings and comments skipped: checked before anything parses it. */
export function nestsTooDeep(source: string, max = MAX_NESTING): boolean {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x5b || c === 0x7b || c === 0x28) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d || c === 0x29) {
      depth--;
    } else if (c === 0x23) {
      i = lineEnd(source, i);
    } else if (c === 0x22) {
      i = source.startsWith('"""', i) ? blockStringEnd(source, i + 3) : stringEnd(source, i + 1);
    }
  }
  return false;
}

/** A comment ends at a line feed or a bare carriage return (GraphQL's LineTerminator), as the parser ends it. */
function lineEnd(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) return i;
  }
  return source.length;
}

function stringEnd(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22 || c === 0x0a || c === 0x0d) return i;
  }
  return source.length;
}

function blockStringEnd(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    if (source.charCodeAt(i) === 0x5c && source.startsWith('\\"""', i)) i += 3;
    else if (source.startsWith('"""', i)) return i + 2;
  }
  return source.length;
}
