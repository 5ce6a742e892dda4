import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'undici';

/** Settings for the real-upstream suite: the env file scripts/openstack/start.sh writes, or the environment. */
export function openstackEnv(
  required: readonly string[] = ['CINDER_URL', 'OPENSTACK_TOKEN', 'OPENSTACK_PG_URL'],
): Record<string, string> {
  const file = `${process.env.OPENSTACK_WORKDIR ?? '/tmp/groupgraph-openstack'}/env`;
  const out: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) out[m[1]!] = m[2]!;
    }
  }
  for (const k of ['CINDER_URL', 'MANILA_URL', 'OPENSTACK_TOKEN', 'OPENSTACK_PG_URL']) {
    if (process.env[k]) out[k] = process.env[k]!;
  }
  for (const k of required) {
    if (!out[k]) throw new Error(`${k} is not set: run scripts/openstack/start.sh first (it writes ${file})`);
  }
  return out;
}

/** Runs SQL against one service database: only for what a scheduler or backend would have written. */
export function sql(pgUrl: string, db: string, statement: string): string {
  return execFileSync('psql', [`${pgUrl}/${db}`, '-v', 'ON_ERROR_STOP=1', '-qtAc', statement], { encoding: 'utf8' });
}

export const quoteList = (ids: string[]) => ids.map((id) => `'${id.replace(/[^0-9a-f-]/gi, '')}'`).join(',');

/** A project-scoped password token from real Keystone, as a portal's login would get it. */
export async function passwordToken(keystone: string, user: string, password: string, projectId: string): Promise<string> {
  const res = await request(`${keystone}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password } } },
        scope: { project: { id: projectId } },
      },
    }),
  });
  await res.body.text();
  const token = res.headers['x-subject-token'];
  if (res.statusCode !== 201 || typeof token !== 'string') throw new Error(`Keystone refused ${user}: HTTP ${res.statusCode}`);
  return token;
}
