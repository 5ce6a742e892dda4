import { createServer } from 'node:http';
import { Tracing } from './dist/src/observability/tracing.js';
const mode = process.env.MODE ?? 'full';
const server = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200).end()); });
await new Promise((r) => server.listen(0, '127.0.0.1', () => r()));
const url = `http://127.0.0.1:${server.address().port}/v1/traces`;
const tracing = new Tracing({ exporter: mode === 'none' ? 'console' : 'otlp', protocol: 'http/protobuf', url, serviceName: 'groupgraph' },
  mode === 'none' ? { export: (_s, cb) => cb({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} } : undefined);
function oneRequest() {
  const span = tracing.startRequest({}, { 'http.request.method': 'POST', 'groupgraph.request_id': 'req-0b4f1c55-0d4e-4a8e-9d43-6f2b0d1f7c11' });
  const ctx = tracing.parentContext(span);
  for (let i = 0; i < 5; i++) {
    const headers = {};
    const s = tracing.startUpstream(ctx, 'GET /groups/detail', { 'http.request.method': 'GET', 'url.template': '/groups/detail', 'server.address': '127.0.0.1', 'server.port': 8776, 'upstream.service': 'cinder' });
    tracing.inject(s, headers);
    s.setAttribute('http.response.status_code', 200);
    s.setAttribute('upstream.request_id', 'req-6fcb1372-4cd5-40fd-9022-62bb571ce7df');
    s.end();
  }
  span.setAttribute('http.response.status_code', 200);
  span.setAttribute('graphql.upstream_calls', 5);
  span.end();
}
const N = 60000;
for (let i = 0; i < 3000; i++) oneRequest();
await tracing.flush();
const r0 = process.resourceUsage();
let done = 0;
await new Promise((resolve) => { const tick = () => { for (let k = 0; k < 4; k++) { oneRequest(); done++; } if (done < N) setImmediate(tick); else resolve(); }; tick(); });
await tracing.flush();
const r1 = process.resourceUsage();
console.log(mode, 'user us/req', ((r1.userCPUTime - r0.userCPUTime) / N).toFixed(2), 'sys us/req', ((r1.systemCPUTime - r0.systemCPUTime) / N).toFixed(2), 'minor faults/req', ((r1.minorPageFault - r0.minorPageFault) / N).toFixed(3));
server.close();
