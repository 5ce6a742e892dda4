/**
 * Manila sends `name~` / `description~` to the database as `LIKE '%' + value + '%'` with nothing escaped, so
 * `_` and `%` would be wildcards. PostgreSQL's and MySQL's default LIKE escape is a backslash: escaping `\`, `%`
 * and `_` with it makes the value the literal text the schema promises ("containing this text").
 */
export function likeLiteral(text: string | null | undefined): string | undefined {
  return text == null ? undefined : text.replace(/[\\%_]/g, '\\$&');
}
