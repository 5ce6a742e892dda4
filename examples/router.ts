import type { GatewayConfigSupergraph } from '@graphql-hive/gateway';
import { type DocumentNode, getOperationAST } from 'graphql';

/**
 * The router settings groupgraph needs, shared by examples/gateway.config.ts (the `hive-gateway` CLI) and the
 * integration test (createGatewayRuntime), so the test runs what docs/deploy.md tells operators to run.
 */
/** groupgraph's name in the supergraph (examples/compose.ts): its subgraph alone gets the caller's OpenStack token. */
export const GROUPGRAPH_SUBGRAPH = 'groupgraph';

export const ROUTER_OPTIONS = {
  propagateHeaders: {
    // The caller's credentials reach groupgraph only, which validates them (Keystone) and forwards them upstream: an
    // OpenStack token is no other subgraph's business. The request id and the W3C trace context go to every
    // subgraph, so the router's log line and trace continue in each.
    fromClientToSubgraphs: ({ request, subgraphName }: { request: Request; subgraphName: string }) => ({
      ...(subgraphName === GROUPGRAPH_SUBGRAPH
        ? { 'x-auth-token': request.headers.get('x-auth-token'), authorization: request.headers.get('authorization') }
        : {}),
      'x-request-id': request.headers.get('x-request-id'),
      traceparent: request.headers.get('traceparent'),
      tracestate: request.headers.get('tracestate'),
    }),
  },
  // Longer than groupgraph's REQUEST_DEADLINE_MS (10 s by default): groupgraph answers a slow request with a
  // partial answer and DEADLINE_EXCEEDED rather than the router cutting it.
  upstreamTimeout: 12_000,
  // Reads are retried on another replica when one is gone (connection refused, 502/503); writes never are.
  upstreamRetry: ({ executionRequest }: { executionRequest: { document: DocumentNode; operationType?: string } }) =>
    (executionRequest.operationType ?? getOperationAST(executionRequest.document)?.operation) === 'mutation'
      ? undefined
      : { maxRetries: 2, retryDelay: 50, retryDelayFactor: 2 },
  // Answers compressed for clients that take it (groupgraph, behind it, runs with RESPONSE_COMPRESSION=false:
  // docs/deploy.md). Requests to the subgraphs stay as they are: groupgraph takes no compressed request body.
  contentEncoding: true,
} satisfies Partial<GatewayConfigSupergraph>;
