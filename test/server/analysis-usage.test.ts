/** Usage served by the analysis API: the stored log and the recorders' unwritten entries, added together. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UsageLog } from '../../src/data-plane/usage-log.js';
import type { UsageRecord } from '../../src/core/model/usage.js';
import { UsageRecorder } from '../../src/data-plane/usage-recorder.js';
import { mergeUsage, nodeUsage } from '../../src/server/analysis-usage.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';

function entry(action: string, count: number, firstSeen: string, lastSeen: string, statementIndex: number): UsageRecord {
  return { principal: ALICE, action, resource: '*', count, firstSeen, lastSeen, allowedBy: [{ policyId: `${ALICE}:inline/p`, statementIndex }] };
}

describe('mergeUsage', () => {
  it('adds counts, widens the times and unites the statements of the same principal, action and resource', () => {
    const merged = mergeUsage([
      [entry('s3:GetObject', 2, '2026-01-02T00:00:00.000Z', '2026-01-05T00:00:00.000Z', 0), entry('sqs:SendMessage', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 0)],
      [entry('s3:GetObject', 3, '2026-01-01T00:00:00.000Z', '2026-01-03T00:00:00.000Z', 1), entry('s3:GetObject', 1, '2026-01-04T00:00:00.000Z', '2026-01-06T00:00:00.000Z', 0)],
    ]);
    assert.deepEqual(merged, [
      {
        principal: ALICE,
        action: 's3:GetObject',
        resource: '*',
        count: 6,
        firstSeen: '2026-01-01T00:00:00.000Z',
        lastSeen: '2026-01-06T00:00:00.000Z',
        allowedBy: [
          { policyId: `${ALICE}:inline/p`, statementIndex: 0 },
          { policyId: `${ALICE}:inline/p`, statementIndex: 1 },
        ],
      },
      entry('sqs:SendMessage', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 0),
    ]);
  });
});

describe('nodeUsage', () => {
  it('reads a log shared by several regions once, with what the recorders hold, filtered alike', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-node-usage-'));
    const log = UsageLog.open(join(dir, 'usage.db'));
    try {
      log.merge([entry('s3:GetObject', 2, '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 0)]);
      const recorder = new UsageRecorder();
      recorder.record(ALICE, 's3:GetObject', '*', [{ policyId: `${ALICE}:inline/p`, statementIndex: 0 }], Date.parse('2026-03-01T00:00:00Z'));
      const read = nodeUsage([log, log], () => [recorder, undefined]);
      assert.deepEqual(
        read({}).map((e) => [e.action, e.count, e.lastSeen]),
        [['s3:GetObject', 3, '2026-03-01T00:00:00.000Z']],
      );
      assert.deepEqual(read({ since: '2026-02-01T00:00:00.000Z' }).map((e) => e.count), [1]);
      assert.deepEqual(read({ principal: 'arn:aws:iam::111122223333:user/bob' }), []);
    } finally {
      log.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
