import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AccountIndex, importAuthorizationDetails } from '../../../src/analysis/account/index.js';
import { reviewAccount, type AccessReview, type AccessRow } from '../../../src/analysis/review/index.js';
import { FIELD_STAR, globsOverlap } from '../../../src/analysis/review/globs-overlap.js';

const NOW = new Date('2026-01-15T12:00:00Z');
const A = 'arn:aws:iam::111122223333';

function review(document: unknown, options: Partial<Parameters<typeof reviewAccount>[1]> = {}): AccessReview {
  const { model } = importAuthorizationDetails(document);
  return reviewAccount(new AccountIndex(model), { now: NOW, ...options });
}

const small = JSON.parse(readFileSync(new URL('../../fixtures/analysis/small-account.json', import.meta.url), 'utf8')) as unknown;
const fixtureReview = review(small);

function rowsOf(r: AccessReview, principal: string): AccessRow[] {
  return r.rows.filter((row) => row.principal === principal);
}

function find(r: AccessReview, principal: string, resource: string, capability: string, service?: string): AccessRow | undefined {
  return r.rows.find((row) => row.principal === principal && row.resource === resource && row.capability === capability && (service === undefined || row.service === service));
}

/** A one-page account: users with inline policies, optional boundary policies. */
function account(users: { name: string; statements: unknown[]; tags?: Record<string, string>; boundary?: unknown[] }[]) {
  const policies: unknown[] = [];
  return {
    UserDetailList: users.map((u, i) => {
      const detail: Record<string, unknown> = {
        Path: '/',
        UserName: u.name,
        UserId: `AIDA${String(i).padStart(17, '0')}`,
        Arn: `${A}:user/${u.name}`,
        UserPolicyList: [{ PolicyName: 'inline', PolicyDocument: { Version: '2012-10-17', Statement: u.statements } }],
        GroupList: [],
        AttachedManagedPolicies: [],
        Tags: Object.entries(u.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      };
      if (u.boundary) {
        const arn = `${A}:policy/boundary-${u.name}`;
        detail.PermissionsBoundary = { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn };
        policies.push({ PolicyName: `boundary-${u.name}`, Arn: arn, Path: '/', DefaultVersionId: 'v1', PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: { Version: '2012-10-17', Statement: u.boundary } }] });
      }
      return detail;
    }),
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: policies,
  };
}

