import { type FragmentDefinitionNode, Kind, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { FacadeError } from '../errors.js';
import { type Identity, isAdmin } from '../identity/keystone.js';

/** True when any field of the operation asks for `allProjects: true` (a literal or a variable). */
export function asksAllProjects(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
): boolean {
  const seen = new Set<string>();
  const truthy = (v: ValueNode): boolean =>
    v.kind === Kind.BOOLEAN ? v.value : v.kind === Kind.VARIABLE ? variables?.[v.name.value] === true : false;
  const walk = (set: SelectionSetNode): boolean =>
    set.selections.some((sel) => {
      if (sel.kind === Kind.FIELD) {
        if (sel.arguments?.some((a) => a.name.value === 'allProjects' && truthy(a.value))) return true;
        return sel.selectionSet ? walk(sel.selectionSet) : false;
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) return walk(sel.selectionSet);
      const frag = fragments[sel.name.value];
      if (!frag || seen.has(frag.name.value)) return false;
      seen.add(frag.name.value);
      return walk(frag.selectionSet);
    });
  return walk(operation.selectionSet);
}

/** Keystone says who is admin: anyone else asking for every project is refused before an upstream call. */
export function assertMayReadAllProjects(identity: Identity | null): void {
  if (identity && !isAdmin(identity)) {
    throw new FacadeError('FORBIDDEN', `allProjects needs the admin role; this token has ${identity.roles.join(', ') || 'no roles'}.`);
  }
}
