import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { getAction, getResourceType } from '../../../src/core/catalog/index.js';
import {
  CAPABILITIES,
  CAPABILITY_NAMES,
  CAPABILITY_OVERRIDES,
  capabilitiesOfAction,
  capabilityCoverage,
  explainCapabilities,
  isCapability,
  actionsForCapability,
} from '../../../src/analysis/capabilities/index.js';
import { splitName } from '../../../src/analysis/capabilities/derive-capabilities.js';

describe('capabilities', () => {
  test('six capabilities, each with a one-line meaning', () => {
    assert.deepEqual(CAPABILITY_NAMES, ['administer-resource', 'read-config', 'read-data', 'write-data', 'delete-data', 'use-resource']);
    for (const c of CAPABILITIES) assert.ok(c.meaning.length > 10 && !c.meaning.includes('\n'), c.name);
    assert.equal(isCapability('read-data'), true);
    assert.equal(isCapability('read'), false);
    assert.equal(isCapability(undefined), false);
  });
});

describe('overrides.ts', () => {
  test('every action, resource type and companion it names exists in the catalog', () => {
    const missing: string[] = [];
    for (const [service, entry] of Object.entries(CAPABILITY_OVERRIDES)) {
      for (const o of entry.overrides) {
        for (const name of o.actions) {
          const info = getAction(`${service}:${name}`);
          // Exact spelling, not only a case-insensitive match.
          if (!info || info.name !== name) missing.push(`${service}:${name}`);
        }
        assert.ok(o.why.length > 20, `a reason for ${o.actions.join(', ')}`);
        for (const c of o.capabilities) assert.ok(isCapability(c), c);
      }
      for (const c of entry.companions ?? []) {
        for (const name of c.actions) if (getAction(`${service}:${name}`)?.name !== name) missing.push(`${service}:${name}`);
      }
      for (const e of entry.extensions ?? []) {
        for (const t of [e.resourceType, ...(e.qualifiedTypes ?? [])]) if (!getResourceType(service, t)) missing.push(`${service} resource type ${t}`);
      }
      for (const h of entry.hints ?? []) if (h.resourceType && !getResourceType(service, h.resourceType)) missing.push(`${service} resource type ${h.resourceType}`);
    }
    assert.deepEqual(missing, []);
  });

  test('an override restates nothing the heuristic already says', async () => {
    const { deriveCapabilities } = await import('../../../src/analysis/capabilities/derive-capabilities.js');
    const restated: string[] = [];
    for (const [service, entry] of Object.entries(CAPABILITY_OVERRIDES)) {
      for (const o of entry.overrides) {
        for (const name of o.actions) {
          const info = getAction(`${service}:${name}`);
          if (info && [...deriveCapabilities(info).capabilities].sort().join() === [...o.capabilities].sort().join()) restated.push(info.action);
        }
      }
    }
    assert.deepEqual(restated, []);
  });

  test('overrides win over the heuristic and carry their reason', () => {
    const e = explainCapabilities('s3:ListBucket');
    assert.equal(e?.source, 'override');
    assert.deepEqual(e?.capabilities, ['read-data']);
    assert.match(e?.why ?? '', /object keys/);
    assert.equal(explainCapabilities('s3:GetObject')?.source, 'heuristic');
    assert.equal(explainCapabilities('s3:GetObject')?.rule, 'read-of-data');
  });
});

