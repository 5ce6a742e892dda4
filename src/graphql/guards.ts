import type { ApolloServerPlugin } from '@apollo/server';
import { type FragmentDefinitionNode, GraphQLError, type GraphQLSchema, Kind } from 'graphql';
import type { RequestContext } from '../context.js';
import { FacadeError } from '../errors.js';
import { asksAllProjects, assertMayReadAllProjects } from './allProjects.js';
import { type Cost, QueryTooLarge, countNodes } from './cost.js';
import { assertCleanInputs } from './inputs.js';

/**
 * What is checked once an operation is parsed and validated, before either executor runs it and so before any
 * upstream call: that the request names one operation of the document, what its answer can hold (cost.ts), and
 * its input strings (inputs.ts). Every answer then reports the cost in `extensions.cost`.
 */
export function guardsPlugin(schema: GraphQLSchema, maxNodes: number): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      let cost: Cost | undefined;
      return {
        async didResolveOperation(rc) {
          // Apollo still executes an unresolved operation and relies on execute() failing; the compiled executor
          // would run the document's only operation instead (a mutation named otherwise was carried out).
          if (!rc.operation) throw unresolvedOperation(rc.request.operationName);
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const d of rc.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
          try {
            const nodes = countNodes(schema, rc.operation, fragments, rc.request.variables);
            cost = { nodes, limit: maxNodes };
            if (nodes > maxNodes) throw new QueryTooLarge(cost);
            assertCleanInputs(rc.operation, fragments, rc.request.variables);
            if (asksAllProjects(rc.operation, fragments, rc.request.variables)) {
              assertMayReadAllProjects(rc.contextValue.identity);
              rc.contextValue.caller.allProjects = true;
            }
          } catch (err) {
            // Apollo answers an error thrown here with HTTP 500 unless it says otherwise; bad input is a 400.
            if (err instanceof FacadeError) {
              const status = err.code === 'FORBIDDEN' ? 403 : 400;
              throw new GraphQLError(err.message, { originalError: err, extensions: { code: err.code, http: { status } } });
            }
            throw err;
          }
        },
        async willSendResponse(rc) {
          if (cost && rc.response.body.kind === 'single') {
            const result = rc.response.body.singleResult;
            result.extensions = { ...result.extensions, cost };
          }
        },
      };
    },
  };
}

export function unresolvedOperation(name: string | null | undefined): GraphQLError {
  const message = name
    ? `The document has no operation named ${JSON.stringify(name)}; nothing was run.`
    : 'The document holds several operations and the request names none (operationName); nothing was run.';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
}
