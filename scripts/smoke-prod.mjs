// CI: the compiled server (`npm run build && npm run start:prod`) starts on the simulators, answers a query, drains.
// NODE_ENV=production serves simulated data only when SIMULATE asks for it.
import { spawn } from 'node:child_process';

const port = 4799;
const child = spawn(process.execPath, ['dist/src/main.js'], {
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', SIMULATE: 'cinder,manila,sdrs' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (c) => (out += c));
const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
const fail = (msg) => {
  console.error(`smoke: FAILED: ${msg}\n${out}`);
  child.kill('SIGKILL');
  process.exit(1);
};
// The log is buffered: readiness is /healthz answering, not the 'listening' line.
const healthy = () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
for (let i = 0; !(await healthy()); i++) {
  if (i > 100) fail('server did not start');
  await new Promise((r) => setTimeout(r, 100));
}
const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ groups(first: 2) { nodes { name } } shareGroups(first: 1) { nodes { name } } protectionGroups(first: 1) { nodes { name } } }' }),
});
const body = await res.json();
if (res.status !== 200 || body.errors || body.data.groups.nodes.length !== 2) fail(`unexpected answer ${JSON.stringify(body)}`);
child.kill('SIGTERM');
const code = await exited;
if (code !== 0) fail(`exit code ${code} after SIGTERM`);
console.log('smoke: the compiled server answered on the simulators and drained on SIGTERM');
