import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  GraphQLIncludeDirective,
  type GraphQLSchema,
  GraphQLSkipDirective,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  getArgumentValues,
  getDirectiveValues,
  getVariableValues,
} from 'graphql';
import { FacadeError } from '../errors.js';
import { type InputCheck, mutationInputChecks } from './mutationChecks.js';

type Variables = Record<string, unknown>;

const checks: Partial<Record<string, InputCheck>> = mutationInputChecks;

/**
 * graphql-js runs a mutation's root fields one after another: bad input in a later field was refused only on its
 * turn, after the fields before it had written upstream. Here every root field's input is checked before any runs,
 * with the checks its resolver makes that need no call (mutationChecks.ts), its arguments coerced as execution will
 * coerce them (literals, variables, defaults). Answers one BAD_USER_INPUT error per refused field, at its path, in
 * document order; none: the operation may run. Not a mutation: none.
 */
export function preflightMutation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Variables | undefined,
): GraphQLError[] {
  const mutationType = schema.getMutationType();
  if (operation.operation !== 'mutation' || !mutationType) return [];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  // Variables that do not fit their types: execution refuses the whole operation itself, before any field runs.
  if (coerced.errors) return [];
  const fields = mutationType.getFields();
  const refusals: GraphQLError[] = [];
  for (const [key, nodes] of rootFields(operation.selectionSet, fragments, coerced.coerced)) {
    // Fields of one response key have the same arguments (validation): graphql-js reads the first one's.
    const node = nodes[0]!;
    const field = fields[node.name.value];
    const check = checks[node.name.value];
    if (!field || !check) continue;
    try {
      check(getArgumentValues(field, node, coerced.coerced).input as never);
    } catch (err) {
      const refusal = refusalOf(err, key, nodes);
      if (refusal) refusals.push(refusal);
    }
  }
  return refusals;
}

/**
 * The error its field would have answered, at the field's path: the check's InputError, or graphql-js's own refusal
 * of the arguments (a null given for a non-null input through a variable with a default). Anything else is the
 * check's bug, not the input's: left for the resolver, which meets it again in its place.
 */
function refusalOf(err: unknown, key: string, nodes: readonly FieldNode[]): GraphQLError | null {
  if (err instanceof FacadeError) return new GraphQLError(err.message, { nodes, path: [key], originalError: err });
  if (err instanceof GraphQLError) return new GraphQLError(err.message, { nodes, path: [key], extensions: { code: 'BAD_USER_INPUT' } });
  return null;
}

/**
 * The root fields graphql-js will run, by response key in document order: through inline fragments and fragment
 * spreads, without those @skip or @include leave out (a left-out field never runs, so its input is not checked).
 */
function rootFields(
  set: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Variables,
  out = new Map<string, FieldNode[]>(),
  spread = new Set<string>(),
): Map<string, FieldNode[]> {
  for (const selection of set.selections) {
    if (!included(selection, variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const same = out.get(key);
      if (same) same.push(selection);
      else out.set(key, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      rootFields(selection.selectionSet, fragments, variables, out, spread);
    } else if (!spread.has(selection.name.value)) {
      spread.add(selection.name.value);
      const fragment = fragments[selection.name.value];
      if (fragment) rootFields(fragment.selectionSet, fragments, variables, out, spread);
    }
  }
  return out;
}

function included(selection: SelectionNode, variables: Variables): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if !== false;
}
