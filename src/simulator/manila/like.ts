/**
 * Manila's `key~` filters: sqlalchemy `column.like('%' + value + '%')` with no escape clause, so the database's
 * own LIKE rules apply. On PostgreSQL (and MySQL) `%` is any run, `_` any one character and a backslash makes the
 * next character literal; a NULL column matches nothing.
 */
export function likeContains(column: unknown, value: string): boolean {
  if (column === null || column === undefined) return false;
  return likeRegExp(`%${value}%`).test(String(column));
}

function likeRegExp(pattern: string): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) src += escapeRegExp(pattern[++i]!);
    else if (c === '%') src += '.*';
    else if (c === '_') src += '.';
    else src += escapeRegExp(c);
  }
  // `s`: a LIKE wildcard matches newlines too.
  return new RegExp(`^${src}$`, 's');
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
