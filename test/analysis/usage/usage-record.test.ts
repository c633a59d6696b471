import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupUsageByPrincipal, parseUsageRecords, resolveUsagePrincipal } from '../../../src/analysis/usage/index.js';
import { ACCOUNT, APP_ROLE, appAccount, appUsage } from './helpers.js';

describe('usage records', () => {
  it('reads the analysis API answer and bare arrays; bad records become warnings', () => {
    const good = { principal: 'arn:aws:iam::111122223333:user/alice', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', count: 2, firstSeen: '2026-05-01T00:00:00Z', lastSeen: '2026-05-02T00:00:00Z', allowedBy: [{ policyId: 'p', statementIndex: 0, sid: 'S', policyVersion: 'v1' }, { policyId: 3 }] };
    const { records, warnings } = parseUsageRecords({ entries: [good, { principal: 'x', action: 's3:GetObject' }, 'nope', { ...good, lastSeen: 'yesterday' }, { ...good, count: -1, firstSeen: undefined }] }, 'usage.json');
    assert.deepEqual(records[0], { ...good, firstSeen: '2026-05-01T00:00:00.000Z', lastSeen: '2026-05-02T00:00:00.000Z', allowedBy: [{ policyId: 'p', statementIndex: 0, sid: 'S', policyVersion: 'v1' }] });
    // A missing firstSeen is the lastSeen; a nonsense count is one request.
    assert.deepEqual([records[1].count, records[1].firstSeen], [1, '2026-05-02T00:00:00.000Z']);
    assert.deepEqual(warnings, [
      { path: 'usage.json.entries[1]', message: 'principal, action and resource must be strings' },
      { path: 'usage.json.entries[2]', message: 'not an object' },
      { path: 'usage.json.entries[3]', message: 'lastSeen must be an ISO time' },
    ]);
    assert.deepEqual(parseUsageRecords({ nothing: true }).warnings, [{ path: '$', message: 'expected an array of usage records' }]);
  });

  it('maps role sessions to their role by name, whatever the role path', () => {
    const index = appAccount();
    assert.equal(resolveUsagePrincipal(index, `arn:aws:sts::${ACCOUNT}:assumed-role/app/task-1`)?.arn, APP_ROLE);
    assert.equal(resolveUsagePrincipal(index, APP_ROLE)?.arn, APP_ROLE);
    // The role ARN without its path, and a user's: matched by name.
    assert.equal(resolveUsagePrincipal(index, `arn:aws:iam::${ACCOUNT}:role/app`)?.arn, APP_ROLE);
    assert.equal(resolveUsagePrincipal(index, `arn:aws:iam::${ACCOUNT}:user/alice`)?.name, 'alice');
    // Another account's role of the same name, a deleted user, a federated user: not ours.
    assert.equal(resolveUsagePrincipal(index, 'arn:aws:sts::999999999999:assumed-role/app/x'), undefined);
    assert.equal(resolveUsagePrincipal(index, `arn:aws:iam::${ACCOUNT}:user/deleted-user`), undefined);
    assert.equal(resolveUsagePrincipal(index, `arn:aws:sts::${ACCOUNT}:federated-user/bob`), undefined);
  });

  it('groups the records by principal and lists the callers not in the account', () => {
    const { byPrincipal, unmatched } = groupUsageByPrincipal(appAccount(), appUsage());
    assert.deepEqual([...byPrincipal.keys()], [APP_ROLE, `arn:aws:iam::${ACCOUNT}:user/alice`]);
    assert.equal(byPrincipal.get(APP_ROLE)?.length, 11);
    assert.deepEqual(unmatched, [`arn:aws:iam::${ACCOUNT}:user/deleted-user`]);
  });
});
