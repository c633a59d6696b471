import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createFeedHandler, type FeedPoll } from '../../src/replication/feed-http.js';
import { FeedError, type FeedSource } from '../../src/replication/feed-source.js';
import type { FeedChanges, FeedSnapshot } from '../../src/replication/feed-types.js';
import { HttpFeedSource } from '../../src/replication/http-feed-source.js';
import { replicationToken } from '../../src/replication/replication-token.js';
import { snapshotChunks, SnapshotLineParser } from '../../src/replication/snapshot-lines.js';
import { ACCOUNT, createControlPlane, createUser, eventually, type ControlPlane } from './fixture.js';

const KEY = Buffer.alloc(32, 3);
const token = (region: string) => replicationToken(KEY, region);

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

async function listen(handler: ReturnType<typeof createFeedHandler>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404, { 'content-type': 'text/plain' }).end('not the feed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function json(answer: Answer): unknown {
  const body = answer.headers['content-encoding'] === 'gzip' ? gunzipSync(answer.body) : answer.body;
  return JSON.parse(body.toString('utf8'));
}

describe('the feed over HTTP', () => {
  let cp: ControlPlane;
  let server: Server;
  let url: string;
  const polls: FeedPoll[] = [];

  before(async () => {
    cp = await createControlPlane();
    await createUser(cp, 'alice', { mfa: true });
    ({ server, url } = await listen(createFeedHandler({ source: cp.feed, tokenFor: token, onPoll: (p) => polls.push(p), maxWaitMs: 50, now: () => cp.clock.now })));
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('passes other paths on', async () => {
    const answer = await get(`${url}/v1/authorize`);
    assert.equal(answer.status, 404);
    assert.equal(answer.body.toString(), 'not the feed');
  });

  it("refuses a missing token, a wrong one, and another region's", async () => {
    for (const authorization of [undefined, 'Bearer nope', `Bearer ${token('eu-west-1')}`, token('us-east-1'), `Basic ${token('us-east-1')}`]) {
      const answer = await get(`${url}/v1/replication/snapshot?region=us-east-1`, authorization ? { authorization } : {});
      assert.equal(answer.status, 401, String(authorization));
      assert.equal(answer.headers['content-type'], 'application/json');
      assert.match(String(answer.headers['www-authenticate']), /^Bearer/);
      assert.deepEqual(json(answer), { error: { code: 'Unauthorized', message: 'This token does not open the replication feed of us-east-1.' } });
    }
  });

  it('answers bad parameters with 400 and other methods with 405', async () => {
    const auth = { authorization: `Bearer ${token('us-east-1')}` };
    const bad = [
      ['/v1/replication/snapshot', 'region must be a region name such as us-east-1'],
      ['/v1/replication/changes?region=us-east-1', 'after is required'],
      ['/v1/replication/changes?region=us-east-1&after=-1', 'after must be an integer from 0 to 9007199254740991'],
      ['/v1/replication/changes?region=us-east-1&after=1&limit=0', 'limit must be an integer from 1 to 10000'],
      ['/v1/replication/changes?region=us-east-1&after=1&wait=soon', 'wait must be an integer from 0 to 9007199254740991'],
    ];
    for (const [path, message] of bad) {
      const answer = await get(`${url}${path}`, auth);
      assert.equal(answer.status, 400, path);
      assert.deepEqual(json(answer), { error: { code: 'BadRequest', message } });
    }
    const post = await get(`${url}/v1/replication/snapshot?region=us-east-1`, auth, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET');
  });

  it('serves the snapshot, gzipped when asked, as the same JSON', async () => {
    const expected = JSON.parse(JSON.stringify(await cp.feed.snapshot('us-east-1'))) as FeedSnapshot;
    const auth = { authorization: `Bearer ${token('us-east-1')}` };
    const zipped = await get(`${url}/v1/replication/snapshot?region=us-east-1`, { ...auth, 'accept-encoding': 'br, gzip' });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.deepEqual(json(zipped), expected);
    const plain = await get(`${url}/v1/replication/snapshot?region=us-east-1`, { ...auth, 'accept-encoding': 'gzip;q=0' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(json(plain), expected);
    assert.ok(zipped.body.length * 3 < plain.body.length, 'gzip pays off on a snapshot');
  });

  it('serves changes, caps the wait, and reports pollers', async () => {
    const latest = await cp.revision();
    const headers = { authorization: `Bearer ${token('us-east-1')}`, 'x-gatehouse-node': 'node-a', 'x-gatehouse-applied': String(latest - 1) };
    const answer = await get(`${url}/v1/replication/changes?region=us-east-1&after=${latest - 1}`, headers);
    assert.equal(answer.status, 200);
    const batch = json(answer) as FeedChanges;
    assert.deepEqual([batch.after, batch.revision, batch.latest], [latest - 1, latest, latest]);
    // wait=60000 is capped at maxWaitMs (50): the poll comes back empty, soon.
    const empty = json(await get(`${url}/v1/replication/changes?region=us-east-1&after=${latest}&wait=60000`, headers)) as FeedChanges;
    assert.deepEqual(empty.changes, []);
    assert.deepEqual(polls.at(-1), { region: 'us-east-1', node: 'node-a', applied: latest - 1, time: cp.clock.now });
  });

  it('sends a heartbeat (a space) while a long-poll waits, and the answer is still the JSON batch', async () => {
    const latest = await cp.revision();
    const { server: s, url: u } = await listen(createFeedHandler({ source: cp.feed, tokenFor: token, heartbeatMs: 20 }));
    try {
      const auth = { authorization: `Bearer ${token('us-east-1')}`, 'accept-encoding': 'gzip' };
      // Wake the poll only once two heartbeats have arrived.
      let beats!: () => void;
      const twoBeats = new Promise<void>((resolve) => (beats = resolve));
      const waiting = new Promise<Answer>((resolve, reject) => {
        const req = request(`${u}/v1/replication/changes?region=us-east-1&after=${latest}&wait=5000`, { headers: auth, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            chunks.push(c);
            if (/^ {2}/.test(Buffer.concat(chunks).toString('latin1'))) beats();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
      await twoBeats;
      await cp.call('CreateUser', { userName: 'heartbeat-user' });
      const answer = await waiting;
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['x-gatehouse-heartbeat-ms'], '20');
      assert.equal(answer.headers['content-encoding'], undefined, 'committed before the batch: not compressed');
      const text = answer.body.toString('utf8');
      assert.match(text, /^ {2,}\{/, 'heartbeats precede the batch');
      const batch = JSON.parse(text) as FeedChanges;
      assert.deepEqual([batch.after, batch.changes.map((c) => c.id)], [latest, [`${ACCOUNT}/heartbeat-user`]]);
      // An answer ready at once carries no heartbeat, only the announcement.
      const quick = await get(`${u}/v1/replication/changes?region=us-east-1&after=${latest}&wait=5000`, auth);
      assert.equal(quick.headers['x-gatehouse-heartbeat-ms'], '20');
      assert.equal((json(quick) as FeedChanges).after, latest);
      assert.doesNotMatch(quick.body.toString('latin1'), /^ /);
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it('aborts the long-poll when the reader disconnects', async () => {
    let aborted = false;
    let started!: () => void;
    const polling = new Promise<void>((resolve) => (started = resolve));
    const source: FeedSource = {
      snapshot: () => Promise.reject(new Error('unused')),
      changes: (_region, _after, options) =>
        new Promise((_resolve, reject) => {
          started();
          options?.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new FeedError('aborted', 499, true));
          });
        }),
    };
    const { server: s, url: u } = await listen(createFeedHandler({ source, tokenFor: token }));
    const req = request(`${u}/v1/replication/changes?region=us-east-1&after=0&wait=20000`, { headers: { authorization: `Bearer ${token('us-east-1')}` }, agent: false });
    req.on('error', () => {});
    req.end();
    await polling;
    req.destroy();
    await eventually(() => aborted, 2000, 'the poll to be aborted');
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });
});

describe('HttpFeedSource', () => {
  let cp: ControlPlane;
  let server: Server;
  let url: string;

  before(async () => {
    cp = await createControlPlane();
    await createUser(cp, 'alice', { mfa: true });
    ({ server, url } = await listen(createFeedHandler({ source: cp.feed, tokenFor: token })));
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the same snapshot and changes as the control plane serves, and long-polls through', async () => {
    const source = new HttpFeedSource({ url, token: token('us-east-1'), nodeId: 'n1', applied: () => 0 });
    try {
      assert.deepEqual(await source.snapshot('us-east-1'), JSON.parse(JSON.stringify(await cp.feed.snapshot('us-east-1'))));
      const latest = await cp.revision();
      assert.deepEqual(await source.changes('us-east-1', 0, { limit: 3 }), JSON.parse(JSON.stringify(await cp.feed.changes('us-east-1', 0, { limit: 3 }))));
      const waiting = source.changes('us-east-1', latest, { waitMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 20)); // let the poll reach the server
      await cp.call('CreateUser', { userName: 'bob' });
      const woken = await waiting;
      assert.deepEqual(woken.changes.map((c) => c.id), [`${ACCOUNT}/bob`]);
    } finally {
      source.close();
    }
  });

  it('fails with a FeedError: 401 not retryable, unreachable and 5xx retryable, aborted', async () => {
    const wrong = new HttpFeedSource({ url, token: token('eu-west-1'), nodeId: 'n1' });
    await assert.rejects(wrong.snapshot('us-east-1'), (err: FeedError) => err instanceof FeedError && err.status === 401 && !err.retryable && /does not open/.test(err.message));
    wrong.close();

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = new HttpFeedSource({ url: `http://127.0.0.1:${deadPort}`, token: 't', nodeId: 'n1' });
    await assert.rejects(unreachable.changes('us-east-1', 0), (err: FeedError) => err instanceof FeedError && err.status === 0 && err.retryable && /unreachable/.test(err.message));
    unreachable.close();

    const failing: FeedSource = { snapshot: () => Promise.reject(new Error('disk on fire')), changes: () => Promise.reject(new FeedError('store unavailable', 503, true)) };
    const errors: unknown[] = [];
    const { server: s, url: u } = await listen(createFeedHandler({ source: failing, tokenFor: token, onError: (e) => errors.push(e) }));
    const source = new HttpFeedSource({ url: u, token: token('us-east-1'), nodeId: 'n1' });
    await assert.rejects(source.snapshot('us-east-1'), (err: FeedError) => err.status === 500 && err.retryable && !/disk/.test(err.message));
    assert.equal(errors.length, 1, 'the unexpected error reaches onError, not the reader');
    await assert.rejects(source.changes('us-east-1', 0), (err: FeedError) => err.status === 503 && err.retryable && /store unavailable/.test(err.message));
    const aborter = new AbortController();
    const pending = new HttpFeedSource({ url, token: token('us-east-1'), nodeId: 'n1' });
    const poll = pending.changes('us-east-1', await cp.revision(), { waitMs: 20_000, signal: aborter.signal });
    aborter.abort();
    await assert.rejects(poll, (err: FeedError) => err.status === 499);
    pending.close();
    source.close();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  it('reports the revision it holds: each poll its after, from the first poll on, and the snapshot revision after a snapshot', async () => {
    const polls: FeedPoll[] = [];
    const { server: s, url: u } = await listen(createFeedHandler({ source: cp.feed, tokenFor: token, onPoll: (p) => polls.push(p), now: () => cp.clock.now }));
    // No applied callback: nothing outside the source is needed for the report.
    const source = new HttpFeedSource({ url: u, token: token('us-east-1'), nodeId: 'fresh-node' });
    try {
      const snapshot = await source.snapshot('us-east-1');
      assert.equal(polls.at(-1)!.applied, 0, 'a brand-new node holds nothing yet');
      await source.changes('us-east-1', snapshot.revision, { waitMs: 0 });
      assert.equal(polls.at(-1)!.applied, snapshot.revision, 'the first poll says what the node holds');
      await source.snapshot('us-east-1');
      assert.equal(polls.at(-1)!.applied, snapshot.revision);
    } finally {
      source.close();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it('treats a long-poll silent past its heartbeats as a dead link, long before the poll would end', async () => {
    // A control plane that announces 50 ms heartbeats, then goes silent mid-poll (dropped packets).
    const sockets = new Set<Socket>();
    let requests = 0;
    const batch = (after: number): FeedChanges => ({ version: 1, region: 'us-east-1', after, revision: after, latest: after, time: '2026-11-21T12:00:00.000Z', changes: [], windows: { keyWindow: { from: '20261120', through: '20261128' }, mfaWindow: { fromStep: 0, throughStep: 1 }, tokenKeys: [] } });
    const silent = createServer((req, res) => {
      requests++;
      res.setHeader('x-gatehouse-heartbeat-ms', '50');
      if (requests === 1) return void res.end(JSON.stringify(batch(7)));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(' ');
    });
    silent.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const source = new HttpFeedSource({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, token: 't', nodeId: 'n1', silenceTimeoutMs: 300 });
    try {
      assert.equal((await source.changes('us-east-1', 7, { waitMs: 0 })).revision, 7);
      const started = performance.now();
      await assert.rejects(source.changes('us-east-1', 7, { waitMs: 20_000 }), (err: FeedError) => err instanceof FeedError && err.retryable && /did not answer in time/.test(err.message));
      const ms = performance.now() - started;
      assert.ok(ms >= 250 && ms < 2_000, `failed after ${ms} ms of silence`);
    } finally {
      source.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('gives up on a control plane that accepts connections but does not answer', async () => {
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const source = new HttpFeedSource({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, token: 't', nodeId: 'n1', idleTimeoutMs: 50 });
    await assert.rejects(source.changes('us-east-1', 0, { waitMs: 0 }), (err: FeedError) => err instanceof FeedError && err.retryable && err.status === 0 && /did not answer in time/.test(err.message));
    source.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});

describe('snapshot lines', () => {
  it('round-trips, and reads the compact form too', () => {
    const snapshot: FeedSnapshot = {
      version: 1,
      region: 'r',
      revision: 3,
      time: 't',
      keyWindow: { from: '1', through: '2' },
      mfaWindow: { fromStep: 1, throughStep: 2 },
      tokenKeys: [],
      records: [
        { kind: 'user', id: 'a/line\nbreak', account: 'a', data: { userName: 'x\n,{' } as never },
        { kind: 'account', id: 'a', account: 'a', data: { accountId: 'a', allowUsersToChangePassword: false } },
      ],
    };
    for (const chunkChars of [1, 64 * 1024]) {
      const parser = new SnapshotLineParser();
      const text = [...snapshotChunks(snapshot, chunkChars)].join('');
      assert.deepEqual(JSON.parse(text), snapshot, 'the layout is plain JSON');
      for (const line of text.split('\n')) parser.push(line);
      assert.deepEqual(parser.finish(), snapshot);
    }
    const compact = new SnapshotLineParser();
    compact.push(JSON.stringify(snapshot));
    assert.deepEqual(compact.finish(), snapshot);
    const empty = new SnapshotLineParser();
    for (const line of [...snapshotChunks({ ...snapshot, records: [] })].join('').split('\n')) empty.push(line);
    assert.deepEqual(empty.finish().records, []);
    const cut = new SnapshotLineParser();
    cut.push([...snapshotChunks(snapshot)].join('').split('\n')[0]!);
    assert.throws(() => cut.finish(), SyntaxError);
  });
});
