/**
 * Lint on write: the account setting (off, warn, reject) and what each does to the IAM operations
 * that write policy documents, on the in-memory control plane.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getAnalysisSettings, putAnalysisSettings } from '../../src/control-plane/analysis-operations.js';
import type { Caller } from '../../src/control-plane/context.js';
import { ANALYSIS_SETTINGS_KIND } from '../../src/control-plane/policy-lint-setting.js';
import { policyLintHeader } from '../../src/control-plane/policy-lint-on-write.js';
import { isReplicatedKind } from '../../src/replication/record-projector.js';
import { ACCOUNT, createHarness, REQUEST, type Harness } from './harness.js';

const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
/** REF-ACTION (error): a misspelt action. */
const TYPO = doc({ Effect: 'Allow', Action: 's3:GetObjekt', Resource: 'arn:aws:s3:::reports/*' });
/** PAT-ALLOW-NOTACTION (security) only. */
const NOT_ACTION = doc({ Effect: 'Allow', NotAction: 's3:*', Resource: 'arn:aws:s3:::reports' });
const CLEAN = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' });
const trust = (principal: string) => doc({ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' });

async function setMode(h: Harness, policyLint: string, caller: Caller = h.admin) {
  return (await h.service.callOperation(putAnalysisSettings, { policyLint }, caller, REQUEST)).output;
}

async function rejects(work: Promise<unknown>, code: string, message?: RegExp | string) {
  await assert.rejects(work, (err: { code?: string; message?: string }) => {
    assert.equal(err.code, code, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message ?? '', message);
    return true;
  });
}

describe('policy lint on write', () => {
  it('is off by default: findings are neither computed nor returned', async () => {
    const h = await createHarness();
    assert.deepEqual((await h.service.callOperation(getAnalysisSettings, {}, h.admin, REQUEST)).output, { policyLint: 'off' });
    const result = await h.service.call('CreatePolicy', { policyName: 'typo', policyDocument: TYPO }, h.admin, REQUEST);
    assert.equal(result.lint, undefined);
    assert.equal(result.changed, true);
  });

  it('warn: the write succeeds and the findings come back, errors first', async () => {
    const h = await createHarness();
    assert.deepEqual(await setMode(h, 'warn'), { policyLint: 'warn' });
    await h.call('CreateUser', { userName: 'dev' });
    const result = await h.service.call('PutUserPolicy', { userName: 'dev', policyName: 'p', policyDocument: doc(...JSON.parse(TYPO).Statement, ...JSON.parse(NOT_ACTION).Statement) }, h.admin, REQUEST);
    assert.equal(result.lint?.mode, 'warn');
    assert.deepEqual(
      result.lint?.findings.map((f) => [f.id, f.severity, f.path]),
      [
        ['REF-ACTION', 'error', '$.Statement[0].Action'],
        ['PAT-ALLOW-NOTACTION', 'security', '$.Statement[1].NotAction'],
      ],
    );
    assert.equal(policyLintHeader(result.lint!), 'count=2; ids=REF-ACTION,PAT-ALLOW-NOTACTION');
    const stored = (await h.call('GetUserPolicy', { userName: 'dev', policyName: 'p' })) as { policyDocument: string };
    assert.match(stored.policyDocument, /GetObjekt/);
  });

  it('warn: a clean policy reports count=0', async () => {
    const h = await createHarness();
    await setMode(h, 'warn');
    const result = await h.service.call('CreatePolicy', { policyName: 'clean', policyDocument: CLEAN }, h.admin, REQUEST);
    assert.deepEqual(result.lint, { mode: 'warn', findings: [] });
    assert.equal(policyLintHeader(result.lint!), 'count=0');
  });

  it('reject: an error finding refuses the write with MalformedPolicyDocument, and nothing is written', async () => {
    const h = await createHarness();
    await setMode(h, 'reject');
    const revision = await h.env.store.revision();
    await rejects(
      h.service.call('CreatePolicy', { policyName: 'typo', policyDocument: TYPO }, h.admin, REQUEST),
      'MalformedPolicyDocument',
      'Policy lint REF-ACTION at $.Statement[0].Action: The action "s3:GetObjekt" does not exist in Amazon S3. Did you mean "s3:GetObject"?',
    );
    await rejects(h.call('GetPolicy', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/typo` }), 'NoSuchEntity');
    assert.equal(await h.env.store.revision(), revision);

    // A new version of an existing policy, and inline policies, likewise.
    await setMode(h, 'off');
    await h.call('CreatePolicy', { policyName: 'ok', policyDocument: CLEAN });
    await setMode(h, 'reject');
    await rejects(h.call('CreatePolicyVersion', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/ok`, policyDocument: TYPO, setAsDefault: true }), 'MalformedPolicyDocument', /^Policy lint REF-ACTION/);
    const versions = (await h.call('ListPolicyVersions', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/ok` })) as { versions: unknown[] };
    assert.equal(versions.versions.length, 1);
    await h.call('CreateGroup', { groupName: 'g' });
    await rejects(h.call('PutGroupPolicy', { groupName: 'g', policyName: 'p', policyDocument: TYPO }), 'MalformedPolicyDocument');
    await rejects(h.call('GetGroupPolicy', { groupName: 'g', policyName: 'p' }), 'NoSuchEntity');
  });

  it('reject: warnings and security findings alone do not refuse; they are reported', async () => {
    const h = await createHarness();
    await setMode(h, 'reject');
    const result = await h.service.call('CreatePolicy', { policyName: 'broad', policyDocument: NOT_ACTION }, h.admin, REQUEST);
    assert.equal(result.lint?.mode, 'reject');
    assert.deepEqual(result.lint?.findings.map((f) => f.id), ['PAT-ALLOW-NOTACTION']);
  });

  it("reject: IAM's own validation errors keep AWS's wording", async () => {
    const h = await createHarness();
    await setMode(h, 'reject');
    await rejects(h.call('CreatePolicy', { policyName: 'bad', policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' }), 'MalformedPolicyDocument', /^(?!Policy lint)/);
  });

  it('reject: trust policies are checked against the store (a principal that does not exist)', async () => {
    const h = await createHarness();
    await setMode(h, 'reject');
    await rejects(
      h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:user/ghost`) }),
      'MalformedPolicyDocument',
      `Policy lint REF-ENTITY at $.Statement[0].Principal.AWS: The user "arn:aws:iam::${ACCOUNT}:user/ghost" does not exist; AWS refuses a policy whose principal does not exist.`,
    );
    await rejects(h.call('GetRole', { roleName: 'r' }), 'NoSuchEntity');
    await h.call('CreateUser', { userName: 'ghost' });
    await h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:user/ghost`) });
    // UpdateAssumeRolePolicy too; a user with another path is not the same user.
    await rejects(h.call('UpdateAssumeRolePolicy', { roleName: 'r', policyDocument: trust(`arn:aws:iam::${ACCOUNT}:user/team/ghost`) }), 'MalformedPolicyDocument', /REF-ENTITY/);
  });

  it('takes effect at once when the setting changes, and per account', async () => {
    const h = await createHarness();
    await setMode(h, 'reject');
    await rejects(h.call('CreatePolicy', { policyName: 'typo', policyDocument: TYPO }), 'MalformedPolicyDocument');
    await setMode(h, 'off');
    await h.call('CreatePolicy', { policyName: 'typo', policyDocument: TYPO });
    // Stored under the account, in a kind the replication feed does not carry.
    const stored = await h.env.store.read((tx) => tx.get(ANALYSIS_SETTINGS_KIND, ACCOUNT));
    assert.deepEqual(stored?.data, { policyLint: 'off' });
    assert.equal(isReplicatedKind(ANALYSIS_SETTINGS_KIND), false);
  });

  it('refuses a mode it does not know', async () => {
    const h = await createHarness();
    await rejects(setMode(h, 'strict'), 'ValidationError', 'policyLint must be one of off, warn, reject.');
  });

  it('needs gatehouse:PutAnalysisSettings, which an administrator has and a user is given explicitly', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'dev' });
    const dev = await h.userCaller('dev');
    await rejects(setMode(h, 'warn', dev), 'AccessDenied', `User: ${dev.arn} is not authorized to perform: gatehouse:PutAnalysisSettings on resource: * because no identity-based policy allows the gatehouse:PutAnalysisSettings action`);
    await h.call('PutUserPolicy', { userName: 'dev', policyName: 'settings', policyDocument: doc({ Effect: 'Allow', Action: 'gatehouse:PutAnalysisSettings', Resource: '*' }) });
    assert.deepEqual(await setMode(h, 'warn', dev), { policyLint: 'warn' });
    await rejects(h.service.callOperation(getAnalysisSettings, {}, dev, REQUEST), 'AccessDenied', /gatehouse:GetAnalysisSettings/);
  });
});
