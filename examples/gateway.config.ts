// `npx hive-gateway supergraph examples/supergraph.graphql -c examples/gateway.config.ts` (docs/deploy.md).
import { defineConfig } from '@graphql-hive/gateway';
import { ROUTER_OPTIONS } from './router.js';

export const gatewayConfig = defineConfig({ ...ROUTER_OPTIONS });
