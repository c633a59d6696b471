import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { firstError, hasErrors, policySize, validatePolicy, type PolicyFinding } from '../../../src/core/policy/validate.js';
import type { PolicyKind } from '../../../src/core/policy/types.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/policies/${name}`, import.meta.url)), 'utf8');

/** A 2012-10-17 document around the given statement(s). */
const doc = (statement: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Version: '2012-10-17',
  ...extra,
  Statement: statement,
});

const allow = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*',
  ...extra,
});

const errors = (fs: PolicyFinding[]): PolicyFinding[] => fs.filter((f) => f.severity === 'error');
const warnings = (fs: PolicyFinding[]): PolicyFinding[] => fs.filter((f) => f.severity === 'warning');

function assertNoErrors(d: unknown, kind: PolicyKind): PolicyFinding[] {
  const fs = validatePolicy(d, kind);
  assert.deepEqual(errors(fs), [], `expected no errors for ${kind}, got ${JSON.stringify(errors(fs), null, 1)}`);
  return fs;
}

/** Asserts that a finding with this id, path and message exists (and, by default, is an error). */
function assertFinding(
  fs: PolicyFinding[],
  expected: { id: string; path: string; message?: string | RegExp; severity?: string; code?: string },
): PolicyFinding {
  const f = fs.find((x) => x.id === expected.id && x.path === expected.path);
  assert.ok(f, `no ${expected.id} at ${expected.path} in ${JSON.stringify(fs, null, 1)}`);
  assert.equal(f.severity, expected.severity ?? 'error');
  if (typeof expected.message === 'string') assert.equal(f.message, expected.message);
  else if (expected.message) assert.match(f.message, expected.message);
  if (expected.code) assert.equal(f.code, expected.code);
  return f;
}

