import { request } from 'undici';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** What one subscription received: its results in order, and how it ended. */
export interface Feed {
  results: any[];
  /** Resolves with the next result not yet taken (fails the test after `timeoutMs`). */
  next(timeoutMs?: number): Promise<any>;
  /** Resolves once the server completed the subscription (or the connection ended). */
  completed: Promise<void>;
  isComplete(): boolean;
  /** Disconnects. */
  close(): void;
}

function feed(label: string): { feed: Feed; push(r: any): void; complete(): void; onClose(fn: () => void): void } {
  const results: any[] = [];
  let taken = 0;
  let waiter: (() => void) | null = null;
  let complete = false;
  let closeFn = () => {};
  let resolveDone!: () => void;
  const completed = new Promise<void>((r) => (resolveDone = r));
  const wake = () => {
    const w = waiter;
    waiter = null;
    w?.();
  };
  return {
    push(r) {
      results.push(r);
      wake();
    },
    complete() {
      complete = true;
      resolveDone();
      wake();
    },
    onClose(fn) {
      closeFn = fn;
    },
    feed: {
      results,
      completed,
      isComplete: () => complete,
      close: () => closeFn(),
      async next(timeoutMs = 5_000) {
        const deadline = Date.now() + timeoutMs;
        while (taken >= results.length) {
          if (complete) throw new Error(`${label}: completed after ${results.length} results: ${JSON.stringify(results)}`);
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`${label}: no result within ${timeoutMs} ms; had ${JSON.stringify(results)}`);
          await new Promise<void>((resolve) => {
            waiter = resolve;
            setTimeout(resolve, left);
          });
        }
        return results[taken++];
      },
    },
  };
}

/** A subscription over graphql-sse's distinct connections mode, parsed off the wire (`event: next`, `event: complete`). */
export async function sseSubscribe(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Feed & { status: number; body?: string }> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const f = feed(`SSE ${query}`);
  f.onClose(() => res.body.destroy());
  if (!String(res.headers['content-type'] ?? '').includes('text/event-stream')) {
    const body = await res.body.text();
    f.complete();
    return { ...f.feed, status: res.statusCode, body };
  }
  void (async () => {
    let buffered = '';
    try {
      for await (const chunk of res.body) {
        buffered += chunk.toString();
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const message = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const event = /^event: (.*)$/m.exec(message)?.[1];
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (event === 'next' && data) f.push(JSON.parse(data));
          if (event === 'complete') f.complete();
        }
      }
    } catch {
      // aborted by close()
    }
    f.complete();
  })();
  return { ...f.feed, status: res.statusCode };
}

/** One graphql-ws connection (subprotocol graphql-transport-ws) that can hold several subscriptions. */
/** `lazy: false` keeps the socket open with no subscription (graphql-ws closes an idle lazy one itself, 1000). */
export function wsConnection(httpUrl: string, connectionParams: Record<string, unknown> = {}, lazy = true) {
  const closes: { code: number; reason: string }[] = [];
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy,
    // The closes are recorded below; graphql-ws would print them to stderr.
    onNonLazyError: () => {},
    on: { closed: (e) => closes.push({ code: (e as { code: number }).code, reason: (e as { reason: string }).reason }) },
  });
  return {
    client,
    closes,
    subscribe(query: string, variables: Record<string, unknown> = {}): Feed & { errors: unknown[] } {
      const f = feed(`WS ${query}`);
      const errors: unknown[] = [];
      const stop = client.subscribe(
        { query, variables },
        {
          next: (r) => f.push(r),
          error: (e) => {
            errors.push(e);
            f.complete();
          },
          complete: () => f.complete(),
        },
      );
      f.onClose(stop);
      return { ...f.feed, errors };
    },
    dispose: () => client.dispose(),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
