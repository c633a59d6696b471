/**
 * THE SECRET TEST: nothing a data plane receives or stores (snapshots, change batches, over HTTP
 * and in process, and the replica file's bytes) contains a secret access key, a TOTP seed, a
 * password or its hash, a sealed value, or a root key; what it gets for an access key is the
 * region-scoped derived key, different in every region.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Secret } from 'otpauth';
import { deriveKey } from '../../src/core/crypto/index.js';
import { KIND, type UserEntity } from '../../src/core/model/iam-entities.js';
import { deriveRegionKey, deriveSigV4aKeyPair } from '../../src/core/sigv4/index.js';
import { tokenKeyForDay } from '../../src/core/tokens/index.js';
import { createFeedHandler } from '../../src/replication/feed-http.js';
import type { FeedChanges, FeedSnapshot, ReplicaAccessKey, ReplicaMfaDevice } from '../../src/replication/feed-types.js';
import { keyWindowDates } from '../../src/replication/feed-windows.js';
import { ReplicaFollower } from '../../src/replication/follower.js';
import { HttpFeedSource } from '../../src/replication/http-feed-source.js';
import { ReplicaFile } from '../../src/replication/replica-file.js';
import { replicationToken } from '../../src/replication/replication-token.js';
import { createControlPlane, createUser, MASTER_KEY, RecordingSink, totp, type ControlPlane } from './fixture.js';

const REGIONS = ['us-east-1', 'eu-west-1'];
const PASSWORDS = ['Correct-Horse-Battery-1', 'Tr0ub4dor&3-Staple-Plus'];

interface Secrets {
  /** Text that must appear nowhere, with what it is. */
  text: Map<string, string>;
  /** Bytes that must appear nowhere. */
  bytes: Map<string, Buffer>;
}

function addBinary(secrets: Secrets, what: string, value: Buffer): void {
  secrets.bytes.set(what, value);
  for (const encoding of ['base64', 'base64url', 'hex'] as const) secrets.text.set(value.toString(encoding), `${what} (${encoding})`);
}

function assertClean(label: string, haystack: Buffer, secrets: Secrets): void {
  const text = haystack.toString('latin1');
  for (const [needle, what] of secrets.text) assert.ok(!text.includes(needle), `${label} contains ${what}`);
  for (const [what, needle] of secrets.bytes) assert.ok(!haystack.includes(needle), `${label} contains the bytes of ${what}`);
}

