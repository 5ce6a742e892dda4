import { type ASTNode, type FragmentDefinitionNode, GraphQLError, type GraphQLSchema, Kind, type OperationDefinitionNode, type SelectionSetNode, getVariableValues } from 'graphql';

function refused(message: string, nodes?: ASTNode | readonly ASTNode[]): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

/**
 * Refuses variables graphql-js would not coerce to their declared types, with its own message, before the checks
 * read them: the cost counted `first: "5"` as a page of 5 and `5e-324` got a page-size message instead of Int's.
 */
export function assertCoercible(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): void {
  const defs = operation.variableDefinitions;
  if (!defs || defs.length === 0) return;
  const coerced = getVariableValues(schema, defs, variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) throw refused(coerced.errors[0]!.message, coerced.errors[0]!.nodes);
}

/** Where a variable decides a `@skip` or `@include`: its name and the directive's node. */
export interface DirectiveVariable {
  name: string;
  node: ASTNode;
}

/** Every `@skip(if: $v)` and `@include(if: $v)` of the operation and the fragments it spreads (each once). */
export function directiveVariables(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): DirectiveVariable[] {
  const out: DirectiveVariable[] = [];
  const spread = new Set<string>();
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      for (const d of selection.directives ?? []) {
        if (d.name.value !== 'skip' && d.name.value !== 'include') continue;
        const arg = d.arguments?.find((a) => a.name.value === 'if');
        if (arg?.value.kind === Kind.VARIABLE) out.push({ name: arg.value.name.value, node: d });
      }
      if (selection.kind !== Kind.FRAGMENT_SPREAD) {
        if (selection.selectionSet) visit(selection.selectionSet);
      } else if (!spread.has(selection.name.value)) {
        spread.add(selection.name.value);
        const fragment = fragments[selection.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(operation.selectionSet);
  return out;
}

/**
 * `$v` null where `@skip(if: $v)` or `@include(if: $v)` needs a Boolean! (a nullable variable with a default,
 * given null): graphql-js throws it while running, after the checks; a mutation's was answered with its source text.
 */
export function assertDirectivesDecided(uses: readonly DirectiveVariable[], variables: Record<string, unknown> | undefined): void {
  for (const use of uses) {
    if (variables?.[use.name] === null) refusedNull(use);
  }
}

function refusedNull(use: DirectiveVariable): never {
  throw refused(`$${use.name} is null, but the "if" of a @skip or @include it decides must be true or false; nothing was run.`, use.node);
}
