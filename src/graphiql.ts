import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** GraphiQL and React served from the installed packages: no CDN, so it works offline. */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'application/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'application/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'application/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

// graphiql's "exports" hides its UMD bundle, so resolve the package root and read the file beside it.
const packageDir = (pkg: string) => dirname(require.resolve(`${pkg}/package.json`));

const cache = new Map<string, Buffer>();

export function graphiqlAsset(name: string): { body: Buffer; type: string } | null {
  // Own names only: `constructor` or `__proto__` would find Object.prototype's.
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) return null;
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(join(packageDir(asset.pkg), asset.file));
    cache.set(name, body);
  }
  return { body, type: asset.type };
}

const EXAMPLE = `# Welcome to groupgraph. Press the play button to run this query.
# In demo mode every service is a built-in simulator with example data.
query Overview {
  about { services { name mode } }
  groups(first: 3) {
    totalCount
    nodes {
      name status
      groupType { name }
      volumes { name size status }
      snapshots(first: 3) { nodes { name status createdAt } }
    }
  }
  shareGroups(first: 3) {
    nodes { name status shares { name size } }
  }
  protectionGroups(first: 3) {
    nodes { name status priorityStation }
  }
}

# Live status: run this one on its own (select it and press play), then change the group elsewhere.
# subscription Follow { group(id: "<a group's id>") { name status volumes { name status } } }
`;

export function graphiqlPage(endpoint: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>groupgraph — GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<style>html,body,#graphiql{height:100%;margin:0}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.js"></script>
<script src="/graphiql/react-dom.js"></script>
<script src="/graphiql/graphiql.js"></script>
<script>
  // Subscriptions go over graphql-ws (bundled in graphiql.js: no CDN); the headers editor's X-Auth-Token
  // travels in connection_init's payload, where the facade reads it.
  const subscriptionUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + ${JSON.stringify(endpoint)};
  const fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(endpoint)}, subscriptionUrl });
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: ${JSON.stringify(EXAMPLE)},
    defaultHeaders: JSON.stringify({ 'X-Auth-Token': '' }, null, 2),
    shouldPersistHeaders: true,
  }));
</script>
</body>
</html>`;
}
