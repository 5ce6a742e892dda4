import { type ApolloServerPlugin, type GraphQLResponse, HeaderMap } from '@apollo/server';
import { type DocumentNode, type FragmentDefinitionNode, GraphQLError, type GraphQLSchema, Kind, type OperationDefinitionNode, valueFromASTUntyped } from 'graphql';
import type { RequestContext } from '../context.js';
import { FacadeError, InputError } from '../errors.js';
import { type AllProjectsArguments, allProjectsArguments, assertMayReadAllProjects } from './allProjects.js';
import { type Cost, QueryTooLarge, countNodes } from './cost.js';
import { formatError } from './errors.js';
import { assertCleanInputs, assertCleanVariables } from './inputs.js';
import { preflightMutation } from './mutationPreflight.js';
import { type DirectiveVariable, assertCoercible, assertDirectivesDecided, directiveVariables } from './variableChecks.js';

/**
 * What is checked once an operation is parsed and validated, before either executor runs it and so before any
 * upstream call: that the request names one operation of the document, what its answer can hold (cost.ts), its
 * input strings (inputs.ts), and every root field's input of a mutation (mutationPreflight.ts). Every answer then
 * reports the cost in `extensions.cost`.
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
          // Executed as a query, a subscription's fields (read on each change from a root value) would answer null.
          if (rc.operation.operation === 'subscription') throw subscriptionOverHttp();
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
        // Apollo runs this after every plugin's didResolveOperation and, when it answers, executes nothing.
        async responseForOperation(rc) {
          if (rc.operation.operation !== 'mutation') return null;
          const refusals = preflightMutation(schema, rc.operation, factsOf(schema, rc.document, rc.operation).fragments, rc.request.variables);
          return refusals.length === 0 ? null : refusedWhole(refusals);
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
  assertShallowVariables(variables);
  assertVariableNames(operation);
  assertCoercible(schema, operation, variables);
  variables = withDefaults(operation, variables);
  const facts = factsOf(schema, document, operation);
  assertDirectivesDecided(facts.directiveVariables, variables);
  const cost = { nodes: nodesOf(schema, operation, facts, variables), limit: maxNodes };
  if (cost.nodes > maxNodes) throw new QueryTooLarge(cost);
  if (facts.literalsClean) {
    assertCleanVariables(operation, variables);
  } else {
    assertCleanInputs(operation, facts.fragments, variables);
    facts.literalsClean = true;
  }
  if (facts.allProjects.asks(variables)) {
    assertMayReadAllProjects(context.identity);
    context.caller.allProjects = true;
  }
  return cost;
}

/**
 * The variables as execution will see them: a variable the request left out takes its default from the document
 * (`$all: Boolean = true`), so that what is checked here is what runs.
 */
function withDefaults(operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  let out = variables;
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (!def.defaultValue || (variables && Object.hasOwn(variables, name))) continue;
    if (out === variables) out = { ...variables };
    out![name] = valueFromASTUntyped(def.defaultValue); // no `$__proto__` gets here: assertVariableNames refused it
  }
  return out;
}

/**
 * Refuses a variable named with two leading underscores (`$__proto__`), as GraphQL reserves such names for
 * introspection. graphql-jit coerces variables into a plain object, where `__proto__` sets the prototype: a
 * compiled query ran as if the variable were absent (a filter ignored, a page size counted as given but read at
 * its default).
 */
function assertVariableNames(operation: OperationDefinitionNode): void {
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (name.startsWith('__')) throw new InputError(`Variable names starting with "__" are reserved by GraphQL: rename $${name}.`);
  }
}

/** No input type of the schema nests near this; JSON.stringify and the checks below recurse, and would overflow past thousands. */
const MAX_VARIABLES_DEPTH = 64;

/** Refuses variables nested deeper than MAX_VARIABLES_DEPTH, declared or not, walking them without recursion. */
function assertShallowVariables(variables: unknown): void {
  const stack: { value: object; depth: number }[] = [];
  if (variables !== null && typeof variables === 'object') stack.push({ value: variables, depth: 1 });
  for (let next = stack.pop(); next; next = stack.pop()) {
    if (next.depth > MAX_VARIABLES_DEPTH) {
      throw new InputError(`The variables are nested more than ${MAX_VARIABLES_DEPTH} levels deep; nothing was run.`);
    }
    for (const v of Array.isArray(next.value) ? next.value : Object.values(next.value)) {
      if (v !== null && typeof v === 'object') stack.push({ value: v, depth: next.depth + 1 });
    }
  }
}

