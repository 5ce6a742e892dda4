import type { FragmentDefinitionNode, OperationDefinitionNode } from 'graphql';

/**
 * Every string the operation carries (literal arguments and variable values, at any depth) is checked before
 * anything runs. Throws InputError (BAD_USER_INPUT) for a string the upstreams must never see.
 */
export function assertCleanInputs(
  _operation: OperationDefinitionNode,
  _fragments: Record<string, FragmentDefinitionNode>,
  _variables: Record<string, unknown> | undefined,
): void {
  // Filled in by the input-checks work (issue 18): control characters and lengths.
}
