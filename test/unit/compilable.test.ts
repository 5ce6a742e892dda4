// Which documents graphql-jit may run (differential probe of 2026-12-08; see src/graphql/compilable.ts).
import { Kind, type OperationDefinitionNode, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAX_COMPILED_FIELDS, compilable } from '../../src/graphql/compilable.js';

const check = (text: string) => {
  const doc = parse(text);
  return compilable(doc, doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode);
};

/** A fragment tree of `levels` levels, each naming the one below twice, under `aliases` root fields. */
function tree(levels: number, aliases: number): string {
  const fields = Array.from({ length: 20 }, (_, i) => `f${i}`).join(' ');
  const frags = Array.from({ length: levels }, (_, i) => `fragment G${i} on Group { ${fields}${i > 0 ? ` a: sourceGroup { ...G${i - 1} } b: sourceGroup { ...G${i - 1} }` : ''} }`);
  const roots = Array.from({ length: aliases }, (_, i) => `r${i}: group(id: "x") { ...G${levels - 1} }`).join(' ');
  return `{ ${roots} } ${frags.join(' ')}`;
}

describe('compilable', () => {
  it("a portal's screen, fragments and @include on its own fields included", () => {
    expect(check('query($v: Boolean!) { groups(first: 50) { nodes { ...G volumes @include(if: $v) { id } } } } fragment G on Group { id name status }')).toBe(true);
    expect(check('{ groups { nodes { ... on Group @include(if: true) { id } } } }')).toBe(true);
  });

  it('no @skip or @include on a fragment spread, nor anywhere inside a fragment', () => {
    expect(check('{ groups { nodes { ...F @skip(if: true) } } } fragment F on Group { name }')).toBe(false);
    expect(check('{ groups { nodes { ...F } } } fragment F on Group { name @include(if: false) id }')).toBe(false);
    expect(check('{ groups { nodes { ...F } } } fragment F on Group { ... on Group @skip(if: true) { id } }')).toBe(false);
  });

  it(`at most ${MAX_COMPILED_FIELDS} fields once fragments are expanded, each fragment counted once`, () => {
    expect(check(tree(2, 14))).toBe(true); // 14 × 63 fields
    expect(check(tree(3, 14))).toBe(false); // 14 × 147
    expect(check(tree(12, 1))).toBe(false); // a document of 12 small fragments, 2^12 × 20 fields expanded
  });
});