describe('capabilitiesOfAction', () => {
  const cases: [string, string[]][] = [
    // S3
    ['s3:GetObject', ['read-data']],
    ['s3:GetObjectVersion', ['read-data']],
    ['s3:GetObjectAcl', ['read-config']],
    ['s3:GetBucketPolicy', ['read-config']],
    ['s3:GetBucketPublicAccessBlock', ['read-config']],
    ['s3:ListAllMyBuckets', ['read-config']],
    ['s3:ListBucket', ['read-data']],
    ['s3:PutObject', ['write-data']],
    ['s3:PutObjectTagging', ['administer-resource']],
    ['s3:PutBucketPolicy', ['administer-resource']],
    ['s3:PutLifecycleConfiguration', ['administer-resource']],
    ['s3:DeleteObject', ['delete-data']],
    ['s3:DeleteBucket', ['administer-resource']],
    // DynamoDB
    ['dynamodb:GetItem', ['read-data']],
    ['dynamodb:BatchGetItem', ['read-data']],
    ['dynamodb:Query', ['read-data']],
    ['dynamodb:PartiQLSelect', ['read-data']],
    ['dynamodb:DescribeTable', ['read-config']],
    ['dynamodb:PutItem', ['write-data']],
    ['dynamodb:BatchWriteItem', ['write-data']],
    ['dynamodb:PartiQLDelete', ['delete-data']],
    ['dynamodb:DeleteItem', ['delete-data']],
    ['dynamodb:DeleteTable', ['administer-resource']],
    ['dynamodb:UpdateTable', ['administer-resource']],
    ['dynamodb:ReadDataForReplication', []],
    // KMS
    ['kms:Encrypt', ['use-resource']],
    ['kms:GenerateDataKey', ['use-resource']],
    ['kms:Decrypt', ['read-data']],
    ['kms:ReEncryptFrom', ['read-data']],
    ['kms:ReEncryptTo', ['use-resource']],
    ['kms:PutKeyPolicy', ['administer-resource']],
    ['kms:CreateGrant', ['administer-resource']],
    ['kms:ScheduleKeyDeletion', ['administer-resource']],
    ['kms:DescribeKey', ['read-config']],
    // SQS, SNS
    ['sqs:SendMessage', ['write-data']],
    ['sqs:ReceiveMessage', ['read-data']],
    ['sqs:DeleteMessage', ['delete-data']],
    ['sqs:PurgeQueue', ['delete-data']],
    ['sqs:SetQueueAttributes', ['administer-resource']],
    ['sns:Publish', ['use-resource']],
    ['sns:Subscribe', ['read-data']],
    ['sns:SetTopicAttributes', ['administer-resource']],
    // Secrets Manager
    ['secretsmanager:GetSecretValue', ['read-data']],
    ['secretsmanager:DescribeSecret', ['read-config']],
    ['secretsmanager:PutSecretValue', ['write-data']],
    ['secretsmanager:UpdateSecret', ['administer-resource', 'write-data']],
    ['secretsmanager:DeleteSecret', ['administer-resource']],
    // Lambda
    ['lambda:InvokeFunction', ['use-resource']],
    ['lambda:UpdateFunctionCode', ['administer-resource']],
    ['lambda:PublishVersion', ['administer-resource']],
    ['lambda:GetFunctionConfiguration', ['read-config']],
    // IAM, STS
    ['iam:PassRole', ['use-resource']],
    ['iam:AttachRolePolicy', ['administer-resource']],
    ['iam:CreateAccessKey', ['administer-resource']],
    ['iam:UploadSSHPublicKey', ['administer-resource']],
    ['iam:GetRole', ['read-config']],
    ['iam:GenerateCredentialReport', ['read-config']],
    ['sts:AssumeRole', ['use-resource']],
    ['sts:AssumeRoleWithWebIdentity', []],
    ['sts:TagSession', ['administer-resource']],
    // Other services, by the heuristic alone
    ['ssm:GetParameter', ['read-data']],
    ['ssm:PutParameter', ['write-data']],
    ['logs:PutLogEvents', ['write-data']],
    ['kinesis:PutRecord', ['write-data']],
    ['ec2:DescribeInstances', ['read-config']],
    ['ec2:TerminateInstances', ['administer-resource']],
    ['ec2:StartInstances', ['use-resource']],
    ['states:StartExecution', ['use-resource']],
    ['es:ESHttpGet', ['read-data']],
    ['acm:ExportCertificate', ['read-data']],
    ['eks:CreateAccessEntry', ['administer-resource']],
  ];
  for (const [action, expected] of cases) {
    test(`${action} → ${expected.join(', ') || 'none'}`, () => {
      assert.deepEqual([...capabilitiesOfAction(action)], expected);
    });
  }

  test('is case-insensitive and answers none for unknown actions and patterns', () => {
    assert.deepEqual([...capabilitiesOfAction('S3:getobject')], ['read-data']);
    assert.deepEqual([...capabilitiesOfAction('s3:NoSuchAction')], []);
    assert.deepEqual([...capabilitiesOfAction('s3:Get*')], []);
    assert.deepEqual([...capabilitiesOfAction('')], []);
    assert.deepEqual([...capabilitiesOfAction(42 as unknown as string)], []);
  });

  test('splitName finds the verb past Batch, Re and PartiQL prefixes', () => {
    assert.equal(splitName('BatchGetItem').verb, 'get');
    assert.equal(splitName('ReEncryptFrom').verb, 'encrypt');
    assert.deepEqual(splitName('PartiQLSelect'), { verb: 'select', nouns: [], statement: true, http: false });
    assert.deepEqual(splitName('GetBucketCORS').nouns, ['bucket', 'cors']);
    assert.equal(splitName('SendMessageBatch').nouns.join(), 'message');
  });
});

describe('coverage of the catalog', () => {
  test('every service has a capability for most of its actions', () => {
    const coverage = capabilityCoverage();
    assert.ok(coverage.length > 400, `${coverage.length} services`);
    const total = coverage.reduce((n, s) => n + s.actions, 0);
    const classified = coverage.reduce((n, s) => n + s.classified, 0);
    const specific = coverage.reduce((n, s) => n + s.specific, 0);
    // Only overrides that say "none" leave an action without a capability.
    assert.deepEqual(coverage.flatMap((s) => s.unclassified).sort(), [
      'dynamodb:ReadDataForReplication',
      'dynamodb:WriteDataForReplication',
      'sts:AssumeRoleWithSAML',
      'sts:AssumeRoleWithWebIdentity',
    ]);
    for (const s of coverage) if (s.actions > 0) assert.ok(s.classified / s.actions >= 0.8, `${s.service}: ${s.classified}/${s.actions}`);
    // Most actions are decided by a rule that recognized them, not by the per-level fallback.
    assert.ok(specific / total > 0.95, `specific ${specific}/${total}`);
    assert.equal(classified, total - 4);
  });

  test('actionsForCapability without a resource lists the whole catalog, sorted', () => {
    const readData = actionsForCapability('read-data');
    assert.ok(readData.includes('s3:GetObject') && readData.includes('kms:Decrypt'));
    assert.ok(!readData.includes('s3:PutObject'));
    assert.deepEqual(actionsForCapability('nope' as never), []);
  });
});
