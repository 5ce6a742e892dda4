// A client that pipelines requests and never reads the answers: Node parsed a whole read of them (about 1,700
// `GET /healthz` in 64 KiB) before pausing the socket, and each was held with its answer until the connection timed
// out, about 8 MB per connection and a GB from one address. Past MAX_OWED_ANSWERS owed at once the connection is cut.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_OWED_ANSWERS } from '../../src/http/pipelining.js';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { logCapture } from '../helpers/logs.js';
import { portOf } from '../helpers/raw.js';

let f: Facade;
const logs = logCapture();
beforeAll(async () => {
  f = await startFacade({}, undefined, undefined, { logDestination: logs.stream });
});
afterAll(() => f.close());

it('a connection owed more answers than it reads is cut, and said so', async () => {
  const socket = connect(portOf(f), '127.0.0.1');
  socket.on('error', () => {});
  let text = '';
  socket.on('data', (c) => (text += c.toString()));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.pause();
  socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n'.repeat(500));
  const cutLine = () => logs.lines.find((l) => l.msg === 'connection cut: its client pipelines requests and reads no answer');
  await waitFor(async () => cutLine(), (l) => l !== undefined, 5_000, 20);
  expect(cutLine()).toMatchObject({ level: 40, owedAnswers: MAX_OWED_ANSWERS });
  // What the client gets once it reads: the answers owed before the cut, then the end of the connection.
  socket.resume();
  await closed;
  expect(text.match(/HTTP\/1\.1 200/g)!.length).toBeLessThanOrEqual(MAX_OWED_ANSWERS);
});

it('a client that pipelines a few requests and reads them gets every answer', async () => {
  const socket = connect(portOf(f), '127.0.0.1');
  let text = '';
  socket.on('data', (c) => (text += c.toString()));
  socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n'.repeat(MAX_OWED_ANSWERS - 1) + 'GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  await new Promise<void>((resolve) => socket.on('close', () => resolve()));
  expect(text.match(/HTTP\/1\.1 200/g)).toHaveLength(MAX_OWED_ANSWERS);
});
