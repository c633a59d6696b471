import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createAuthorizer } from '../../src/data-plane/create-authorizer.js';
import { UsageLog } from '../../src/data-plane/usage-log.js';
import { FeedError, type ChangesOptions, type FeedSource } from '../../src/replication/feed-source.js';
import type { FeedChanges, FeedSnapshot } from '../../src/replication/feed-types.js';
import { ACCOUNT, allow, NOW, REGION, ReplicaFixture, signedRequest } from './replica-fixture.js';

const OBJECT = 'arn:aws:s3:::reports/q1.csv';

/** A feed served from a fixture: its state as the snapshot, and batches pushed by the test. */
class FixtureFeed implements FeedSource {
  private readonly batches: FeedChanges[] = [];
  private wake: (() => void) | undefined;
  down = false;

  constructor(private readonly fixture: ReplicaFixture) {}

  push(batch: FeedChanges): void {
    this.batches.push(batch);
    this.wake?.();
  }

  async snapshot(region: string): Promise<FeedSnapshot> {
    if (this.down) throw new FeedError('unreachable', 0, true);
    const state = this.fixture.state();
    return { version: 1, region, revision: state.revision, time: state.time, records: state.records, ...state.windows };
  }

  async changes(region: string, after: number, options: ChangesOptions = {}): Promise<FeedChanges> {
    for (;;) {
      if (this.down) throw new FeedError('unreachable', 0, true);
      const batch = this.batches.find((b) => b.after === after);
      if (batch) return batch;
      if (options.signal?.aborted) throw new FeedError('aborted', 499, true);
      // Wait for a push or the follower's stop; an empty answer after the wait.
      const waited = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), options.waitMs ?? 0);
        const done = () => {
          clearTimeout(timer);
          resolve(true);
        };
        this.wake = done;
        options.signal?.addEventListener('abort', done, { once: true });
      });
      this.wake = undefined;
      if (!waited) {
        const f = this.fixture;
        return { version: 1, region, after, revision: after, latest: f.revision, time: f.now.toISOString(), changes: [], windows: f.windows };
      }
    }
  }
}

function setup() {
  const f = new ReplicaFixture();
  f.accountRecord();
  const read = f.policy('Read', allow('s3:GetObject'));
  f.user('alice', { attached: [read] });
  const alice = f.accessKey('alice');
  return { f, alice, feed: new FixtureFeed(f) };
}

describe('createAuthorizer', () => {
  test('embeds a replica: checks in process, follows changes, waits for a revision', async () => {
    const { f, alice, feed } = setup();
    const authorizer = await createAuthorizer({ source: feed, region: REGION, now: () => NOW, pollWaitMs: 50 });
    try {
      assert.equal(authorizer.revision, 1);
      const input = { request: signedRequest(alice), action: 's3:GetObject', resource: OBJECT };
      const allowed = authorizer.authorize(input);
      assert.equal(allowed.status, 200);
      assert.equal(allowed.body.decision, 'Allow');
      assert.equal(allowed.body.principal?.arn, `arn:aws:iam::${ACCOUNT}:user/alice`);

      const user = f.record<{ attachedPolicies: string[] }>('user', `${ACCOUNT}/alice`);
      feed.push(f.changes([{ op: 'put', record: { ...user, data: { ...user.data, attachedPolicies: [] } } as never }]));
      assert.equal(await authorizer.waitForRevision(2, 5000), true);
      assert.equal(authorizer.revision, 2);
      const denied = authorizer.authorize(input);
      assert.equal(denied.body.decision, 'Deny');
      assert.equal(denied.body.revision, 2);
      assert.equal(await authorizer.waitForRevision(9, 0), false);
      const health = authorizer.health();
      assert.equal(health.region, REGION);
      assert.equal(health.appliedRevision, 2);
    } finally {
      await authorizer.close();
    }
  });

  test('with a data folder: usage is kept in usage.db, and a restart while cut off serves from replica.db', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-authorizer-'));
    try {
      const { alice, feed } = setup();
      const first = await createAuthorizer({ source: feed, region: REGION, now: () => NOW, dataDir: dir, pollWaitMs: 50 });
      const input = { request: signedRequest(alice), action: 's3:GetObject', resource: OBJECT };
      assert.equal(first.authorize(input).body.decision, 'Allow');
      await first.close();
      assert.ok(existsSync(join(dir, 'replica.db')));
      const log = UsageLog.open(join(dir, 'usage.db'));
      assert.deepEqual(
        log.query().map((e) => [e.principal, e.action, e.resource, e.count, e.allowedBy[0]?.policyId]),
        [[`arn:aws:iam::${ACCOUNT}:user/alice`, 's3:GetObject', OBJECT, 1, `arn:aws:iam::${ACCOUNT}:policy/Read`]],
      );
      log.close();

      feed.down = true;
      const second = await createAuthorizer({ source: feed, region: REGION, now: () => NOW, dataDir: dir, pollWaitMs: 50 });
      try {
        assert.equal(second.revision, 1);
        assert.equal(second.authorize(input).body.decision, 'Allow');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('over HTTP: an unreachable control plane with a local replica still serves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-authorizer-'));
    try {
      const { alice, feed } = setup();
      await (await createAuthorizer({ source: feed, region: REGION, now: () => NOW, dataDir: dir, pollWaitMs: 50 })).close();
      // Port 9 on loopback: nothing listens, the connection is refused at once.
      const authorizer = await createAuthorizer({ controlPlaneUrl: 'http://127.0.0.1:9', token: 't', region: REGION, now: () => NOW, dataDir: dir, pollWaitMs: 50 });
      try {
        assert.equal(authorizer.authorize({ request: signedRequest(alice), action: 's3:GetObject', resource: OBJECT }).body.decision, 'Allow');
      } finally {
        await authorizer.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('needs a source or a URL and token', async () => {
    await assert.rejects(createAuthorizer({ region: REGION }), /controlPlaneUrl and token/);
  });
});
