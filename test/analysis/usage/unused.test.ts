import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findUnused } from '../../../src/analysis/usage/index.js';
import { ACCOUNT, NOW, SINCE_90D, appAccount, appUsage } from './helpers.js';

const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

describe('unused access', () => {
  it('finds unused roles, access keys, passwords and permissions over the period', () => {
    const progress: string[] = [];
    const report = findUnused({ index: appAccount(), usage: appUsage(), since: SINCE_90D, now: NOW, onProgress: (e) => progress.push(`${e.done}/${e.total}`) });
    assert.deepEqual(
      report.findings.map((f) => [f.id, f.principal, f.subject, f.lastUsed]),
      [
        ['UNUSED-ACCESS-KEY', user('alice'), 'AKIAALICEKEY00000002', null],
        ['UNUSED-PASSWORD', user('alice'), 'password', '2025-12-01T08:00:00.000Z'],
        ['UNUSED-PERMISSION', user('alice'), 's3', '2026-05-30T10:00:00.000Z'],
        ['UNUSED-PERMISSION', role('service/app'), 'dynamodb', null],
        ['UNUSED-PERMISSION', role('service/app'), 'logs', null],
        ['UNUSED-PERMISSION', role('service/app'), 's3', '2026-05-30T10:00:00.000Z'],
        ['UNUSED-PERMISSION', role('service/app'), 'sqs', '2026-05-31T11:30:00.000Z'],
        ['UNUSED-ROLE', role('old-batch'), role('old-batch'), '2025-09-15T00:00:00.000Z'],
      ],
    );
    const messages = report.findings.map((f) => f.message);
    assert.equal(messages[0], 'access key AKIAALICEKEY00000002 of alice never used');
    assert.equal(messages[1], 'console password of alice not used since 2026-03-03; last used 2025-12-01');
    assert.equal(messages[3], 'Amazon DynamoDB (dynamodb) granted (79 actions) but not used since 2026-03-03');
    assert.equal(messages[5], '1 of 4 granted s3 actions not used since 2026-03-03');
    assert.equal(messages[7], 'role old-batch not used since 2026-03-03; last used 2025-09-15');
    // DeleteObject was used, but before the period.
    assert.deepEqual(report.findings[5].unusedActions, ['s3:DeleteObject']);
    assert.deepEqual(report.summary, { 'UNUSED-ROLE': 1, 'UNUSED-ACCESS-KEY': 1, 'UNUSED-PASSWORD': 1, 'UNUSED-PERMISSION': 5 });
    assert.deepEqual(report.unmatchedPrincipals, [user('deleted-user')]);
    assert.equal(progress.at(-1), '6/6');
  });

  it('does not judge what is too new, disabled, or service-linked', () => {
    const report = findUnused({ index: appAccount(), usage: appUsage(), since: SINCE_90D, now: NOW });
    const subjects = report.findings.map((f) => f.subject);
    // bob was created within the period: his key, password and permissions are not judged.
    assert.ok(!report.findings.some((f) => f.principal === user('bob')));
    // alice's inactive key, new-role (created in the period), AWS's service-linked role.
    assert.ok(!subjects.includes('AKIAALICEKEY00000003'));
    assert.ok(!subjects.includes(role('new-role')));
    assert.ok(!subjects.some((s) => s.includes('AWSServiceRoleForSupport')));
  });

  it('a role is used when its sessions were, whatever its last-used date says', () => {
    const index = appAccount();
    const session = { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/old-batch/job`, action: 's3:GetObject', resource: 'arn:aws:s3:::app-data/x', count: 1, firstSeen: '2026-05-01T00:00:00Z', lastSeen: '2026-05-01T00:00:00Z', allowedBy: [] };
    const report = findUnused({ index, usage: [...appUsage(), session], since: SINCE_90D, now: NOW, principals: [role('old-batch')] });
    assert.deepEqual(report.findings.map((f) => [f.id, f.subject]).filter(([id]) => id === 'UNUSED-ROLE'), []);
    assert.ok(report.findings.every((f) => f.principal === role('old-batch')));
  });

  it('skipPermissions leaves out UNUSED-PERMISSION', () => {
    const report = findUnused({ index: appAccount(), usage: [], since: SINCE_90D, now: NOW, skipPermissions: true });
    assert.deepEqual(report.findings.map((f) => f.id), ['UNUSED-ACCESS-KEY', 'UNUSED-PASSWORD', 'UNUSED-ROLE']);
  });
});
