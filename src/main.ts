import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import type { Logger } from './observability/logger.js';
import { startupErrorLogger } from './observability/logger.js';
import { redacted } from './upstreams/proxy.js';

/** Where a defect noticed outside any request goes: stderr until the facade's own log exists. */
let defectLog: Logger = startupErrorLogger();

async function main(): Promise<void> {
  // A promise no one awaited that failed is a defect of ours, but one request's: the facade keeps no state it could
  // leave half-changed, so it says so loudly and serves on instead of dropping every request in flight. Listened
  // for from the start: one during a slow start-up ended the process.
  process.on('unhandledRejection', (reason: unknown) => {
    defectLog.error({ err: reason }, 'groupgraph: unhandled promise rejection (a defect, please report it); serving on');
  });
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      startupErrorLogger().fatal(`groupgraph: invalid configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const app = await startApp(config);
  const log = app.observability.log;
  const simulated = Object.keys(app.simulators);
  if (config.demo) {
    const tokens = config.identity.kind === 'keystone' && config.identity.required ? ' Every request needs a token of the built-in Keystone (SIMULATE=keystone), e.g. member:<project>.' : '';
    log.warn(
      { demo: true, simulated },
      `DEMO MODE: no CINDER_URL, MANILA_URL or SDRS_URL is set. Every service runs on the built-in SIMULATOR with example data. Nothing you see here comes from a real cloud.${tokens}`,
    );
  } else if (simulated.length > 0) {
    log.warn({ simulated }, `groupgraph: SIMULATED services (SIMULATE=...): ${simulated.join(', ')}`);
  }
  for (const [name, mode] of Object.entries(config.services)) {
    const where = mode.kind === 'catalog' ? "(each caller's Keystone catalog)" : app.endpoints[name as keyof typeof app.endpoints];
    log.info({ service: name, mode: mode.kind, endpoint: where ?? null }, `${name} ${mode.kind} ${where ?? '(not configured: its fields answer with an error)'}`);
  }
  if (app.identity.keystoneUrl) {
    const how = config.identity.kind === 'keystone' && !config.identity.required ? ' (demo: role:project tokens, e.g. member:<project>; others are the demo admin)' : '';
    const mode = app.identity.simulator ? 'simulated' : 'real';
    log.info({ service: 'keystone', mode, endpoint: app.identity.keystoneUrl }, `keystone ${mode} ${app.identity.keystoneUrl}${how}`);
  }
  if (config.proxy) {
    const { httpProxy, httpsProxy, noProxy } = config.proxy;
    const shown = { httpProxy: httpProxy ? redacted(httpProxy) : null, httpsProxy: httpsProxy ? redacted(httpsProxy) : null, noProxy };
    log.info(shown, `upstream calls through ${shown.httpsProxy ?? shown.httpProxy}${httpsProxy && httpProxy && httpsProxy !== httpProxy ? ` (http://: ${shown.httpProxy})` : ''}, not for ${noProxy}`);
  }
  const tracing = config.observability.tracing;
  for (const bad of tracing?.ignored ?? []) log.warn({ variable: bad.variable, value: bad.value }, `groupgraph: ${bad.message}`);
  log.info(
    {
      url: `${app.server.url}/graphql`,
      metrics: config.observability.metrics.enabled ? (app.metricsUrl ?? `${app.server.url}/metrics`) : null,
      tracing: tracing ? (tracing.exporter === 'console' ? 'console' : tracing.url ? shownUrl(tracing.url) : 'otlp') : null,
    },
    `groupgraph listening on ${app.server.url}/graphql (GraphiQL: open it in a browser)`,
  );
  // The log is buffered: the start-up lines go out now, not with the next 4 KiB.
  log.flush();

  let stopping = false;
  let lingering: NodeJS.Timeout | null = null;
  const stop = (signal: string) => {
    // A second signal while lingering drains at once.
    if (lingering) {
      clearTimeout(lingering);
      lingering = null;
      return drain(signal);
    }
    // `on`, not `once`, and ignore repeats: a second signal during the drain must not kill in-flight requests.
    if (stopping) return;
    stopping = true;
    const delayMs = config.limits.shutdownDelayMs;
    if (delayMs === 0) return drain(signal);
    // Not ready at once, serving as before meanwhile: a balancer that learns of the stop from /readyz stops first.
    app.server.leaving();
    log.info({ signal, delayMs }, `groupgraph: ${signal}: not ready; serving ${delayMs} ms more before draining (SHUTDOWN_DELAY_MS)`);
    lingering = setTimeout(() => {
      lingering = null;
      drain(signal);
    }, delayMs);
  };
  const drain = (signal: string) => {
    log.info({ signal, inFlight: app.server.inFlight() }, `groupgraph: ${signal}: draining ${app.server.inFlight()} request(s), grace ${config.limits.shutdownGraceMs} ms`);
    app.drain(config.limits.shutdownGraceMs).then(
      (left) => {
        if (left === 0) log.info('groupgraph: drained, bye');
        else log.warn({ cutOff: left }, `groupgraph: grace period over, ${left} request(s) cut off`);
        // The log is buffered: out with it before the exit.
        log.flush(() => process.exit(left === 0 ? 0 : 1));
      },
      (err: unknown) => {
        log.error({ err }, 'groupgraph: shutdown failed');
        log.flush(() => process.exit(1));
      },
    );
  };
  defectLog = log;
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A closed terminal (or a process manager's hang-up) drains too: Node's default for SIGHUP is to die at once.
  process.on('SIGHUP', () => stop('SIGHUP'));
}

main().catch((err: unknown) => {
  const listen = listenFailure(err);
  if (listen) {
    startupErrorLogger().fatal(`groupgraph: invalid configuration: ${listen}`);
    process.exit(2);
  }
  startupErrorLogger().fatal({ err }, `groupgraph: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

const LISTEN_CODES: Record<string, string> = {
  EADDRINUSE: 'is already in use',
  EACCES: 'may not be bound by this user',
  EADDRNOTAVAIL: 'is not an address of this machine',
  ENOTFOUND: 'does not resolve',
  EAI_AGAIN: 'does not resolve',
};

/** A port or address the facade could not listen on: one line naming the settings, for an operator, not a stack. */
function listenFailure(err: unknown): string | null {
  const e = err as { code?: string; syscall?: string; address?: string; hostname?: string; port?: number };
  const why = e.code === undefined ? undefined : LISTEN_CODES[e.code];
  if (why === undefined || (e.syscall !== 'listen' && e.syscall !== 'getaddrinfo')) return null;
  const where = e.syscall === 'getaddrinfo' ? `the host ${JSON.stringify(e.hostname)}` : `${e.address ?? ''}:${e.port ?? ''}`;
  return `cannot listen on ${where}: it ${why} (${e.code}); check PORT, HOST and METRICS_PORT.`;
}

/** An exporter URL as the log may show it: a user, password or query string (an API key) are left out. */
function shownUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
