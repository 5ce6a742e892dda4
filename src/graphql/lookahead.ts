import { type FieldNode, type GraphQLResolveInfo, GraphQLIncludeDirective, GraphQLSkipDirective, type SelectionNode, type SelectionSetNode, getDirectiveValues } from 'graphql';

/**
 * What a connection field's query asks of each node: the fields selected under `nodes { … }` and
 * `edges { node { … } }`, through fragments, by field name (not alias), with the field nodes that asked. The root
 * resolver of a page uses it to start the reads the nodes will need while the page itself is still on its way.
 * It is a hint: `@skip`/`@include` are not evaluated, so a field they remove may still be prefetched.
 */
export function nodeSelections(info: GraphQLResolveInfo): Map<string, FieldNode[]> {
  const out = new Map<string, FieldNode[]>();
  const add = (field: FieldNode) => {
    const list = out.get(field.name.value);
    if (list) list.push(field);
    else out.set(field.name.value, [field]);
  };
  for (const field of info.fieldNodes) {
    for (const f of fieldsOf(info, field.selectionSet)) {
      if (f.name.value === 'nodes') fieldsOf(info, f.selectionSet).forEach(add);
      if (f.name.value === 'edges') {
        for (const e of fieldsOf(info, f.selectionSet)) if (e.name.value === 'node') fieldsOf(info, e.selectionSet).forEach(add);
      }
    }
  }
  return out;
}

/**
 * The names of the fields selected directly on the resolved field's value, through fragments, by field name; unlike
 * the hints above, a selection `@skip` or `@include` leaves out is left out here.
 */
export function selectedNames(info: GraphQLResolveInfo): Set<string> {
  const out = new Set<string>();
  for (const field of info.fieldNodes) for (const f of fieldsOf(info, field.selectionSet, new Set(), info.variableValues)) out.add(f.name.value);
  return out;
}

/** Whether `@skip` and `@include` keep a selection, with the operation's variables. */
function included(sel: SelectionNode, variables: Record<string, unknown>): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, sel, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, sel, variables)?.if !== false;
}

/**
 * The fields of one selection set, with inline fragments and fragment spreads flattened; with `variables`, without
 * the selections `@skip`/`@include` leave out.
 */
function fieldsOf(info: GraphQLResolveInfo, set: SelectionSetNode | undefined, seen = new Set<string>(), variables?: Record<string, unknown>): FieldNode[] {
  if (!set) return [];
  const out: FieldNode[] = [];
  for (const sel of set.selections) {
    if (variables && !included(sel, variables)) continue;
    if (sel.kind === 'Field') out.push(sel);
    else if (sel.kind === 'InlineFragment') out.push(...fieldsOf(info, sel.selectionSet, seen, variables));
    else if (!seen.has(sel.name.value)) {
      seen.add(sel.name.value);
      out.push(...fieldsOf(info, info.fragments[sel.name.value]?.selectionSet, seen, variables));
    }
  }
  return out;
}

/** True when one of the fields passes the named argument (literally or through a variable). */
export function hasArgument(fields: FieldNode[] | undefined, name: string): boolean {
  return (fields ?? []).some((f) => (f.arguments ?? []).some((a) => a.name.value === name));
}

/**
 * Which of `links` the query asks of each node of the page, as the prefetch wants it. A link in `firstPageOnly`
 * (a nested connection) counts only where it reads its first page: with `after` it is read by its own listing.
 */
export function wantedLinks<K extends string>(
  info: GraphQLResolveInfo,
  links: readonly K[],
  firstPageOnly: readonly K[] = [],
): Record<K, boolean> {
  const wants = nodeSelections(info);
  const out = {} as Record<K, boolean>;
  for (const link of links) out[link] = wants.has(link) && !(firstPageOnly.includes(link) && hasArgument(wants.get(link), 'after'));
  return out;
}
