import { type DocumentNode, type FragmentDefinitionNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * Whether graphql-jit may run a document, as far as two of its faults go (differential probe of 2026-12-08):
 * - `@skip`/`@include` on a fragment spread, or anywhere inside a fragment: graphql-jit marks a fragment visited
 *   before checking the spread's condition, and keeps conditions on the fragment's shared field nodes, so one
 *   skipped spread dropped the fields of every other spread of that fragment (`{}` where graphql-js answered data);
 * - more than MAX_COMPILED_FIELDS fields once fragments are expanded: compiling 14 aliases of a fragment tree (a
 *   1.6 KB document under every limit) held the event loop for 0.5 to 0.9 s, where graphql-js ran it in 15 to 80 ms.
 */
export function compilable(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  for (const f of fragments.values()) if (hasCondition(f.selectionSet)) return false;
  const counted = new Map<string, number>();
  const fieldsOf = (set: SelectionSetNode, depth: number): number => {
    let n = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) n += 1 + (s.selectionSet ? fieldsOf(s.selectionSet, depth + 1) : 0);
      else if (s.kind === Kind.INLINE_FRAGMENT) n += fieldsOf(s.selectionSet, depth + 1);
      else if (s.directives?.some(isCondition)) return Number.POSITIVE_INFINITY;
      else n += fragmentFields(s.name.value, depth);
      if (n > MAX_COMPILED_FIELDS) return n;
    }
    return n;
  };
  // Each fragment counted once (validation refuses cycles; the depth bound keeps an unvalidated one finite).
  const fragmentFields = (name: string, depth: number): number => {
    const known = counted.get(name);
    if (known !== undefined) return known;
    const f = fragments.get(name);
    const n = f && depth < 64 ? fieldsOf(f.selectionSet, depth + 1) : Number.POSITIVE_INFINITY;
    counted.set(name, n);
    return n;
  };
  return fieldsOf(operation.selectionSet, 0) <= MAX_COMPILED_FIELDS;
}

/** Fields a compiled document may hold once its fragments are expanded (about 65 µs of compiling each); the bench's screens hold 20 to 25. */
export const MAX_COMPILED_FIELDS = 1_000;

const isCondition = (d: { name: { value: string } }) => d.name.value === 'skip' || d.name.value === 'include';

function hasCondition(set: SelectionSetNode): boolean {
  return set.selections.some((s) => s.directives?.some(isCondition) || (s.kind !== Kind.FRAGMENT_SPREAD && s.selectionSet !== undefined && hasCondition(s.selectionSet)));
}
