import { connect } from 'node:net';
import type { Facade } from './facade.js';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends raw bytes to a port and reads until the server closes the connection (send `connection: close`). */
export async function rawExchange(port: number, text: string): Promise<RawAnswer> {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (c) => (answer += c.toString()));
  socket.on('error', () => {});
  socket.write(text);
  await new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

export const portOf = (facade: Facade) => Number(new URL(facade.url).port);
