import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AccountIndex, boundDocument, importAuthorizationDetails } from '../../../src/analysis/account/index.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/analysis/small-account.json', import.meta.url), 'utf8'));

describe('importAuthorizationDetails', () => {
  test('reads AWS CLI output: principals, policies, documents in every encoding', () => {
    const events: string[] = [];
    const { model, warnings } = importAuthorizationDetails(fixture, { onProgress: (e) => events.push(`${e.phase}:${e.done}/${e.total}`) });
    assert.deepEqual(warnings, []);
    assert.equal(model.accountId, '111122223333');
    assert.equal(model.partition, 'aws');
    assert.deepEqual(model.users.map((u) => u.name), ['alice', 'bob', 'carol', 'dave', 'erin']);
    assert.deepEqual(model.roles.map((r) => r.name), ['AdminRole', 'DeployRole', 'LambdaExec']);
    // dave's inline policy came URL-encoded, as the raw API returns it.
    assert.deepEqual((model.users[3].inlinePolicies[0].document as { Statement: unknown[] }).Statement.length, 1);
    const devTools = model.policies.get('arn:aws:iam::111122223333:policy/DevTools');
    assert.equal(devTools?.defaultVersionId, 'v2');
    assert.deepEqual(devTools?.defaultDocument, devTools?.versions.find((v) => v.versionId === 'v2')?.document);
    assert.equal(model.roles[0].lastUsedDate, '2026-11-01T10:00:00+00:00');
    assert.equal(model.users[4].permissionsBoundary, 'arn:aws:iam::111122223333:policy/S3ReadOnlyBoundary');
    assert.equal(events.at(-1), 'import:13/13');
  });

  test('never throws; says what it could not read', () => {
    assert.deepEqual(importAuthorizationDetails(null).warnings.length, 1);
    assert.match(importAuthorizationDetails({ hello: 1 }).warnings[0].message, /get-account-authorization-details/);
    const { model, warnings } = importAuthorizationDetails({ UserDetailList: [7, { UserName: 'x', Arn: 'arn:aws:iam::444455556666:user/x', AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::444455556666:policy/Gone' }] }] });
    assert.equal(model.users.length, 1);
    assert.equal(model.accountId, '444455556666');
    assert.deepEqual(warnings.map((w) => w.path), ['$.UserDetailList[0]', 'arn:aws:iam::444455556666:user/x']);
  });

  test('accepts several pages and camelCase keys', () => {
    const { model } = importAuthorizationDetails([{ userDetailList: [{ userName: 'a', arn: 'arn:aws:iam::111122223333:user/a' }] }, { RoleDetailList: [{ RoleName: 'r', Arn: 'arn:aws:iam::111122223333:role/r' }] }]);
    assert.equal(model.users[0].name, 'a');
    assert.equal(model.roles[0].name, 'r');
  });
});

describe('AccountIndex.decide', () => {
  const index = new AccountIndex(importAuthorizationDetails(fixture).model);
  const user = (name: string) => index.user(name)!;

  test('group and managed policies count; the deciding statement is named', () => {
    const d = index.decide(user('bob'), 's3:GetObject', 'arn:aws:s3:::app-data/report.csv');
    assert.equal(d.access, 'allowed');
    assert.equal(d.decision.decidedBy[0].policyId, 'arn:aws:iam::111122223333:group/developers#read-app-data');
    assert.equal(index.decide(user('bob'), 's3:PutObject', 'arn:aws:s3:::app-data/x').access, 'denied');
    assert.equal(index.decide(user('alice'), 'ec2:RunInstances', '*').access, 'allowed');
  });

  test('a permissions boundary limits an administrator', () => {
    assert.equal(index.decide(user('erin'), 's3:GetObject', 'arn:aws:s3:::any/x').access, 'allowed');
    const d = index.decide(user('erin'), 'iam:CreateUser', 'arn:aws:iam::111122223333:user/x');
    assert.equal(d.access, 'denied');
    assert.equal(d.decision.blockedBy?.layer, 'boundary');
  });

  test('AssumeRole needs the trust policy; request conditions make it conditional', () => {
    assert.equal(index.decide(user('dave'), 'sts:AssumeRole', 'arn:aws:iam::111122223333:role/DeployRole').access, 'allowed');
    assert.equal(index.decide(user('carol'), 'sts:AssumeRole', 'arn:aws:iam::111122223333:role/DeployRole').access, 'denied');
    // AdminRole trusts the account, with MFA: alice can assume it only with MFA.
    assert.equal(index.decide(user('alice'), 'sts:AssumeRole', 'arn:aws:iam::111122223333:role/AdminRole').access, 'conditional');
  });

  test('roles are evaluated as their sessions', () => {
    const deploy = index.role('DeployRole')!;
    assert.equal(index.decide(deploy, 'iam:AttachUserPolicy', 'arn:aws:iam::111122223333:user/dave').access, 'allowed');
    assert.equal(index.decide(deploy, 'iam:AttachUserPolicy', 'arn:aws:iam::111122223333:user/alice').access, 'denied');
  });

  test('principal conditions are exact; request conditions bound the answer', () => {
    const doc = (condition: object) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: condition }] });
    const model = importAuthorizationDetails(fixture).model;
    model.users[1].inlinePolicies = [{ name: 'tagged', document: doc({ StringEquals: { 'aws:PrincipalTag/team': 'apps' } }) }];
    model.users[2].inlinePolicies = [{ name: 'tagged', document: doc({ StringEquals: { 'aws:PrincipalTag/team': 'apps' } }) }];
    model.users[3].inlinePolicies = [{ name: 'ip', document: doc({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }) }];
    const idx = new AccountIndex(model);
    assert.equal(idx.decide(idx.user('bob')!, 's3:GetObject', 'arn:aws:s3:::b/k').access, 'allowed');
    assert.equal(idx.decide(idx.user('carol')!, 's3:GetObject', 'arn:aws:s3:::b/k').access, 'denied');
    assert.equal(idx.decide(idx.user('dave')!, 's3:GetObject', 'arn:aws:s3:::b/k').access, 'conditional');
  });

  test('request keys given with the question are evaluated exactly', () => {
    const model = importAuthorizationDetails(fixture).model;
    model.users[2].inlinePolicies = [
      { name: 'pass', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }] } },
    ];
    const idx = new AccountIndex(model);
    const carol = idx.user('carol')!;
    const role = 'arn:aws:iam::111122223333:role/service-role/LambdaExec';
    assert.equal(idx.decide(carol, 'iam:PassRole', role).access, 'conditional');
    assert.equal(idx.decide(carol, 'iam:PassRole', role, { context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }).access, 'allowed');
    assert.equal(idx.decide(carol, 'iam:PassRole', role, { context: { 'iam:PassedToService': 'ec2.amazonaws.com' } }).access, 'denied');
  });

  test('boundDocument: request-dependent Denies widen in the lower bound and vanish in the upper', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' }, StringEquals: { 'aws:PrincipalTag/x': 'y' } } }] };
    assert.deepEqual(boundDocument(doc, 'lower'), { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/x': 'y' } } }] });
    assert.deepEqual(boundDocument(doc, 'upper'), { Version: '2012-10-17', Statement: [] });
  });
});
