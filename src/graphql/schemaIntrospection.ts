import { type ASTVisitor, type FieldNode, GraphQLError, Kind, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';

const ONCE = 'An operation may ask for __schema once; it answers the whole schema.';
const NO_ALIASES = 'Aliases are not allowed inside __schema and __type: each copy would answer that part of the schema again.';

/**
 * Introspection is left out of the cost count, so what it may repeat is bounded here: one `__schema` per
 * operation (its fragments included) and no aliases under `__schema` or `__type`. Each copy of the schema is about
 * 240 KB and tens of ms of the event loop: 15 aliased copies (of `__schema`, or of `types` inside one), sent 16 at a
 * time by one caller, stalled every other caller and `/healthz` for seconds (probe and review of 2026-12-07).
 * GraphiQL's and every client's introspection query asks once, without aliases.
 */
export const boundedIntrospection: ValidationRule = (context: ValidationContext): ASTVisitor => {
  // One error for the document, at the first alias: not one per aliased field.
  let aliasReported = false;
  return {
    OperationDefinition(operation) {
      const sets = [operation.selectionSet, ...context.getRecursivelyReferencedFragments(operation).map((f) => f.selectionSet)];
      const schemas = sets.flatMap(schemaFields);
      if (schemas.length > 1) context.reportError(new GraphQLError(ONCE, { nodes: schemas[1] }));
    },
    Field(node) {
      if (aliasReported || !node.alias || !context.getParentType()?.name.startsWith('__')) return;
      aliasReported = true;
      context.reportError(new GraphQLError(NO_ALIASES, { nodes: node }));
    },
  };
};

/** The `__schema` fields of a selection set, through its inline fragments (spread fragments are counted on their own). */
function schemaFields(set: SelectionSetNode): FieldNode[] {
  const out: FieldNode[] = [];
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD && selection.name.value === '__schema') out.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) out.push(...schemaFields(selection.selectionSet));
  }
  return out;
}
