import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * One `__schema` field per document. Each is the whole schema (about 240 KB, tens of ms of the event loop) and the
 * cost count leaves introspection out: 15 aliased copies, sent 16 at a time by one caller, stalled every other caller
 * and `/healthz` for seconds (probe of 2026-12-07). GraphiQL's and every client's introspection query asks once.
 */
export const oneSchemaIntrospection: ValidationRule = (context) => {
  let seen = 0;
  return {
    Field(node) {
      if (node.name.value !== '__schema' || ++seen !== 2) return;
      context.reportError(new GraphQLError('A document may ask for __schema once; it answers the whole schema.', { nodes: node }));
    },
  };
};
