/** IAM passed through a data plane to the control plane, and the two 503s a client can get. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { ControlPlaneForwarder, type ForwarderOptions } from '../../src/server/control-plane-forwarder.js';

const servers: { close(cb: () => void): unknown }[] = [];
const sockets = new Set<Socket>();
after(async () => {
  for (const socket of sockets) socket.destroy();
  for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
});

function portOf(server: { address(): AddressInfo | string | null }): number {
  return (server.address() as AddressInfo).port;
}

async function listening<T extends Server | ReturnType<typeof createNetServer>>(server: T): Promise<T> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return server;
}

/** A data-plane edge whose every request goes through a forwarder with `options`. */
async function edge(options: Omit<ForwarderOptions, 'region'>): Promise<{ url: string; forwarder: ControlPlaneForwarder }> {
  const forwarder = new ControlPlaneForwarder({ region: 'eu-west-1', ...options });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void forwarder.forward(req, Buffer.concat(chunks), res));
  });
  await listening(server);
  return { url: `http://127.0.0.1:${portOf(server)}`, forwarder };
}

async function createUser(url: string): Promise<{ status: number; text: string; ms: number; retryAfter: string | null }> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', body: 'Action=CreateUser&UserName=bob&Version=2010-05-08', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=x' } });
  return { status: res.status, text: await res.text(), ms: performance.now() - started, retryAfter: res.headers.get('retry-after') };
}

function messageOf(xml: string): string | undefined {
  return /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
}

const UNREACHABLE = /^The control plane cannot be reached from eu-west-1: IAM changes cannot be made right now\. Retry later; STS and authorization keep working in this region\.$/;
const NO_ANSWER = 'The request reached the control plane but no answer came back in time; it may have been applied: check before retrying.';

describe('ControlPlaneForwarder', () => {
  it('passes the request through whole and the answer back', async () => {
    let seen = '';
    const cp = await listening(
      createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          seen = `${req.method} ${req.url} ${req.headers.authorization} ${body}`;
          res.writeHead(200, { 'content-type': 'text/xml', 'x-gatehouse-revision': '42' }).end('<CreateUserResponse/>');
        });
      }),
    );
    const { url, forwarder } = await edge({ controlPlaneUrl: `http://127.0.0.1:${portOf(cp)}`, reachable: () => true });
    const answer = await createUser(url);
    forwarder.close();
    assert.deepEqual([answer.status, answer.text], [200, '<CreateUserResponse/>']);
    assert.equal(seen, 'POST / AWS4-HMAC-SHA256 Credential=x Action=CreateUser&UserName=bob&Version=2010-05-08');
  });

  it('answers "cannot be reached" at once while the follower is cut off, and when the connection is refused', async () => {
    const closed = await listening(createNetServer());
    const port = portOf(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    servers.splice(servers.indexOf(closed), 1);
    for (const reachable of [false, true]) {
      const { url, forwarder } = await edge({ controlPlaneUrl: `http://127.0.0.1:${port}`, reachable: () => reachable });
      const answer = await createUser(url);
      forwarder.close();
      assert.equal(answer.status, 503);
      assert.match(answer.text, /<Code>ServiceUnavailable<\/Code>/);
      assert.match(messageOf(answer.text) ?? '', UNREACHABLE);
      assert.equal(answer.retryAfter, '5');
      assert.ok(answer.ms < 1_000, `answered after ${answer.ms} ms`);
    }
  });

  it('says the write may have been applied when it was sent and no answer came back in time', async () => {
    // Accepts and reads, never answers: a silent partition, or a control plane that hangs.
    let received = '';
    const silent = await listening(createNetServer((socket) => socket.on('data', (d: Buffer) => (received += d.toString()))));
    const { url, forwarder } = await edge({ controlPlaneUrl: `http://127.0.0.1:${portOf(silent)}`, reachable: () => true, answerTimeoutMs: 200 });
    const answer = await createUser(url);
    forwarder.close();
    assert.equal(answer.status, 503);
    assert.equal(messageOf(answer.text), NO_ANSWER);
    assert.match(received, /UserName=bob/, 'the request had gone out');
    assert.ok(answer.ms >= 150 && answer.ms < 2_000, `answered after ${answer.ms} ms`);
  });

  it('gives up on the whole exchange after timeoutMs (default 5 s), even if the answer wait is longer', async () => {
    const silent = await listening(createNetServer((socket) => socket.resume()));
    const { url, forwarder } = await edge({ controlPlaneUrl: `http://127.0.0.1:${portOf(silent)}`, reachable: () => true, answerTimeoutMs: 60_000, timeoutMs: 300 });
    const answer = await createUser(url);
    forwarder.close();
    assert.equal(messageOf(answer.text), NO_ANSWER);
    assert.ok(answer.ms >= 250 && answer.ms < 2_000, `answered after ${answer.ms} ms`);
  });
});