describe('valid documents from the AWS documentation yield no errors', () => {
  const identity: [string, unknown][] = [
    ['manage own credentials (fixture)', fixture('identity-manage-own-credentials.json')],
    ['single statement object', doc(allow())],
    ['resource tags and principal tags', doc([{
      Effect: 'Allow',
      Action: ['ec2:StartInstances', 'ec2:StopInstances'],
      Resource: 'arn:aws:ec2:*:*:instance/*',
      Condition: { StringEquals: { 'ec2:ResourceTag/Project': 'DataAnalytics', 'aws:PrincipalTag/Department': 'Data' } },
    }])],
    ['date range', doc({
      Effect: 'Allow',
      Action: 'service-prefix:action-name',
      Resource: '*',
      Condition: {
        DateGreaterThan: { 'aws:CurrentTime': '2020-04-01T00:00:00Z' },
        DateLessThan: { 'aws:CurrentTime': '2020-06-30T23:59:59Z' },
      },
    })],
    ['source IP ranges', doc({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24', '2001:DB8:1234:5678::/64'] },
        Bool: { 'aws:ViaAWSService': 'false' },
      },
    })],
    ['home folder with variables', doc([
      { Sid: 'ListYourObjects', Effect: 'Allow', Action: 's3:ListBucket', Resource: ['arn:aws:s3:::amzn-s3-demo-bucket'],
        Condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:userid}/*'] } } },
      { Sid: 'ReadWrite', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'],
        Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:userid}/*' },
    ])],
    ['DynamoDB leading keys with a set operator', doc({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: ['arn:aws:dynamodb:*:*:table/MyTable'],
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['${www.amazon.com:user_id}'] } },
    })],
    ['tag keys, numeric and null conditions', doc([
      { Effect: 'Allow', Action: ['iam:TagUser', 'iam:TagRole'], Resource: '*',
        Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': 'CostCenter' }, Null: { 'aws:TokenIssueTime': 'true' } } },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket',
        Condition: { NumericLessThanEquals: { 's3:max-keys': '10' } } },
    ])],
    ['ARN condition, default variable value, NotResource', doc([
      { Effect: 'Allow', Action: ['ec2:AttachVolume'], Resource: ['arn:aws:ec2:*:*:volume/*', 'arn:aws:ec2:*:*:instance/*'],
        Condition: { ArnEquals: { 'ec2:SourceInstanceARN': 'arn:aws:ec2:*:*:instance/i-1234567890abcdef0' } } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: "arn:aws:s3:::amzn-s3-demo-bucket/${aws:PrincipalTag/team, 'shared'}/*" },
      { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::HRBucket/Payroll', 'arn:aws:s3:::HRBucket/Payroll/*'] },
    ])],
    ['Id, wildcards in actions, other partitions', doc(
      [{ Effect: 'Allow', Action: ['s3:Get*', 'ec2:Describe?nstances', 'S3:ListBucket'], Resource: ['arn:aws-cn:s3:::b', 'arn:aws-us-gov:s3:::b'] }],
      { Id: 'MyPolicy' },
    )],
  ];
  for (const [name, d] of identity) test(`identity: ${name}`, () => void assertNoErrors(d, 'identity'));

  test('boundary: S3, CloudWatch and EC2 (fixture)', () => void assertNoErrors(fixture('boundary-s3-cloudwatch-ec2.json'), 'boundary'));
  test('session: read one bucket (fixture)', () => void assertNoErrors(fixture('session-read-bucket.json'), 'session'));
  test('scp: deny outside EU regions (fixture)', () => void assertNoErrors(fixture('scp-deny-regions.json'), 'scp'));
  test('scp: FullAWSAccess', () => void assertNoErrors(doc({ Effect: 'Allow', Action: '*', Resource: '*' }), 'scp'));
  test('scp: deny leaving the organization', () =>
    void assertNoErrors(doc({ Sid: 'DenyLeave', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }), 'scp'));
  test('resource: S3 bucket policy with a spaced Sid (fixture)', () => void assertNoErrors(fixture('resource-s3-bucket.json'), 'resource'));
  test('resource: KMS key policy and a Deny with NotPrincipal', () =>
    void assertNoErrors(doc([
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Deny', NotPrincipal: { AWS: ['arn:aws:iam::111122223333:role/Admin', 'arn:aws:sts::111122223333:assumed-role/Admin/alice'] },
        Action: 'kms:Decrypt', Resource: '*' },
      { Effect: 'Allow', Principal: { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
    ]), 'resource'));

  const trust: [string, unknown][] = [
    ['GitHub OIDC (fixture)', fixture('trust-github-oidc.json')],
    ['EC2 service', doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' })],
    ['cross-account with external ID', doc({
      Effect: 'Allow', Principal: { AWS: ['123456789012', 'arn:aws:iam::123456789012:user/alice'] }, Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'Unique ID Assigned by Example Corp' } },
    })],
    ['SAML federation', doc({
      Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/ExampleOrgSSOProvider' },
      Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
      Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
    })],
    ['Roles Anywhere with session actions', doc({
      Effect: 'Allow', Principal: { Service: 'rolesanywhere.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
    })],
    ['Cognito web identity', doc({
      Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } },
    })],
    ['older 2008-10-17 trust policy with an empty Sid', {
      Version: '2008-10-17',
      Statement: [{ Sid: '', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }],
    ['anyone, with sts:* as a wildcard', doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:Assume*' })],
  ];
  for (const [name, d] of trust) test(`trust: ${name}`, () => void assertNoErrors(d, 'trust'));

  test('accepts the document as text or as a parsed value alike', () => {
    const text = fixture('identity-manage-own-credentials.json');
    assert.deepEqual(validatePolicy(text, 'identity'), validatePolicy(JSON.parse(text), 'identity'));
  });
});

describe('document structure', () => {
  test('unparseable JSON', () => {
    const fs = validatePolicy(fixture('not-json.json'), 'identity');
    assertFinding(fs, { id: 'SYN-JSON', path: '$', message: 'Syntax errors in policy.', code: 'MalformedPolicyDocument' });
    assert.equal(fs.length, 1);
  });

  test('unparseable trust policy uses CreateRole wording', () => {
    assertFinding(validatePolicy('{invalid', 'trust'), { id: 'SYN-JSON', path: '$', message: 'This policy contains invalid Json' });
  });

  test('not an object', () => {
    for (const text of ['null', '[]', '"policy"', '42']) {
      assertFinding(validatePolicy(text, 'identity'), { id: 'SYN-DATA-TYPE', path: '$', message: 'Syntax errors in policy.' });
    }
  });

  test('unknown top-level element, case-sensitive', () => {
    const fs = validatePolicy({ ...doc(allow()), statement: [], 'Extra field': 'value' }, 'identity');
    assertFinding(fs, { id: 'SYN-UNKNOWN-ELEMENT', path: '$.statement', message: 'Syntax errors in policy.' });
    assertFinding(fs, { id: 'SYN-UNKNOWN-ELEMENT', path: "$['Extra field']", message: 'Syntax errors in policy.' });
  });

  test('Id must be a string', () => {
    assertFinding(validatePolicy(doc(allow(), { Id: ['x'] }), 'identity'), { id: 'SYN-DATA-TYPE', path: '$.Id', message: 'Syntax errors in policy.' });
  });

  test('missing Statement', () => {
    assertFinding(validatePolicy({ Version: '2012-10-17' }, 'identity'), { id: 'SYN-MISSING-ELEMENT', path: '$', message: 'Syntax errors in policy.' });
  });

  test('empty Statement array', () => {
    assertFinding(validatePolicy(doc([]), 'identity'), { id: 'SYN-EMPTY', path: '$.Statement', message: 'Syntax errors in policy.' });
    assertFinding(validatePolicy(doc([]), 'trust'), { id: 'SYN-EMPTY', path: '$.Statement', message: 'Could not parse the policy: Statement is empty!' });
  });

  test('statements must be objects', () => {
    const fs = validatePolicy(doc(['afd', allow()]), 'identity');
    assertFinding(fs, { id: 'SYN-DATA-TYPE', path: '$.Statement[0]', message: 'Syntax errors in policy.' });
    assertFinding(validatePolicy(doc('x'), 'identity'), { id: 'SYN-DATA-TYPE', path: '$.Statement', message: 'Syntax errors in policy.' });
  });

  test('unknown statement element, with a hint when only the case is wrong', () => {
    const fs = validatePolicy(doc(allow({ effect: 'Allow', 'Extra field': 'value' })), 'identity');
    const f = assertFinding(fs, { id: 'SYN-UNKNOWN-ELEMENT', path: '$.Statement.effect', message: 'Syntax errors in policy.' });
    assert.match(f.detail ?? '', /use "Effect"/);
    assertFinding(fs, { id: 'SYN-UNKNOWN-ELEMENT', path: "$.Statement['Extra field']" });
  });

  test('duplicate keys are reported as warnings with their path', () => {
    const text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Action":"s3:PutObject","Resource":"*"}]}';
    const fs = validatePolicy(text, 'identity');
    assert.equal(hasErrors(fs), false);
    assertFinding(fs, { id: 'SYN-DUPLICATE-KEY', path: '$.Statement[0].Action', severity: 'warning' });
  });

  test('prototype keys are data, not prototypes', () => {
    const text = '{"Version":"2012-10-17","__proto__":{"x":1},"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","constructor":1,"__proto__":[]}}';
    const fs = validatePolicy(text, 'identity');
    assertFinding(fs, { id: 'SYN-UNKNOWN-ELEMENT', path: '$.__proto__' });
    assertFinding(fs, { id: 'SYN-UNKNOWN-ELEMENT', path: '$.Statement.constructor' });
    assertFinding(fs, { id: 'SYN-UNKNOWN-ELEMENT', path: '$.Statement.__proto__' });
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  test('characters outside the allowed set', () => {
    const fs = validatePolicy(doc(allow({ Sid: 'Emoji\u{1F600}' })), 'resource');
    const f = assertFinding(fs, { id: 'SYN-CHARSET', path: '$', code: 'ValidationError' });
    assert.match(f.message, /Member must satisfy regular expression pattern/);
    assert.match(f.detail ?? '', /U\+1F600/);
  });
});

describe('Version', () => {
  test('identity policies need 2012-10-17', () => {
    const missing = validatePolicy({ Statement: allow() }, 'identity');
    assertFinding(missing, { id: 'SYN-VERSION', path: '$', message: 'Policy document must be version 2012-10-17 or greater.' });
    const old = validatePolicy({ Version: '2008-10-17', Statement: allow() }, 'boundary');
    assertFinding(old, { id: 'SYN-VERSION', path: '$.Version', message: 'Policy document must be version 2012-10-17 or greater.' });
  });

  test('other kinds accept a missing or 2008-10-17 Version with a warning', () => {
    const trustStatement = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
    const fs = validatePolicy({ Statement: trustStatement }, 'trust');
    assert.equal(hasErrors(fs), false);
    assertFinding(fs, { id: 'SYN-VERSION', path: '$', severity: 'warning' });
    assertFinding(validatePolicy({ Version: '2008-10-17', Statement: trustStatement }, 'trust'), { id: 'SYN-VERSION', path: '$.Version', severity: 'warning' });
  });

  test('an unknown version is a syntax error', () => {
    assertFinding(validatePolicy(doc(allow(), { Version: '2013-10-17' }), 'identity'), { id: 'SYN-VERSION', path: '$.Version', message: 'Syntax errors in policy.' });
    assertFinding(validatePolicy(doc(allow(), { Version: 2012 }), 'identity'), { id: 'SYN-DATA-TYPE', path: '$.Version', message: 'Syntax errors in policy.' });
  });

  test('under 2008-10-17 ${...} is literal text, so it is not checked', () => {
    const d = { Version: '2008-10-17', Statement: allow({ Principal: '*', Resource: 'arn:aws:s3:::b/${oops' }) };
    assert.deepEqual(validatePolicy(d, 'resource').filter((f) => f.id === 'SYN-VARIABLE'), []);
    assertFinding(validatePolicy(doc(allow({ Principal: '*', Resource: 'arn:aws:s3:::b/${oops' })), 'resource'), { id: 'SYN-VARIABLE', path: '$.Statement.Resource', severity: 'warning' });
  });
});

describe('Effect', () => {
  test('missing', () => {
    assertFinding(validatePolicy(doc({ Action: 's3:ListBucket', Resource: '*' }), 'identity'), { id: 'SYN-MISSING-ELEMENT', path: '$.Statement', message: 'Syntax errors in policy.' });
  });
  test('not Allow or Deny', () => {
    assertFinding(validatePolicy(doc(allow({ Effect: 'invalid' })), 'identity'), { id: 'SYN-EFFECT', path: '$.Statement.Effect', message: 'Syntax errors in policy.' });
    assertFinding(validatePolicy(doc(allow({ Effect: true })), 'identity'), { id: 'SYN-DATA-TYPE', path: '$.Statement.Effect', message: 'Syntax errors in policy.' });
  });
  test('wrong case fails legacy parsing', () => {
    assertFinding(validatePolicy(doc([allow({ Effect: 'denY' })]), 'identity'), { id: 'SYN-EFFECT', path: '$.Statement[0].Effect', message: 'The policy failed legacy parsing' });
  });
});

describe('Sid', () => {
  test('must be a string', () => {
    assertFinding(validatePolicy(doc(allow({ Sid: {} })), 'identity'), { id: 'SYN-DATA-TYPE', path: '$.Statement.Sid', message: 'Syntax errors in policy.' });
  });
  test('unique within the policy', () => {
    const fs = validatePolicy(doc([allow({ Sid: 'sdf' }), allow({ Sid: 'other' }), allow({ Sid: 'sdf' }), allow({ Sid: '' }), allow({ Sid: '' })]), 'identity');
    assertFinding(fs, { id: 'SYN-SID', path: '$.Statement[2].Sid', message: 'Statement IDs (SID) in a single policy must be unique.' });
    assert.equal(fs.filter((f) => f.id === 'SYN-SID').length, 1);
  });
  test('alphanumeric in IAM policies, free-form in resource policies', () => {
    assertFinding(validatePolicy(doc(allow({ Sid: 'autogenerated-id' })), 'identity'), {
      id: 'SYN-SID',
      path: '$.Statement.Sid',
      message: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
    });
    assert.equal(hasErrors(validatePolicy(doc(allow({ Sid: 'Allow public read', Principal: '*' })), 'resource')), false);
  });
});

describe('Action and NotAction', () => {
  test('required', () => {
    assertFinding(validatePolicy(doc({ Effect: 'Allow', Resource: '*' }), 'identity'), { id: 'SYN-MISSING-ELEMENT', path: '$.Statement', message: 'Policy statement must contain actions.' });
    assertFinding(validatePolicy(doc(allow({ Action: [] })), 'identity'), { id: 'SYN-EMPTY', path: '$.Statement.Action', message: 'Policy statement must contain actions.' });
  });
  test('not both', () => {
    assertFinding(validatePolicy(doc(allow({ NotAction: 's3:ListBucket' })), 'identity'), { id: 'SYN-ELEMENT-COMBINATION', path: '$.Statement.NotAction', message: 'Syntax errors in policy.' });
  });
  test('strings only', () => {
    assertFinding(validatePolicy(doc(allow({ Action: {} })), 'identity'), { id: 'SYN-DATA-TYPE', path: '$.Statement.Action', message: 'Syntax errors in policy.' });
    assertFinding(validatePolicy(doc(allow({ Action: ['s3:GetObject', []] })), 'identity'), { id: 'SYN-DATA-TYPE', path: '$.Statement.Action[1]', message: 'Syntax errors in policy.' });
  });
  test('vendor prefix, one colon, valid vendor', () => {
    const fs = validatePolicy(doc(allow({ Action: ['s3:GetObject', 'invalid', 's3:List:Bucket', 'a a:ListBucket', 's3*:Get'] })), 'identity');
    assertFinding(fs, { id: 'SYN-ACTION', path: '$.Statement.Action[1]', message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.' });
    assertFinding(fs, { id: 'SYN-ACTION', path: '$.Statement.Action[2]', message: 'Actions/Condition can contain only one colon.' });
    assertFinding(fs, { id: 'SYN-ACTION', path: '$.Statement.Action[3]', message: 'Vendor a a is not valid' });
    assertFinding(fs, { id: 'REF-SERVICE', path: '$.Statement.Action[4]', message: 'Vendor s3* is not valid' });
    assertFinding(validatePolicy(doc(allow({ NotAction: '', Action: undefined })), 'identity'), { id: 'SYN-ACTION', path: '$.Statement.NotAction', message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.' });
  });
  test('unknown services and actions are not document errors', () => {
    assert.equal(hasErrors(validatePolicy(doc(allow({ Action: ['aaaaaadsfdsafsadfsadfaaaaa:ListBucket', 's3-s:x', 's3.s:y'] })), 'identity')), false);
  });
  test('trust policies grant only STS role actions', () => {
    const principal = { Service: 'ec2.amazonaws.com' };
    const fs = validatePolicy(doc({ Effect: 'Allow', Principal: principal, Action: ['sts:AssumeRole', 's3:GetObject', '*'] }), 'trust');
    assertFinding(fs, { id: 'SYN-POLICY-TYPE', path: '$.Statement.Action[1]', message: 'AssumeRole policy may only specify STS AssumeRole actions.' });
    assertFinding(fs, { id: 'SYN-POLICY-TYPE', path: '$.Statement.Action[2]', message: 'AssumeRole policy may only specify STS AssumeRole actions.' });
    assert.equal(errors(fs).length, 2);
  });
  test('SCP wildcards only alone or at the end', () => {
    const fs = validatePolicy(doc({ Effect: 'Deny', Action: ['ec2:*', 'ec2:Describe*', 'ec2:*Instances'], Resource: '*' }), 'scp');
    assertFinding(fs, {
      id: 'SYN-POLICY-TYPE',
      path: '$.Statement.Action[2]',
      message: 'The provided policy document does not meet the requirements of the specified policy type.',
      code: 'MalformedPolicyDocumentException',
    });
    assert.equal(errors(fs).length, 1);
  });
});

describe('Resource and NotResource', () => {
  test('required outside trust policies', () => {
    assertFinding(validatePolicy(doc({ Effect: 'Allow', Action: 's3:ListBucket' }), 'identity'), { id: 'SYN-MISSING-ELEMENT', path: '$.Statement', message: 'Policy statement must contain resources.' });
    assertFinding(validatePolicy(doc(allow({ Resource: [] })), 'identity'), { id: 'SYN-EMPTY', path: '$.Statement.Resource', message: 'Policy statement must contain resources.' });
  });
  test('not both', () => {
    assertFinding(validatePolicy(doc(allow({ NotResource: '*' })), 'identity'), { id: 'SYN-ELEMENT-COMBINATION', path: '$.Statement.NotResource', message: 'Syntax errors in policy.' });
  });
  test('prohibited in trust policies', () => {
    const base = { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' };
    assertFinding(validatePolicy(doc({ ...base, Resource: '*' }), 'trust'), { id: 'SYN-POLICY-TYPE', path: '$.Statement.Resource', message: 'Has prohibited field Resource' });
    assertFinding(validatePolicy(doc({ ...base, NotResource: '*' }), 'trust'), { id: 'SYN-POLICY-TYPE', path: '$.Statement.NotResource', message: 'AssumeRole policy must not contain resources.' });
  });
  test('ARN format errors in IAM wording', () => {
    const cases: [string, string][] = [
      ['invalid resource', 'Resource invalid resource must be in ARN format or "*".'],
      ['', 'Resource  must be in ARN format or "*".'],
      ['a:bsdfdsafsad', 'Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".'],
      ['a:b:c:d:e:f:g:h', 'Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".'],
      ['aws:s3:::example_bucket', 'Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".'],
      ['arn:aws', 'Resource vendor must be fully qualified and cannot contain regexes.'],
      ['arn:aws:s3*:::b', 'Resource vendor must be fully qualified and cannot contain regexes.'],
      ['arn:aws:iam:us-east-1::example_bucket', 'IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information.'],
      ['arn:aws:s3:us-east-1::example_bucket', 'Resource arn:aws:s3:us-east-1::example_bucket can not contain region information.'],
      ['arn:aws:iam:::example_bucket', 'IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.'],
      ['arn:aws:s3::example_bucket', 'The policy failed legacy parsing'],
      ['arn:aws::::example_bucket', 'The policy failed legacy parsing'],
      ['arn:aws::fdsasf', 'The policy failed legacy parsing'],
    ];
    for (const [resource, message] of cases) {
      assertFinding(validatePolicy(doc(allow({ Resource: resource })), 'identity'), { id: 'REF-ARN-FORMAT', path: '$.Statement.Resource', message });
    }
    assertFinding(validatePolicy(doc(allow({ Resource: ['*', 'adf'] })), 'identity'), { id: 'REF-ARN-FORMAT', path: '$.Statement.Resource[1]', message: 'Resource adf must be in ARN format or "*".' });
  });
  test('forms AWS accepts pass, short ARNs with a warning', () => {
    const ok = ['arn:aws:iam:::user/example', 'arn:aws:iam::*:role/*', 'arn:aws:iam::123456789012:*', 'arn:aws:s33:::b', 'arn:aws:cloudwatch:us-east-1::x', 'arn:aws:iam::*:rol*'];
    for (const r of ok) assert.equal(hasErrors(validatePolicy(doc(allow({ Resource: r })), 'identity')), false, r);
    const fs = validatePolicy(doc(allow({ Resource: 'arn:aws:fdsasf' })), 'identity');
    assert.equal(hasErrors(fs), false);
    assertFinding(fs, { id: 'REF-ARN-FORMAT', path: '$.Statement.Resource', severity: 'warning' });
  });
});

describe('Principal and NotPrincipal', () => {
  test('not allowed in identity, boundary, session policies or SCPs', () => {
    for (const kind of ['identity', 'boundary', 'session'] as const) {
      assertFinding(validatePolicy(doc(allow({ Principal: { AWS: '*' } })), kind), { id: 'SYN-POLICY-TYPE', path: '$.Statement.Principal', message: 'Policy document should not specify a principal.' });
    }
    assertFinding(validatePolicy(doc(allow({ Principal: '*' })), 'scp'), {
      id: 'SYN-POLICY-TYPE', path: '$.Statement.Principal', message: 'The provided policy document does not meet the requirements of the specified policy type.',
    });
  });
  test('required in trust and resource policies', () => {
    assertFinding(validatePolicy(doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'trust'), { id: 'SYN-MISSING-ELEMENT', path: '$.Statement', message: 'Missing required field Principal' });
    assertFinding(validatePolicy(doc(allow()), 'resource'), { id: 'SYN-MISSING-ELEMENT', path: '$.Statement', message: 'Missing required field Principal' });
    assertFinding(validatePolicy(doc({ Effect: 'Allow', Principal: {}, Action: 'sts:AssumeRole' }), 'trust'), { id: 'SYN-EMPTY', path: '$.Statement.Principal', message: 'Missing required field Principal cannot be empty!' });
  });
  test('not both, and NotPrincipal only with Deny', () => {
    assertFinding(validatePolicy(doc(allow({ Principal: '*', NotPrincipal: '*' })), 'resource'), { id: 'SYN-ELEMENT-COMBINATION', path: '$.Statement.NotPrincipal', message: 'Syntax errors in policy.' });
    assertFinding(validatePolicy(doc({ Effect: 'Allow', NotPrincipal: { AWS: '*' }, Action: 'sts:AssumeRole' }), 'trust'), { id: 'SYN-POLICY-TYPE', path: '$.Statement.NotPrincipal', message: 'Allow with NotPrincipal is not allowed.' });
    assertFinding(validatePolicy(doc(allow({ NotPrincipal: { AWS: '123456789012' } })), 'resource'), { id: 'SYN-POLICY-TYPE', path: '$.Statement.NotPrincipal', message: 'Allow with NotPrincipal is not allowed.' });
  });
  test('malformed principals in AWS wording', () => {
    const p = (principal: unknown) => validatePolicy(doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }), 'trust');
    assertFinding(p({ AWS: 'arn:aws::iam::123456789012:root' }), { id: 'REF-PRINCIPAL', path: '$.Statement.Principal.AWS', message: 'Invalid principal in policy: "AWS":"arn:aws::iam::123456789012:root"' });
    assertFinding(p({ AWS: ['123456789012', 'arn:aws:iam::*:root'] }), { id: 'REF-PRINCIPAL', path: '$.Statement.Principal.AWS[1]', message: 'Invalid principal in policy: "AWS":"arn:aws:iam::*:root"' });
    assertFinding(p({ AWS: 'arn:aws:iam::123456789012:group/Admins' }), { id: 'REF-PRINCIPAL', path: '$.Statement.Principal.AWS', message: /^Invalid principal in policy/ });
    assertFinding(p({ Service: 'not a service' }), { id: 'REF-PRINCIPAL', path: '$.Statement.Principal.Service', message: 'Invalid principal in policy: "Service":"not a service"' });
    assertFinding(p({ CanonicalUser: 'abc' }), { id: 'REF-PRINCIPAL', path: '$.Statement.Principal.CanonicalUser', message: 'Invalid principal in policy: "CanonicalUser":"abc"' });
    assertFinding(p({ aws: '123456789012' }), { id: 'REF-PRINCIPAL', path: '$.Statement.Principal.aws', message: 'Invalid principal in policy: "aws":"123456789012"' });
    assertFinding(p('arn:aws:iam::123456789012:root'), { id: 'REF-PRINCIPAL', path: '$.Statement.Principal', message: 'Invalid principal in policy: "arn:aws:iam::123456789012:root"' });
    assertFinding(p({ AWS: 12 }), { id: 'SYN-DATA-TYPE', path: '$.Statement.Principal.AWS', message: 'Syntax errors in policy.' });
    assertFinding(p({ AWS: [] }), { id: 'SYN-EMPTY', path: '$.Statement.Principal.AWS' });
    assertFinding(p(['*']), { id: 'SYN-DATA-TYPE', path: '$.Statement.Principal', message: 'Syntax errors in policy.' });
  });
});

describe('Condition', () => {
  const withCondition = (condition: unknown) => validatePolicy(doc(allow({ Condition: condition })), 'identity');

  test('shape', () => {
    assertFinding(withCondition([]), { id: 'SYN-DATA-TYPE', path: '$.Statement.Condition', message: 'Syntax errors in policy.' });
    assertFinding(withCondition({ DateGreaterThan: 'b' }), { id: 'SYN-DATA-TYPE', path: '$.Statement.Condition.DateGreaterThan', message: 'Syntax errors in policy.' });
    assertFinding(withCondition({ StringEquals: { 'aws:username': {} } }), { id: 'SYN-DATA-TYPE', path: "$.Statement.Condition.StringEquals['aws:username']", message: 'Syntax errors in policy.' });
    assertFinding(withCondition({ StringEquals: { 'aws:username': ['a', null] } }), { id: 'SYN-DATA-TYPE', path: "$.Statement.Condition.StringEquals['aws:username'][1]" });
    for (const ok of [{}, { DateGreaterThan: {} }, { DateGreaterThan: { 'aws:CurrentTime': [] } }]) assert.equal(hasErrors(withCondition(ok)), false);
  });

  test('unknown and wrongly-cased operators', () => {
    const f = assertFinding(withCondition({ stringequals: { 'aws:username': 'a' } }), { id: 'REF-OPERATOR', path: '$.Statement.Condition.stringequals', message: 'Syntax errors in policy.' });
    assert.match(f.detail ?? '', /did you mean "StringEquals"/);
    assertFinding(withCondition({ 'ForAnyValue::StringEqualsIfExists': { a: 'asf' } }), { id: 'REF-OPERATOR', path: "$.Statement.Condition['ForAnyValue::StringEqualsIfExists']" });
    // AWS ignores an unknown operator with an empty block.
    const empty = withCondition({ x: {} });
    assert.equal(hasErrors(empty), false);
    assertFinding(empty, { id: 'REF-OPERATOR', path: '$.Statement.Condition.x', severity: 'warning' });
  });

  test('every operator with IfExists and set qualifiers parses', () => {
    const ops = ['StringEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'NumericGreaterThanEquals', 'DateNotEquals', 'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnNotLike'];
    for (const op of ops) {
      for (const name of [op, `${op}IfExists`, `ForAllValues:${op}`, `ForAnyValue:${op}IfExists`]) {
        assert.equal(withCondition({ [name]: { 'aws:x': [] } }).some((f) => f.id === 'REF-OPERATOR'), false, name);
      }
    }
  });

  test('dates must parse, else legacy parsing fails', () => {
    for (const bad of ['sdfdsf', '234-13', '2016-12-13t2:00:00.593194+1', '2016-12-13t2:00:00.1999999999+10:59', '9223372036854775808']) {
      assertFinding(withCondition({ DateLessThan: { 'aws:CurrentTime': bad } }), { id: 'REF-TYPE', path: "$.Statement.Condition.DateLessThan['aws:CurrentTime']", message: 'The policy failed legacy parsing' });
    }
    for (const good of ['2019-07-01T13:20:15Z', '2016-12-13T21:20:37.593194+00:00', '2016-12-13t2:00:00.593194+23', '-292275054', '01T', '1700000000', '2024-01-01T00:00:00-05:00']) {
      assert.equal(hasErrors(withCondition({ DateLessThan: { 'aws:CurrentTime': good } })), false, good);
    }
    assert.equal(hasErrors(withCondition({ DateLessThan: { 'aws:CurrentTime': 1700000000 } })), false);
  });

  test('values of other types are warnings', () => {
    const fs = withCondition({
      NumericLessThan: { 's3:max-keys': 'ten' },
      Bool: { 'aws:SecureTransport': 'yes' },
      IpAddress: { 'aws:SourceIp': ['10.0.0.0/33', '10.0.0.0/8', '::1', '2001:db8::/129'] },
      BinaryEquals: { 'aws:x': 'not base64!' },
      Null: { 'aws:TokenIssueTime': 'maybe' },
      ArnLike: { 'aws:SourceArn': 'bucket' },
    });
    assert.equal(hasErrors(fs), false);
    for (const path of [
      "$.Statement.Condition.NumericLessThan['s3:max-keys']",
      "$.Statement.Condition.Bool['aws:SecureTransport']",
      "$.Statement.Condition.IpAddress['aws:SourceIp'][0]",
      "$.Statement.Condition.IpAddress['aws:SourceIp'][3]",
      "$.Statement.Condition.BinaryEquals['aws:x']",
      "$.Statement.Condition.Null['aws:TokenIssueTime']",
      "$.Statement.Condition.ArnLike['aws:SourceArn']",
    ]) assertFinding(fs, { id: 'REF-TYPE', path, severity: 'warning' });
    assert.equal(warnings(fs).filter((f) => f.path.includes('IpAddress')).length, 2);
  });

  test('policy variables in condition values skip type checks but must be well-formed', () => {
    const fs = withCondition({
      DateGreaterThan: { 'aws:CurrentTime': '${aws:TokenIssueTime}' },
      StringEquals: { 'aws:ResourceTag/owner': ['${aws:username', '${}', '${aws:user name}', "${aws:username, default}"] },
    });
    assert.equal(hasErrors(fs), false);
    const variables = fs.filter((f) => f.id === 'SYN-VARIABLE');
    assert.deepEqual(variables.map((f) => f.path), [0, 1, 2, 3].map((i) => `$.Statement.Condition.StringEquals['aws:ResourceTag/owner'][${i}]`));
  });

  test('variables outside Resource and Condition are not substituted', () => {
    assertFinding(validatePolicy(doc(allow({ Action: 's3:${aws:username}' })), 'identity'), { id: 'SYN-VARIABLE', path: '$.Statement.Action', severity: 'warning' });
  });

  test('condition key format and case-insensitive duplicates are warnings', () => {
    const fs = withCondition({ StringEquals: { username: 'a', 'aws:UserName': 'b', 'aws:username': 'c' } });
    assert.equal(hasErrors(fs), false);
    assertFinding(fs, { id: 'REF-CONDKEY', path: '$.Statement.Condition.StringEquals.username', severity: 'warning' });
    assertFinding(fs, { id: 'SYN-DUP-KEY-CASE', path: "$.Statement.Condition.StringEquals['aws:username']", severity: 'warning' });
  });

  test('Null with IfExists or a set qualifier is a warning', () => {
    const fs = withCondition({ NullIfExists: { 'aws:x': 'true' }, 'ForAllValues:Null': { 'aws:y': 'false' } });
    assert.equal(hasErrors(fs), false);
    assert.equal(fs.filter((f) => f.id === 'PAT-NULL-IFEXISTS').length, 2);
  });
});

describe('size quotas', () => {
  const padded = (n: number): string => {
    const base = JSON.stringify(doc(allow({ Sid: '' })));
    return JSON.stringify(doc(allow({ Sid: 'x'.repeat(n - base.length) })));
  };

  test('managed policy: 6,144 characters, white space not counted', () => {
    const exact = padded(6144);
    assert.equal(policySize(exact, 'identity'), 6144);
    assert.equal(hasErrors(validatePolicy(exact, 'identity')), false);
    const pretty = JSON.stringify(JSON.parse(exact), null, 8);
    assert.ok(pretty.length > 6144);
    assert.equal(hasErrors(validatePolicy(pretty, 'identity')), false);
    const over = padded(6145);
    assertFinding(validatePolicy(over, 'identity'), { id: 'SYN-SIZE', path: '$', message: 'Cannot exceed quota for PolicySize: 6144', code: 'LimitExceeded' });
  });

  test('inline policies count per entity', () => {
    const text = padded(1500);
    assert.equal(hasErrors(validatePolicy(text, 'identity', { identityTarget: 'user' })), false);
    assertFinding(validatePolicy(text, 'identity', { identityTarget: 'user', entityName: 'alice', usedSize: 600 }), {
      id: 'SYN-SIZE', path: '$', message: 'Maximum policy size of 2048 bytes exceeded for user alice', code: 'LimitExceeded',
    });
    assertFinding(validatePolicy(padded(5121), 'identity', { identityTarget: 'group' }), { id: 'SYN-SIZE', path: '$', message: 'Maximum policy size of 5120 bytes exceeded for group' });
    assert.equal(hasErrors(validatePolicy(padded(10240), 'identity', { identityTarget: 'role' })), false);
  });

  test('trust policy: 2,048 by default, raised quota by option', () => {
    const base = JSON.stringify(doc({ Sid: '', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }));
    const text = base.replace('"Sid":""', `"Sid":"${'x'.repeat(3000 - base.length)}"`);
    assertFinding(validatePolicy(text, 'trust'), { id: 'SYN-SIZE', path: '$', message: 'Cannot exceed quota for ACLSizePerRole: 2048', code: 'LimitExceeded' });
    assert.equal(hasErrors(validatePolicy(text, 'trust', { maxSize: 4096 })), false);
  });

  test('SCPs count every character, session policies too', () => {
    const spaced = (d: unknown, n: number): string => `${' '.repeat(n)}${JSON.stringify(d)}`;
    const text = spaced(doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' }), 11000);
    assert.ok(text.length > 10240 && policySize(text, 'identity') < 200);
    assertFinding(validatePolicy(text, 'scp'), { id: 'SYN-SIZE', path: '$', message: 'You have exceeded the maximum policy size.', code: 'ConstraintViolationException' });
    const session = spaced(doc(allow()), 2000);
    assertFinding(validatePolicy(session, 'session'), { id: 'SYN-SIZE', path: '$', code: 'ValidationError', message: /Member must have length less than or equal to 2048$/ });
  });

  test('resource policies have no default quota, only a caller-given one', () => {
    const text = `${' '.repeat(30000)}${JSON.stringify(doc(allow({ Principal: '*' })))}`;
    assert.equal(hasErrors(validatePolicy(text, 'resource')), false);
    assertFinding(validatePolicy(text, 'resource', { maxSize: 20480 }), { id: 'SYN-SIZE', path: '$', message: 'Policy document exceeds the maximum size of 20480 characters.' });
  });
});

describe('ordering and helpers', () => {
  test('errors come first, in the order AWS checks, so firstError is what IAM reports', () => {
    const fs = validatePolicy(fixture('identity-invalid.json'), 'identity');
    assert.deepEqual(fs.map((f) => f.id), ['SYN-EFFECT', 'SYN-SID', 'REF-ARN-FORMAT', 'SYN-ACTION']);
    assert.equal(firstError(fs)?.message, 'The policy failed legacy parsing');
    assert.ok(hasErrors(fs));
    assert.equal(hasErrors([]), false);
    assert.equal(hasErrors([{ id: 'X', severity: 'warning', code: 'c', path: '$', message: 'm' }]), false);
  });

  test('the version requirement is reported before legacy parsing, as IAM does', () => {
    const fs = validatePolicy({ Statement: allow({ Effect: 'denY' }) }, 'identity');
    assert.equal(firstError(fs)?.message, 'Policy document must be version 2012-10-17 or greater.');
  });

  test('findings are capped', () => {
    const actions = Array.from({ length: 50 }, (_, i) => `bad${i}`);
    const fs = validatePolicy(doc(allow({ Action: actions })), 'identity', { maxFindings: 10 });
    assert.equal(fs.length, 11);
    assertFinding(fs, { id: 'VAL-TRUNCATED', path: '$', severity: 'info', message: '40 more findings were not reported.' });
  });

  test('an unknown kind is reported, not thrown', () => {
    const fs = validatePolicy(doc(allow()), 'bogus' as PolicyKind);
    assertFinding(fs, { id: 'SYN-POLICY-TYPE', path: '$', code: 'InvalidInput' });
  });
});
