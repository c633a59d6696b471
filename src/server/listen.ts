/** Starts an HTTP server with the limits of limits.ts on a host and port. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerLimits } from './limits.js';

export interface RunningNode {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, options: { port: number; host?: string; limits: ServerLimits }): Promise<RunningNode> {
  const { limits } = options;
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxHeaderSize: 16 * 1024,
      // How often Node checks the two timeouts above; its default (30 s) lets a slow client linger.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    handler,
  );
  server.maxHeadersCount = 200;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host ?? '127.0.0.1', () => ok());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    server,
    close: () =>
      (closing ??= new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeIdleConnections();
        // Long-polls and kept-alive requests in flight would hold close() open.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      })),
  };
}
