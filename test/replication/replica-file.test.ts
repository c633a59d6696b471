import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { FeedChanges, FeedWindows, ReplicaRecord } from '../../src/replication/feed-types.js';
import { ReplicaFile, ReplicaFileError } from '../../src/replication/replica-file.js';
import type { ReplicaState } from '../../src/replication/replica-sink.js';

const WINDOWS: FeedWindows = {
  keyWindow: { from: '20261120', through: '20261128' },
  mfaWindow: { fromStep: 100, throughStep: 200 },
  tokenKeys: [{ id: '20261121', key: Buffer.alloc(32, 1).toString('base64'), issueFrom: '2026-11-21T00:00:00.000Z', issueUntil: '2026-11-22T00:00:00.000Z', verifyUntil: '2026-11-23T12:00:00.000Z' }],
};

function userRecord(n: number): ReplicaRecord {
  const name = `user${n}`;
  return {
    kind: 'user',
    id: `123456789012/${name}`,
    account: '123456789012',
    data: { userName: name, userId: `AIDA${String(n).padStart(17, '0')}`, arn: `arn:aws:iam::123456789012:user/${name}`, path: '/', tags: [], attachedPolicies: [], inlinePolicies: {}, groups: [], mfaDevices: [] },
  };
}

function keyRecord(n: number): ReplicaRecord {
  const regionKeys: Record<string, string> = {};
  for (let d = 20; d <= 28; d++) regionKeys[`202611${d}`] = Buffer.alloc(32, n % 256).toString('base64');
  const accessKeyId = `AKIA${String(n).padStart(16, '0')}`;
  return { kind: 'access-key', id: accessKeyId, account: '123456789012', data: { accessKeyId, userName: `user${n}`, status: 'Active', regionKeys, sigv4aPublicKey: Buffer.alloc(65, 4).toString('base64') } };
}

function state(records: ReplicaRecord[], revision = 10): ReplicaState {
  return { region: 'us-east-1', revision, time: '2026-11-21T12:00:00.000Z', windows: WINDOWS, records };
}

function batch(afterRevision: number, changes: FeedChanges['changes'], windows = WINDOWS): FeedChanges {
  const revision = changes.length ? changes[changes.length - 1]!.revision : afterRevision;
  return { version: 1, region: 'us-east-1', after: afterRevision, revision, latest: revision, time: '2026-11-21T12:00:05.000Z', changes, windows };
}

const sorted = (records: ReplicaRecord[]) => [...records].sort((a, b) => `${a.kind}|${a.id}`.localeCompare(`${b.kind}|${b.id}`));

describe('ReplicaFile', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-replica-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is created readable by its owner only, and empty', () => {
    const path = join(dir, 'sub', 'new.db');
    const file = ReplicaFile.open(path);
    assert.equal(file.load(), undefined);
    file.saveSnapshot(state([userRecord(1)]));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    if (existsSync(path + '-wal')) assert.equal(statSync(path + '-wal').mode & 0o777, 0o600);
    file.close();
  });

  it('saves a snapshot and applies batches, each whole, and keeps them across reopening', () => {
    const path = join(dir, 'replica.db');
    let file = ReplicaFile.open(path);
    file.saveSnapshot(state([userRecord(1), userRecord(2), keyRecord(1)]));
    const renewed: FeedWindows = { ...WINDOWS, tokenKeys: [...WINDOWS.tokenKeys, { ...WINDOWS.tokenKeys[0]!, id: '20261122' }] };
    file.applyChanges(
      batch(
        10,
        [
          { revision: 11, op: 'put', kind: 'user', id: '123456789012/user3', account: '123456789012', data: userRecord(3).data },
          { revision: 12, op: 'delete', kind: 'user', id: '123456789012/user1', account: '123456789012' },
          { revision: 12, op: 'put', kind: 'access-key', id: keyRecord(1).id, account: '123456789012', data: { ...(keyRecord(1).data as object), status: 'Inactive' } as never },
        ],
        renewed,
      ),
    );
    file.applyChanges(batch(12, [])); // an empty batch still renews the state
    file.close();

    file = ReplicaFile.open(path);
    const loaded = file.load()!;
    assert.equal(loaded.revision, 12);
    assert.equal(loaded.time, '2026-11-21T12:00:05.000Z');
    assert.deepEqual(loaded.windows, WINDOWS);
    assert.deepEqual(sorted(loaded.records), sorted([userRecord(2), userRecord(3), { ...keyRecord(1), data: { ...(keyRecord(1).data as object), status: 'Inactive' } as never }]));
    file.close();
  });

  it('refuses a batch that does not follow its revision, or of another region, changing nothing', () => {
    const file = ReplicaFile.open(join(dir, 'strict.db'));
    assert.throws(() => file.applyChanges(batch(0, [])), ReplicaFileError);
    file.saveSnapshot(state([userRecord(1)], 5));
    const put = { revision: 7, op: 'put' as const, kind: 'user' as const, id: '123456789012/user9', account: '123456789012', data: userRecord(9).data };
    assert.throws(() => file.applyChanges(batch(6, [put])), /changes after revision 6 cannot go into a replica at revision 5/);
    assert.throws(() => file.applyChanges({ ...batch(5, [put]), region: 'eu-west-1' }), /eu-west-1/);
    const loaded = file.load()!;
    assert.equal(loaded.revision, 5);
    assert.deepEqual(loaded.records, [userRecord(1)]);
    file.close();
  });

  it('refuses a file that is not a replica', () => {
    const text = join(dir, 'text.db');
    writeFileSync(text, 'hello, this is not a database at all, just text that is long enough to be read as a header'.repeat(10));
    assert.throws(() => ReplicaFile.open(text), ReplicaFileError);
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    assert.throws(() => ReplicaFile.open(other), /not a Gatehouse replica file/);
  });

  it('loads 100,000 principals quickly', () => {
    const path = join(dir, 'big.db');
    const records: ReplicaRecord[] = [];
    for (let n = 0; n < 100_000; n++) records.push(userRecord(n), keyRecord(n));
    let file = ReplicaFile.open(path);
    file.saveSnapshot(state(records));
    file.close();
    const started = performance.now();
    file = ReplicaFile.open(path);
    const loaded = file.load()!;
    const ms = performance.now() - started;
    file.close();
    assert.equal(loaded.records.length, 200_000);
    // About 1.3 s alone on the 2-core reference machine; the bound leaves room for the rest of
    // the suite running beside it (the issue's cold-start target is 10 s).
    assert.ok(ms < 6000, `loading took ${Math.round(ms)} ms`);
  });
});
