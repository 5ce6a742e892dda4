import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`groupgraph: invalid configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const app = await startApp(config);
  const simulated = Object.keys(app.simulators);
  if (config.demo) {
    console.log('='.repeat(78));
    console.log('  DEMO MODE: no CINDER_URL, MANILA_URL or SDRS_URL is set.');
    console.log('  Every service runs on the built-in SIMULATOR with example data.');
    console.log('  Nothing you see here comes from a real cloud.');
    console.log('='.repeat(78));
  } else if (simulated.length > 0) {
    console.log(`groupgraph: SIMULATED services (SIMULATE=...): ${simulated.join(', ')}`);
  }
  for (const [name, mode] of Object.entries(config.services)) {
    const where = mode.kind === 'catalog' ? "(each caller's Keystone catalog)" : app.endpoints[name as keyof typeof app.endpoints];
    console.log(`  ${name.padEnd(8)} ${mode.kind.padEnd(9)} ${where ?? '(not configured: its fields answer with an error)'}`);
  }
  if (app.identity.keystoneUrl) {
    const how = config.identity.kind === 'keystone' && !config.identity.required ? ' (demo: role:project tokens, e.g. member:<project>; others are the demo admin)' : '';
    console.log(`  ${'keystone'.padEnd(8)} ${(app.identity.simulator ? 'simulated' : 'real').padEnd(9)} ${app.identity.keystoneUrl}${how}`);
  }
  console.log(`groupgraph listening on ${app.server.url}/graphql (GraphiQL: open it in a browser)`);

  let stopping = false;
  const stop = (signal: string) => {
    // `on`, not `once`, and ignore repeats: a second signal during the drain must not kill in-flight requests.
    if (stopping) return;
    stopping = true;
    console.log(`groupgraph: ${signal}: draining ${app.server.inFlight()} request(s), grace ${config.limits.shutdownGraceMs} ms`);
    app.drain(config.limits.shutdownGraceMs).then(
      (left) => {
        console.log(left === 0 ? 'groupgraph: drained, bye' : `groupgraph: grace period over, ${left} request(s) cut off`);
        process.exit(left === 0 ? 0 : 1);
      },
      (err: unknown) => {
        console.error('groupgraph: shutdown failed:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`groupgraph: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
