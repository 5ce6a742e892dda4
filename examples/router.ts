import type { GatewayConfigSupergraph } from '@graphql-hive/gateway';
import { type DocumentNode, getOperationAST } from 'graphql';

/**
 * The router settings groupgraph needs, shared by examples/gateway.config.ts (the `hive-gateway` CLI) and the
 * integration test (createGatewayRuntime), so the test runs what docs/deploy.md tells operators to run.
 */
export const ROUTER_OPTIONS = {
  propagateHeaders: {
    // The caller's credentials reach groupgraph, which validates them (Keystone) and forwards them upstream;
    // the request id ties the router's log line to groupgraph's.
    fromClientToSubgraphs: ({ request }: { request: Request }) => ({
      'x-auth-token': request.headers.get('x-auth-token'),
      authorization: request.headers.get('authorization'),
      'x-request-id': request.headers.get('x-request-id'),
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
} satisfies Partial<GatewayConfigSupergraph>;
