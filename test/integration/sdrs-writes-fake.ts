// A small SDRS for the sdrs-writes tests: one protection group, actions that start a job which never ends, and
// knobs for what a rename answers and whether the group can be read. Records every call with its time.
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const PROJECT = '0f1e2d3c4b5a46978877665544332211';

export interface FakeCall {
  method: string;
  path: string;
  at: number;
}

export interface FakeSdrs {
  /** The SDRS_URL to give the facade. */
  url: string;
  calls: FakeCall[];
  group: Record<string, unknown>;
  /** What a rename's PUT answers, given the group as it stands after the rename (default: `{server_group}`). */
  renameAnswer: (group: Record<string, unknown>) => unknown;
  /** How many of the next group reads fail with HTTP 500 (not retried: a 500 is no transient status). */
  failGroupReads: number;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => resolve(text));
  });
}

export async function startFakeSdrs(): Promise<FakeSdrs> {
  const id = randomUUID();
  const fake: Omit<FakeSdrs, 'url' | 'close'> = {
    calls: [],
    group: { id, name: 'billing-db', status: 'protected', priority_station: 'source', source_availability_zone: 'az-a', target_availability_zone: 'az-b' },
    renameAnswer: (group) => ({ server_group: group }),
    failGroupReads: 0,
  };
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    const text = await body(req);
    if (path === '/' || path === '') return json(res, 200, { versions: [{ id: 'v1', status: 'CURRENT' }] });
    fake.calls.push({ method: req.method ?? '', path, at: Date.now() });
    const rest = path.replace(`/v1/${PROJECT}`, '');
    if (rest === `/server-groups/${id}` && req.method === 'GET') {
      if (fake.failGroupReads > 0) {
        fake.failGroupReads--;
        return json(res, 500, { error: { code: 'SDRS.0013', message: 'Internal error' } });
      }
      return json(res, 200, { server_group: fake.group });
    }
    if (rest === `/server-groups/${id}` && req.method === 'PUT') {
      fake.group = { ...fake.group, name: JSON.parse(text).server_group.name };
      return json(res, 200, fake.renameAnswer(fake.group));
    }
    if (rest === `/server-groups/${id}/action` && req.method === 'POST') return json(res, 200, { job_id: 'ff8080828f3a61c00195a1b2c3d40001' });
    const job = /^\/jobs\/([0-9a-f]{32})$/.exec(rest);
    if (job && req.method === 'GET') {
      return json(res, 200, { job_id: job[1], job_type: 'stopProtectionGroupNoCG', status: 'RUNNING', entities: { server_group_id: id } });
    }
    return json(res, 400, { error: { code: 'SDRS.1013', message: 'Protection group not found' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}/v1/${PROJECT}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
