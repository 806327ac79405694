/**
 * A loopback HTTP proxy in front of the emulator that holds chosen requests until the test
 * releases them: the way to have a write "in flight" for as long as a test needs (a signal
 * sent, a line read), with no timing guess. Everything else passes straight through. A held
 * request is forwarded on release even if its client has gone (killed): the write then lands
 * with nobody to hear the answer, the case a re-run must not do twice.
 */
import { once } from 'node:events';
import {
  createServer,
  request,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Hold every request `match` accepts, after letting the first `skip` of them through. */
  holdMatching(match: (method: string, path: string) => boolean, skip?: number): void;
  /** Requests held right now. */
  held(): number;
  /** Resolves once at least `count` requests are held. */
  whenHeld(count: number): Promise<void>;
  /** Stops holding; forwards every held request; resolves once FreshBooks has answered them. */
  release(): Promise<void>;
  close(): Promise<void>;
}

export async function startHoldProxy(target: string): Promise<HoldProxy> {
  const upstream = new URL(target);
  let rule: { match: (method: string, path: string) => boolean; skip: number } | null = null;
  let waiting: Array<() => Promise<void>> = [];
  let watchers: Array<{ count: number; wake: () => void }> = [];

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) =>
    new Promise<void>((answered) => {
      const headers: OutgoingHttpHeaders = { ...req.headers, host: upstream.host };
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
        },
        (answer) => {
          if (!res.destroyed) res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.on('end', answered);
          answer.pipe(res);
        },
      );
      out.on('error', () => {
        res.destroy();
        answered();
      });
      out.end(body);
    });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const send = () => forward(req, body, res);
      if (rule && rule.match(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/')) {
        if (rule.skip > 0) rule.skip -= 1;
        else {
          waiting.push(send);
          for (const w of watchers.filter((w) => waiting.length >= w.count)) w.wake();
          watchers = watchers.filter((w) => waiting.length < w.count);
          return;
        }
      }
      void send();
    });
  });
  server.keepAliveTimeout = 1_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    holdMatching(match, skip = 0) {
      rule = { match, skip };
    },
    held: () => waiting.length,
    whenHeld(count) {
      if (waiting.length >= count) return Promise.resolve();
      return new Promise((wake) => watchers.push({ count, wake }));
    },
    async release() {
      rule = null;
      const sends = waiting;
      waiting = [];
      await Promise.all(sends.map((send) => send()));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