describe('no secret reaches a data plane', () => {
  let cp: ControlPlane;
  let server: Server;
  let baseUrl: string;
  let dir: string;
  const users: Awaited<ReturnType<typeof createUser>>[] = [];
  const replicationKey = deriveKey(MASTER_KEY, 'replication');
  const secrets: Secrets = { text: new Map(), bytes: new Map() };
  const captured: { label: string; body: Buffer }[] = [];

  before(async () => {
    cp = await createControlPlane();
    users.push(await createUser(cp, 'alice', { password: PASSWORDS[0], mfa: true }));
    users.push(await createUser(cp, 'bob', { password: PASSWORDS[1], mfa: true }));
    users.push(await createUser(cp, 'carol'));
    await cp.call('CreateRole', { roleName: 'deployer', assumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${'123456789012'}:root` }, Action: 'sts:AssumeRole' }] }) });
    await cp.call('PutUserPolicy', { userName: 'alice', policyName: 'read', policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }) });
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-secrets-'));
    const handler = createFeedHandler({ source: cp.feed, tokenFor: (region) => replicationToken(replicationKey, region) });
    server = createServer((req, res) => {
      void handler(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // Everything secret the control plane holds.
    for (const u of [...users, { ...cp.admin, seed: undefined }]) {
      secrets.text.set(u.secretAccessKey, `the secret access key of ${u.accessKeyId}`);
      secrets.text.set(Buffer.from(u.secretAccessKey).toString('base64'), `the secret access key of ${u.accessKeyId} (base64)`);
      // kDate signs for every region of its date: a region must not get it either.
      for (const date of ['20261120', '20261121', '20261122']) addBinary(secrets, `kDate of ${u.accessKeyId} for ${date}`, createHmac('sha256', 'AWS4' + u.secretAccessKey).update(date).digest());
      if (u.seed) {
        secrets.text.set(u.seed, 'a TOTP seed (base32)');
        addBinary(secrets, 'a TOTP seed (bytes)', Buffer.from(Secret.fromBase32(u.seed).bytes));
      }
    }
    for (const p of PASSWORDS) secrets.text.set(p, 'a password');
    addBinary(secrets, 'the master key', MASTER_KEY);
    addBinary(secrets, 'the secrets key', cp.env.secretsKey);
    addBinary(secrets, 'the token root', cp.tokenRoot);
    addBinary(secrets, 'the replication key', replicationKey);
    // Hashes, fingerprints and every sealed value in the store.
    await cp.env.store.read(async (tx) => {
      for (const kind of [...Object.values(KIND), 'meta']) {
        for (const r of (await tx.list<unknown>(kind)).items) {
          JSON.stringify(r.data, (_k, v: unknown) => {
            if (typeof v === 'string' && /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/.test(v)) secrets.text.set(v, `a sealed value in ${kind} ${r.id}`);
            return v;
          });
          if (kind === KIND.user) {
            const profile = (r.data as UserEntity).loginProfile;
            if (profile) {
              secrets.text.set(profile.passwordHash, `the password hash of ${r.id}`);
              secrets.text.set(profile.passwordHash.split('$').pop()!, `the password hash of ${r.id} (digest)`);
              for (const f of profile.passwordHistory ?? []) secrets.text.set(f, `a password fingerprint of ${r.id}`);
            }
          }
        }
      }
    });
    assert.ok(secrets.text.size > 40, 'the test found the secrets it guards');
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function fetchFeed(path: string, region: string): Promise<Buffer> {
    const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${replicationToken(replicationKey, region)}`, 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    const raw = Buffer.from(await res.arrayBuffer());
    // fetch decodes gzip itself; decode by hand only if it did not.
    return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  }

  it('snapshots, in process and over HTTP, carry no secret', async () => {
    for (const region of REGIONS) {
      const snapshot = await cp.feed.snapshot(region);
      assert.ok(snapshot.records.some((r) => r.kind === 'access-key'));
      assert.ok(snapshot.records.some((r) => r.kind === 'mfa-device' && (r.data as ReplicaMfaDevice).codes));
      captured.push({ label: `the ${region} snapshot`, body: Buffer.from(JSON.stringify(snapshot)) });
      captured.push({ label: `the ${region} snapshot over HTTP`, body: await fetchFeed(`/v1/replication/snapshot?region=${region}`, region) });
    }
    for (const c of captured) assertClean(c.label, c.body, secrets);
  });

  it('change batches carry no secret, from the first revision on', async () => {
    // More changes after the snapshot: a new key, a new password, a new device.
    users.push(await createUser(cp, 'dave', { password: PASSWORDS[0], mfa: true }));
    secrets.text.set(users[3]!.secretAccessKey, 'the secret access key of dave');
    secrets.text.set(users[3]!.seed!, 'the TOTP seed of dave');
    await cp.call('UpdateLoginProfile', { userName: 'alice', password: PASSWORDS[1] });
    for (const region of REGIONS) {
      let afterRevision = 0;
      for (;;) {
        const batch: FeedChanges = await cp.feed.changes(region, afterRevision, { limit: 7 });
        if (batch.revision === afterRevision) break;
        captured.push({ label: `the ${region} batch after ${afterRevision}`, body: Buffer.from(JSON.stringify(batch)) });
        afterRevision = batch.revision;
      }
      assert.equal(afterRevision, await cp.revision());
      captured.push({ label: `the ${region} changes over HTTP`, body: await fetchFeed(`/v1/replication/changes?region=${region}&after=0&limit=10000`, region) });
    }
    for (const c of captured) assertClean(c.label, c.body, secrets);
  });

  it("the replica file's bytes hold no secret", async () => {
    const path = join(dir, 'replica.db');
    const file = ReplicaFile.open(path);
    const sink = new RecordingSink();
    const source = new HttpFeedSource({ url: baseUrl, token: replicationToken(replicationKey, 'eu-west-1'), nodeId: 'node-1' });
    const follower = new ReplicaFollower({ region: 'eu-west-1', source, sink, file, now: () => cp.clock.now, pollWaitMs: 50, retryMs: { min: 1, max: 5 } });
    await follower.start();
    await cp.call('CreateAccessKey', { userName: 'carol' });
    const latest = await cp.revision();
    assert.equal(await follower.waitForRevision(latest, 5000), true);
    await follower.stop();
    source.close();
    file.close();
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(path + suffix)) assertClean(`the replica file${suffix}`, readFileSync(path + suffix), secrets);
    }
    // The file does hold the replica (the check above is not vacuous).
    const reopened = ReplicaFile.open(path);
    const state = reopened.load()!;
    reopened.close();
    assert.equal(state.revision, latest);
    assert.ok(state.records.some((r) => r.kind === 'access-key' && r.id === users[0]!.accessKeyId));
  });

  it('ships region keys: the derived values, different in every region', async () => {
    const snapshots = new Map<string, FeedSnapshot>();
    for (const region of REGIONS) snapshots.set(region, await cp.feed.snapshot(region));
    const dates = keyWindowDates(snapshots.get('us-east-1')!.keyWindow);
    assert.deepEqual([dates[0], dates.at(-1), dates.length], ['20261120', '20261128', 9]);
    for (const u of users) {
      const perRegion = REGIONS.map((region) => snapshots.get(region)!.records.find((r) => r.kind === 'access-key' && r.id === u.accessKeyId)!.data as ReplicaAccessKey);
      for (const [i, region] of REGIONS.entries()) {
        const key = perRegion[i]!;
        assert.deepEqual(Object.keys(key).sort(), ['accessKeyId', 'regionKeys', 'sigv4aPublicKey', 'status', 'userName']);
        assert.deepEqual(Object.keys(key.regionKeys), dates);
        for (const date of dates) assert.equal(key.regionKeys[date], deriveRegionKey(u.secretAccessKey, date, region).toString('base64'));
        const { x, y } = deriveSigV4aKeyPair(u.accessKeyId, u.secretAccessKey).publicKeyXY;
        assert.equal(key.sigv4aPublicKey, Buffer.from('04' + x + y, 'hex').toString('base64'));
      }
      for (const date of dates) assert.notEqual(perRegion[0]!.regionKeys[date], perRegion[1]!.regionKeys[date]);
    }
  });

  it('ships MFA codes, not seeds: the codes a device shows during the window', async () => {
    const snapshot = await cp.feed.snapshot('us-east-1');
    const alice = users[0]!;
    const device = snapshot.records.find((r) => r.kind === 'mfa-device' && (r.data as ReplicaMfaDevice).serialNumber === alice.serialNumber)!.data as ReplicaMfaDevice;
    assert.deepEqual(Object.keys(device).sort(), ['codes', 'firstStep', 'serialNumber', 'userName']);
    assert.equal(device.userName, 'alice');
    const midnightStep = Date.parse('2026-11-21T00:00:00Z') / 30_000;
    assert.equal(device.firstStep, midnightStep - 1);
    assert.equal(device.codes!.length, (48 * 120 + 1) * 6);
    for (const time of ['2026-11-20T23:59:45Z', '2026-11-21T12:00:00Z', '2026-11-22T23:59:59Z']) {
      const step = Math.floor(Date.parse(time) / 30_000);
      const i: number = step - (device.firstStep as number);
      assert.equal(device.codes!.slice(i * 6, i * 6 + 6), totp(alice.seed!, new Date(time)), time);
    }
  });

  it('ships token keys, not the token root', async () => {
    const snapshot = await cp.feed.snapshot('us-east-1');
    assert.deepEqual(snapshot.tokenKeys.map((k) => k.id), ['20261119', '20261120', '20261121', '20261122', '20261123', '20261124', '20261125', '20261126', '20261127', '20261128']);
    for (const k of snapshot.tokenKeys) {
      const day = tokenKeyForDay(cp.tokenRoot, Date.parse(`${k.id.slice(0, 4)}-${k.id.slice(4, 6)}-${k.id.slice(6)}T00:00:00Z`));
      assert.equal(k.key, day.key.toString('base64'));
      assert.equal(k.issueUntil, day.issueUntil.toISOString());
    }
  });

  it('the check itself finds a planted secret, in text and in bytes', () => {
    const planted = users[1]!.secretAccessKey;
    assert.throws(() => assertClean('a planted body', Buffer.from(`{"x":"${planted}"}`), secrets), /secret access key/);
    assert.throws(() => assertClean('a planted body', Buffer.concat([Buffer.from('xx'), cp.tokenRoot]), secrets), /token root/);
  });
});
