import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, type FragmentDefinitionNode, GraphQLError, type GraphQLSchema, Kind, type OperationDefinitionNode } from 'graphql';
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
          try {
            cost = checkOperation(schema, maxNodes, rc.document, rc.operation, rc.request.variables, rc.contextValue);
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

/**
 * The checks themselves, for any transport (the plugin above; subscriptions over SSE and WebSocket, which do not
 * pass through Apollo): the answer's size, the input strings, and who may read across projects. Throws a
 * FacadeError (QUERY_TOO_LARGE, BAD_USER_INPUT, FORBIDDEN); answers the cost.
 */
export function checkOperation(
  schema: GraphQLSchema,
  maxNodes: number,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  context: Pick<RequestContext, 'identity' | 'caller'>,
): Cost {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const nodes = countNodes(schema, operation, fragments, variables);
  const cost = { nodes, limit: maxNodes };
  if (nodes > maxNodes) throw new QueryTooLarge(cost);
  assertCleanInputs(operation, fragments, variables);
  if (asksAllProjects(operation, fragments, variables)) {
    assertMayReadAllProjects(context.identity);
    context.caller.allProjects = true;
  }
  return cost;
}

export function unresolvedOperation(name: string | null | undefined): GraphQLError {
  const message = name
    ? `The document has no operation named ${JSON.stringify(name)}; nothing was run.`
    : 'The document holds several operations and the request names none (operationName); nothing was run.';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
}