describe('access review of the small fixture account', () => {
  test('bob can read-data on arn:aws:s3:::app-data through group developers', () => {
    const row = find(fixtureReview, `${A}:user/dev/bob`, 'arn:aws:s3:::app-data', 'read-data');
    assert.ok(row, 'bob has a read-data row on app-data');
    assert.equal(row.access, 'allowed');
    assert.equal(row.resourceKind, 'named');
    assert.equal(row.resourceType, 's3:bucket');
    assert.ok(row.actions.includes('s3:GetObject'));
    assert.deepEqual(row.via, [{ policyId: `${A}:group/developers#read-app-data`, statementIndex: 0 }]);
    assert.equal(find(fixtureReview, `${A}:user/dev/bob`, 'arn:aws:s3:::app-data', 'write-data'), undefined);
  });

  test("erin's boundary limits her to S3 reads although AdministratorAccess is attached", () => {
    const rows = rowsOf(fixtureReview, `${A}:user/erin`);
    assert.ok(rows.length > 0);
    assert.deepEqual([...new Set(rows.map((r) => r.service))], ['s3']);
    const capabilities = new Set(rows.map((r) => r.capability));
    assert.ok(capabilities.has('read-data') && capabilities.has('read-config'));
    assert.ok(!capabilities.has('administer-resource') && !capabilities.has('delete-data'));
    assert.ok(rows.every((r) => r.resource === '*' && r.resourceKind === 'service' && r.access === 'allowed'));
    assert.ok(rows.every((r) => r.actions.every((a) => /^s3:(Get|List)/.test(a))));
    assert.deepEqual(rows[0].via, [{ policyId: 'arn:aws:iam::aws:policy/AdministratorAccess', statementIndex: 0 }]);
    const erin = fixtureReview.principals.find((p) => p.name === 'erin');
    assert.equal(erin?.admin, false);
  });

  test('dave can use-resource (assume) DeployRole, through his policy and the trust policy', () => {
    const row = find(fixtureReview, `${A}:user/dave`, `${A}:role/DeployRole`, 'use-resource');
    assert.ok(row);
    assert.equal(row.resourceKind, 'entity');
    assert.equal(row.resourceType, 'iam:role');
    assert.equal(row.service, 'sts');
    assert.deepEqual(row.actions, ['sts:AssumeRole']);
    assert.equal(row.access, 'allowed');
    assert.ok(row.via.some((v) => v.policyId === `${A}:role/DeployRole#trust`));
    // Nobody else is trusted by DeployRole: no one else gets a row on it.
    assert.deepEqual(fixtureReview.rows.filter((r) => r.resource === `${A}:role/DeployRole`).map((r) => r.principal), [`${A}:user/dave`]);
  });

  test('alice can administer-resource on everything: every service, all resources', () => {
    const alice = rowsOf(fixtureReview, `${A}:user/alice`);
    const administered = new Set(alice.filter((r) => r.capability === 'administer-resource' && r.resource === '*').map((r) => r.service));
    for (const service of ['iam', 's3', 'ec2', 'kms', 'lambda', 'dynamodb', 'sts', 'organizations']) assert.ok(administered.has(service), service);
    assert.ok(administered.size > 300);
    const summary = fixtureReview.principals.find((p) => p.name === 'alice');
    assert.equal(summary?.admin, true);
    assert.equal(summary?.capabilityCount, 6);
    assert.ok(fixtureReview.findings.some((f) => f.id === 'OVR-ADMIN' && f.subject === `${A}:user/alice`));
  });

  test('administrators and paths to administrator in the per-principal summary', () => {
    const admins = fixtureReview.principals.filter((p) => p.admin).map((p) => p.name);
    assert.deepEqual(admins, ['alice', 'AdminRole', 'LambdaExec']);
    const bob = fixtureReview.principals.find((p) => p.name === 'bob');
    assert.ok(bob?.escalation, 'bob can create an access key for alice');
    assert.equal(bob.escalation.steps[0].to, `${A}:user/alice`);
    assert.equal(bob.escalation.steps[0].method, 'iam-002');
    const dave = fixtureReview.principals.find((p) => p.name === 'dave');
    assert.deepEqual(dave?.escalation?.steps.map((s) => s.method), ['sts-001', 'iam-008']);
    assert.ok(fixtureReview.findings.some((f) => f.id === 'PE-PATH' && f.subject === `${A}:user/dave` && f.message.includes('DeployRole')));
    assert.equal(fixtureReview.principals.find((p) => p.name === 'erin')?.escalation, undefined);
    assert.equal(fixtureReview.escalationEvaluated, true);
  });

  test('resources: entities and named ARNs, with the principals that reach them', () => {
    const names = fixtureReview.resources.map((r) => r.resource);
    for (const arn of [`${A}:user/alice`, `${A}:role/DeployRole`, `${A}:group/developers`, `${A}:policy/DevTools`, 'arn:aws:s3:::app-data']) assert.ok(names.includes(arn), arn);
    assert.ok(!names.includes('arn:aws:iam::aws:policy/AdministratorAccess'), 'AWS managed policies are not the account’s resources');
    const appData = fixtureReview.resources.find((r) => r.resource === 'arn:aws:s3:::app-data');
    // bob directly; alice, AdminRole, LambdaExec through `*`; erin through s3 `*` within her boundary.
    assert.equal(appData?.byCapability['read-data'], 5);
    assert.equal(appData?.nonAdminPrincipals, 2);
    const alice = fixtureReview.resources.find((r) => r.resource === `${A}:user/alice`);
    // bob's CreateAccessKey on user/* makes him one of its administrators, beside the three admins.
    assert.equal(alice?.byCapability['administer-resource'], 4);
  });

  test('the same input gives the same review', () => {
    assert.deepEqual(review(small), fixtureReview);
  });

  test('--principal: one principal only', () => {
    const r = review(small, { principal: `${A}:user/dave`, escalation: false });
    assert.deepEqual([...new Set(r.rows.map((row) => row.principal))], [`${A}:user/dave`]);
    assert.equal(r.principalFilter, `${A}:user/dave`);
    assert.equal(r.escalationEvaluated, false);
    const missing = review(small, { principal: `${A}:user/nobody`, escalation: false });
    assert.equal(missing.rows.length, 0);
    assert.equal(missing.warnings[0].subject, `${A}:user/nobody`);
  });
});

