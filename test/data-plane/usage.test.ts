import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UsageLog } from '../../src/data-plane/usage-log.js';
import { UsageRecorder } from '../../src/data-plane/usage-recorder.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const ROLE = 'arn:aws:sts::111122223333:assumed-role/Analyst/s1';
const READ = { policyId: 'arn:aws:iam::111122223333:policy/Read', policyVersion: 'v2', statementIndex: 0, sid: 'ReadObjects' };
const INLINE = { policyId: 'arn:aws:iam::111122223333:user/alice:inline/extra', statementIndex: 1 };
const T0 = Date.parse('2026-03-10T12:00:00Z');

describe('UsageRecorder', () => {
  test('aggregates per principal, action and resource with every allowing statement', () => {
    const usage = new UsageRecorder();
    usage.record(ALICE, 's3:GetObject', 'arn:aws:s3:::b/k', [READ], T0 + 1000);
    usage.record(ALICE, 's3:GetObject', 'arn:aws:s3:::b/k', [READ, INLINE], T0);
    usage.record(ALICE, 's3:GetObject', 'arn:aws:s3:::b/k', [READ], T0 + 500);
    usage.record(ROLE, 's3:GetObject', 'arn:aws:s3:::b/k', [READ], T0);
    assert.deepEqual(usage.entries(), [
      { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', count: 3, firstSeen: new Date(T0).toISOString(), lastSeen: new Date(T0 + 1000).toISOString(), allowedBy: [READ, INLINE] },
      { principal: ROLE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', count: 1, firstSeen: new Date(T0).toISOString(), lastSeen: new Date(T0).toISOString(), allowedBy: [READ] },
    ]);
  });

  test('bounded: new keys past the bound are counted as dropped; drain empties', () => {
    const usage = new UsageRecorder({ maxKeys: 2 });
    usage.record(ALICE, 'a:A', '*', [READ], T0);
    usage.record(ALICE, 'a:B', '*', [READ], T0);
    usage.record(ALICE, 'a:C', '*', [READ], T0);
    usage.record(ALICE, 'a:A', '*', [READ], T0);
    assert.equal(usage.size, 2);
    assert.equal(usage.dropped, 1);
    const drained = usage.drain();
    assert.equal(drained.length, 2);
    assert.equal(drained[0].count, 2);
    assert.equal(usage.size, 0);
    assert.equal(usage.dropped, 0);
    assert.deepEqual(usage.entries(), []);
  });

  test('entries are copies: changing them does not change the record', () => {
    const usage = new UsageRecorder();
    usage.record(ALICE, 'a:A', '*', [READ], T0);
    usage.entries()[0].allowedBy.push(INLINE);
    assert.deepEqual(usage.entries()[0].allowedBy, [READ]);
  });
});

describe('UsageLog', () => {
  test('merges drained entries and reads them back by principal and time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-usage-'));
    try {
      const path = join(dir, 'usage.db');
      let log = UsageLog.open(path);
      const usage = new UsageRecorder();
      usage.record(ALICE, 's3:GetObject', 'arn:aws:s3:::b/k', [READ], T0);
      usage.record(ALICE, 's3:GetObject', 'arn:aws:s3:::b/k', [READ], T0 + 1000);
      usage.record(ROLE, 's3:PutObject', 'arn:aws:s3:::b/k', [INLINE], T0 + 5000);
      log.merge(usage.drain());
      usage.record(ALICE, 's3:GetObject', 'arn:aws:s3:::b/k', [READ, INLINE], T0 + 9000);
      log.merge(usage.drain());
      log.merge([]);
      log.close();

      log = UsageLog.open(path);
      assert.deepEqual(log.query({ principal: ALICE }), [
        {
          principal: ALICE,
          action: 's3:GetObject',
          resource: 'arn:aws:s3:::b/k',
          count: 3,
          firstSeen: new Date(T0).toISOString(),
          lastSeen: new Date(T0 + 9000).toISOString(),
          allowedBy: [READ, INLINE],
        },
      ]);
      assert.equal(log.query().length, 2);
      assert.deepEqual(
        log.query({ since: new Date(T0 + 4000) }).map((e) => e.principal),
        [ALICE, ROLE],
      );
      assert.deepEqual(
        log.query({ since: new Date(T0 + 6000).toISOString() }).map((e) => e.principal),
        [ALICE],
      );
      assert.deepEqual(log.query({ principal: 'arn:aws:iam::111122223333:user/nobody' }), []);
      log.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