/**
 * What the checks learnt of one operation of a parsed document. Apollo hands back the same document object for
 * the same text (its document cache), and a screen's query comes back request after request: its fragments, its
 * literals' check, its allProjects arguments and its cost for the variable values seen are worked out once
 * instead of walking the document three times per request.
 */
interface OperationFacts {
  fragments: Record<string, FragmentDefinitionNode>;
  /** The operation's own literals (arguments, directive arguments, variable defaults) passed the input check. */
  literalsClean: boolean;
  allProjects: AllProjectsArguments;
  directiveVariables: DirectiveVariable[];
  /** The operation's number in the cost memo's keys. */
  id: number;
}

/**
 * Costs by operation and variables (their JSON), process-wide, least recently used out. A memo per operation let
 * one client fill memory: Apollo's document store keeps tens of thousands of small operations, each with its own
 * keys. Now the whole memo holds MAX_COSTS keys of at most MAX_COST_KEY characters (a few MB).
 */
const costs = new Map<string, number>();
const MAX_COSTS = 4_096;
// Larger variables (a federation router's representations) are counted every time rather than kept as keys.
const MAX_COST_KEY = 1024;
let operationsSeen = 0;
const factsBySchema = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, OperationFacts>>();

function factsOf(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): OperationFacts {
  let bySchema = factsBySchema.get(schema);
  if (!bySchema) factsBySchema.set(schema, (bySchema = new WeakMap()));
  let facts = bySchema.get(operation);
  if (!facts) {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    facts = {
      fragments,
      literalsClean: false,
      allProjects: allProjectsArguments(operation, fragments),
      directiveVariables: directiveVariables(operation, fragments),
      id: operationsSeen++,
    };
    bySchema.set(operation, facts);
  }
  return facts;
}

/**
 * The operation's cost for these variables: counted (and its page sizes, cursors and representations checked) once
 * per set of variable values. Any variable may matter to the count, so the key is all of them.
 */
function nodesOf(schema: GraphQLSchema, operation: OperationDefinitionNode, facts: OperationFacts, variables: Record<string, unknown> | undefined): number {
  const key = `${facts.id}:${JSON.stringify(variables ?? null)}`;
  const known = costs.get(key);
  if (known !== undefined) {
    // Used again: to the back of the line.
    costs.delete(key);
    costs.set(key, known);
    return known;
  }
  // Throws for a bad page size, cursor or representation: nothing is remembered, the next such request is refused again.
  const nodes = countNodes(schema, operation, facts.fragments, variables);
  if (key.length <= MAX_COST_KEY) {
    if (costs.size >= MAX_COSTS) costs.delete(costs.keys().next().value!);
    costs.set(key, nodes);
  }
  return nodes;
}

/**
 * A mutation refused before any of its fields ran: a request error (400, no data), one error per refused field.
 * Apollo hands an answer from responseForOperation on as it is, so its errors are formatted here, by the facade's
 * one formatter (which logs nothing for them: each is a BAD_USER_INPUT).
 */
function refusedWhole(refusals: readonly GraphQLError[]): GraphQLResponse {
  return {
    http: { status: 400, headers: new HeaderMap() },
    body: { kind: 'single', singleResult: { errors: refusals.map((e) => formatError(e.toJSON(), e)) } },
  };
}

function subscriptionOverHttp(): GraphQLError {
  const message =
    'Subscriptions are served over SSE (POST /graphql with Accept: text/event-stream) or WebSocket (graphql-transport-ws), not as a single answer; nothing was run.';
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}

export function unresolvedOperation(name: string | null | undefined): GraphQLError {
  const message = typeof name === 'string'
    ? `The document has no operation named ${JSON.stringify(name.length > 128 ? `${name.slice(0, 128)}…` : name)}; nothing was run.`
    : 'The document holds several operations and the request names none (operationName); nothing was run.';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
}