describe('access review decisions', () => {
  test('conditions: a request condition gives conditional; a principal-tag condition is decided', () => {
    const r = review(
      account([
        {
          name: 'ann',
          tags: { team: 'data' },
          statements: [
            { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::ip-only/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
            { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: `arn:aws:dynamodb:us-east-1:111122223333:table/data`, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data' } } },
            { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: `arn:aws:dynamodb:us-east-1:111122223333:table/data`, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'web' } } },
          ],
        },
      ]),
      { escalation: false },
    );
    const ann = `${A}:user/ann`;
    assert.equal(find(r, ann, 'arn:aws:s3:::ip-only', 'read-data')?.access, 'conditional');
    assert.equal(find(r, ann, 'arn:aws:dynamodb:us-east-1:111122223333:table/data', 'read-data')?.access, 'allowed');
    assert.equal(find(r, ann, 'arn:aws:dynamodb:us-east-1:111122223333:table/data', 'write-data'), undefined, 'team is not web');
  });

  test('a Deny removes access; an action on the wrong resource type grants nothing', () => {
    const r = review(
      account([
        {
          name: 'ben',
          statements: [
            { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::open/*', 'arn:aws:s3:::closed/*'] },
            { Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::closed/*' },
            { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-arn-only' },
          ],
        },
      ]),
      { escalation: false },
    );
    const ben = `${A}:user/ben`;
    assert.equal(find(r, ben, 'arn:aws:s3:::open', 'write-data')?.access, 'allowed');
    assert.equal(find(r, ben, 'arn:aws:s3:::closed', 'write-data'), undefined);
    assert.equal(find(r, ben, 'arn:aws:s3:::closed', 'read-data')?.access, 'allowed');
    assert.equal(find(r, ben, 'arn:aws:s3:::bucket-arn-only', 'read-data'), undefined, 'GetObject acts on objects, not on the bucket ARN');
  });

  test('patterns stay patterns; a log-group pattern covers its streams; `${aws:username}` is resolved', () => {
    const r = review(
      account([
        {
          name: 'cat',
          statements: [
            { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::logs-*' },
            { Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:us-east-1:111122223333:log-group:/app/*:*' },
            { Effect: 'Allow', Action: 'iam:CreateAccessKey', Resource: `${A}:user/\${aws:username}` },
          ],
        },
        { name: 'dan', statements: [] },
      ]),
      { escalation: false },
    );
    const cat = `${A}:user/cat`;
    const logs = r.rows.find((row) => row.principal === cat && row.resource === 'arn:aws:s3:::logs-*');
    assert.equal(logs?.resourceKind, 'pattern');
    assert.equal(logs?.resourceType, 's3:bucket');
    const streams = r.rows.find((row) => row.principal === cat && row.resource === 'arn:aws:logs:us-east-1:111122223333:log-group:/app/*:*');
    assert.deepEqual(streams?.actions, ['logs:PutLogEvents'], 'PutLogEvents acts on the streams of the groups');
    const own = r.rows.filter((row) => row.principal === cat && row.actions.includes('iam:CreateAccessKey'));
    assert.deepEqual(own.map((row) => [row.resource, row.resourceKind]), [[cat, 'entity']]);
  });

  test('a boundary naming resources limits an Allow on `*` to them', () => {
    const r = review(
      account([
        {
          name: 'eve',
          statements: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
          boundary: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }],
        },
      ]),
      { escalation: false },
    );
    const rows = rowsOf(r, `${A}:user/eve`);
    assert.deepEqual(rows.map((row) => [row.resource, row.capability, row.actions]), [['arn:aws:s3:::reports', 'read-data', ['s3:GetObject']]]);
  });

  test('a role whose trust policy names a user can be assumed by that user without any identity policy', () => {
    const doc = account([{ name: 'tom', statements: [] }, { name: 'una', statements: [] }]) as { RoleDetailList: unknown[] };
    doc.RoleDetailList.push({
      Path: '/',
      RoleName: 'TomRole',
      RoleId: 'AROATOM',
      Arn: `${A}:role/TomRole`,
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'Tom', Effect: 'Allow', Principal: { AWS: `${A}:user/tom` }, Action: 'sts:AssumeRole' }] },
      InstanceProfileList: [],
      RolePolicyList: [],
      AttachedManagedPolicies: [],
      Tags: [],
    });
    const r = review(doc, { escalation: false });
    assert.deepEqual(
      r.rows.filter((row) => row.resource === `${A}:role/TomRole`).map((row) => [row.principal, row.capability, row.access, row.via]),
      [[`${A}:user/tom`, 'use-resource', 'allowed', [{ policyId: `${A}:role/TomRole#trust`, statementIndex: 0, sid: 'Tom' }]]],
    );
  });

  test('KMS keys: the default key policy is assumed, so IAM policies decide', () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const r = review(account([{ name: 'fay', statements: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: key }] }]), { escalation: false });
    const row = r.rows.find((x) => x.resource === key);
    assert.equal(row?.access, 'allowed');
    assert.deepEqual(row?.actions, ['kms:Decrypt']);
    assert.equal(row?.resourceType, 'kms:key');
  });

  test('OVR-THRESHOLD: over-accessible resources and principals that administer many resources', () => {
    const r = review(small, { thresholds: { principalsPerResource: 1, resourcesPerPrincipal: 2 }, escalation: false });
    const over = r.findings.filter((f) => f.id === 'OVR-THRESHOLD');
    const bob = over.find((f) => f.subject === `${A}:user/dev/bob` && f.capability === 'administer-resource');
    assert.ok(bob, 'bob administers the 5 users through user/*');
    assert.equal(bob.count, 5);
    assert.equal(bob.threshold, 2);
    const data = over.find((f) => f.subject === 'arn:aws:s3:::app-data');
    assert.equal(data?.capability, 'read-data');
    assert.equal(data?.count, 2, 'bob and erin; administrators are not counted');
    assert.equal(review(small, { escalation: false }).findings.filter((f) => f.id === 'OVR-THRESHOLD').length, 0);
  });

  test('malformed documents grant nothing and do not throw', () => {
    const doc = account([{ name: 'gus', statements: [{ Effect: 'Maybe', Action: 's3:*', Resource: '*' }, 'junk', { Effect: 'Allow', Action: 's3:GetObject', Resource: 'not-an-arn' }] }]);
    const r = review(doc, { escalation: false });
    assert.deepEqual(rowsOf(r, `${A}:user/gus`), []);
  });
});

describe('globsOverlap', () => {
  test('patterns that can match a common string', () => {
    assert.equal(globsOverlap('arn:aws:logs:*:*:log-group:*:log-stream:*', 'arn:aws:logs:us-east-1:1:log-group:/app/*:*'), true);
    assert.equal(globsOverlap('arn:*:s3:::*/*', 'arn:aws:s3:::logs-*'), true, 'logs-* can be followed by /key');
    assert.equal(globsOverlap('arn:*:s3:::*', 'arn:aws:s3:::b'), true);
    assert.equal(globsOverlap('arn:*:iam::*:user/*', 'arn:aws:iam::1:role/x'), false);
    // A plain `*` may span fields; a field wildcard (an ARN format's account) may not.
    assert.equal(globsOverlap('arn:*:iam::*:user/*', 'arn:aws:s3:::x*'), true);
    assert.equal(globsOverlap(`arn:${FIELD_STAR}:iam::${FIELD_STAR}:user/*`, 'arn:aws:s3:::x*'), false);
    assert.equal(globsOverlap(`arn:${FIELD_STAR}:iam::${FIELD_STAR}:user/*`, 'arn:aws:iam::*:user/a*'), true);
    assert.equal(globsOverlap('abc', 'a?c'), true);
    assert.equal(globsOverlap('abc', 'abd'), false);
  });
});
