import { type FragmentDefinitionNode, Kind, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { FacadeError } from '../errors.js';
import { type Identity, isAdmin } from '../identity/keystone.js';

/** True when any field of the operation asks for `allProjects: true` (a literal or a variable). */
export function asksAllProjects(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
): boolean {
  return allProjectsArguments(operation, fragments).asks(variables);
}

/** Where an operation can ask for every project: a literal `allProjects: true`, or the variables passed there. */
export interface AllProjectsArguments {
  literal: boolean;
  variables: string[];
  asks(variables: Record<string, unknown> | undefined): boolean;
}

/** Every `allProjects` argument of the operation and the fragments it uses: the same for every request of it. */
export function allProjectsArguments(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): AllProjectsArguments {
  const seen = new Set<string>();
  let literal = false;
  const names: string[] = [];
  const note = (v: ValueNode) => {
    if (v.kind === Kind.BOOLEAN) literal ||= v.value;
    else if (v.kind === Kind.VARIABLE) names.push(v.name.value);
  };
  const walk = (set: SelectionSetNode): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        for (const a of sel.arguments ?? []) if (a.name.value === 'allProjects') note(a.value);
        if (sel.selectionSet) walk(sel.selectionSet);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet);
      } else {
        const frag = fragments[sel.name.value];
        if (!frag || seen.has(frag.name.value)) continue;
        seen.add(frag.name.value);
        walk(frag.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return {
    literal,
    variables: names,
    asks: (variables) => literal || names.some((n) => variables?.[n] === true),
  };
}

/** Keystone says who is admin: anyone else asking for every project is refused before an upstream call. */
export function assertMayReadAllProjects(identity: Identity | null): void {
  if (identity && !isAdmin(identity)) {
    throw new FacadeError('FORBIDDEN', `allProjects needs the admin role; this token has ${identity.roles.join(', ') || 'no roles'}.`);
  }
}
