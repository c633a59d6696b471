/**
 * A TCP proxy for partition tests: it sits between a data plane and the control plane and can
 * cut the link (stop listening and reset live connections: what a stopped control plane or a
 * REJECT firewall rule looks like), blackhole it (keep accepting but forward nothing, in either
 * direction: what dropped packets look like to a connection that is already open), and heal it.
 */
import { createServer, Socket, type Server } from 'node:net';

export type ProxyState = 'open' | 'cut' | 'blackhole';

interface Pair {
  client: Socket;
  upstream: Socket;
}

export class TcpProxy {
  readonly host = '127.0.0.1';
  #state: ProxyState = 'open';
  #server: Server | undefined;
  #port = 0;
  readonly #pairs = new Set<Pair>();
  /** Connections accepted since the proxy started (any state). */
  accepted = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts a proxy to `target` (an http URL or host:port) on a random loopback port. */
  static async start(target: string): Promise<TcpProxy> {
    const url = new URL(target.includes('://') ? target : `tcp://${target}`);
    const proxy = new TcpProxy(url.hostname, Number(url.port));
    await proxy.#listen(0);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://${this.host}:${this.#port}`;
  }

  get state(): ProxyState {
    return this.#state;
  }

  /** Stops accepting (new connections are refused) and resets every live connection. */
  async cut(): Promise<void> {
    this.#state = 'cut';
    const server = this.#server;
    this.#server = undefined;
    for (const pair of this.#pairs) this.#drop(pair);
    if (server) await new Promise<void>((ok) => server.close(() => ok()));
  }

  /** Keeps accepting connections but forwards nothing from now on, on new and live ones alike. */
  async blackhole(): Promise<void> {
    this.#state = 'blackhole';
    for (const { client, upstream } of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      // Read and discard, so that nothing flows and nothing is closed.
      client.on('data', () => undefined).resume();
      upstream.on('data', () => undefined).resume();
    }
    if (!this.#server) await this.#listen(this.#port);
  }

  /** Forwards again: listens on the same port (new connections only; cut ones are gone). */
  async heal(): Promise<void> {
    const wasBlackhole = this.#state === 'blackhole';
    this.#state = 'open';
    // What was sent into the blackhole is lost, so those connections can't carry on: reset them.
    if (wasBlackhole) for (const pair of this.#pairs) this.#drop(pair);
    if (!this.#server) await this.#listen(this.#port);
  }

  async close(): Promise<void> {
    await this.cut();
  }

  #drop(pair: Pair): void {
    this.#pairs.delete(pair);
    pair.client.resetAndDestroy();
    pair.upstream.resetAndDestroy();
  }

  async #listen(port: number): Promise<void> {
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, this.host, () => {
        server.off('error', fail);
        ok();
      });
    });
    this.#server = server;
    const address = server.address();
    if (address && typeof address === 'object') this.#port = address.port;
  }

  #accept(client: Socket): void {
    this.accepted++;
    client.on('error', () => undefined);
    if (this.#state === 'cut') {
      client.resetAndDestroy();
      return;
    }
    if (this.#state === 'blackhole') {
      // Accepted, never answered.
      client.on('data', () => undefined);
      const pair = { client, upstream: client };
      this.#pairs.add(pair);
      client.on('close', () => this.#pairs.delete(pair));
      return;
    }
    const upstream = new Socket();
    upstream.on('error', () => undefined);
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const close = () => {
      // In a blackhole one side's FIN or RST never reaches the other: it stays open, silent.
      if (this.#state === 'blackhole') return;
      if (!this.#pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
    upstream.connect(this.targetPort, this.targetHost, () => {
      if (this.#state !== 'open') return;
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }
}
