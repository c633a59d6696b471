/**
 * The curated risk lists and the action classifier: every listed action is a real catalog action
 * in its canonical case, and the categories a reviewer sees for well-known actions are the right
 * ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAction } from '../../../src/core/catalog/index.js';
import {
  CREDENTIALS_EXPOSURE_ACTIONS,
  DATA_EXFILTRATION_ACTIONS,
  RESOURCE_EXPOSURE_ACTIONS,
  RESOURCE_EXPOSURE_RULE_EXCEPTIONS,
} from '../../../src/analysis/lint/risk-actions-data.js';
import { actionsByTrait, riskCategoriesOfAction } from '../../../src/analysis/lint/risk-actions.js';

const LISTS = {
  DATA_EXFILTRATION_ACTIONS,
  RESOURCE_EXPOSURE_ACTIONS,
  RESOURCE_EXPOSURE_RULE_EXCEPTIONS,
  CREDENTIALS_EXPOSURE_ACTIONS,
};

test('every curated action exists in the catalog, in canonical case, once', () => {
  for (const [name, list] of Object.entries(LISTS)) {
    const problems = list.filter((a) => getAction(a)?.action !== a);
    assert.deepEqual(problems, [], `${name}: not in the catalog, or not in canonical case`);
    assert.equal(new Set(list).size, list.length, `${name}: duplicates`);
  }
});

test('riskCategoriesOfAction: well-known actions', () => {
  const cases: [string, string[]][] = [
    ['s3:GetObject', ['data-exfiltration']],
    ['secretsmanager:getsecretvalue', ['data-exfiltration']],
    ['kms:Decrypt', ['data-exfiltration']],
    ['s3:PutBucketPolicy', ['resource-exposure']],
    ['sqs:SetQueueAttributes', ['resource-exposure']],
    // Derived from the catalog: a Permissions-management action that puts a resource policy.
    ['fsx:PutResourcePolicy', ['resource-exposure']],
    ['iam:UpdateAssumeRolePolicy', ['privilege-escalation', 'resource-exposure']],
    ['iam:CreateAccessKey', ['privilege-escalation', 'credentials-exposure']],
    ['ecr:GetAuthorizationToken', ['credentials-exposure']],
    ['iam:PassRole', ['privilege-escalation', 'infrastructure-modification']],
    ['ec2:TerminateInstances', ['infrastructure-modification']],
    ['ec2:CreateTags', ['infrastructure-modification']],
    // Named like exposure, but only guards stack updates.
    ['cloudformation:SetStackPolicy', ['infrastructure-modification']],
    ['ec2:DescribeInstances', []],
    ['s3:GetBucketPolicy', []],
    ['nosuchservice:DoThing', []],
    ['s3:Get*', []],
  ];
  for (const [action, expected] of cases) assert.deepEqual(riskCategoriesOfAction(action), expected, action);
});

test('actionsByTrait: union over patterns, NotAction complement, cached results are stable', () => {
  const two = actionsByTrait(['s3:GetObject', 'ssm:GetParameter*']);
  assert.deepEqual([...two['data-exfiltration']].sort(), ['s3:GetObject', 'ssm:GetParameter', 'ssm:GetParameterHistory', 'ssm:GetParameters', 'ssm:GetParametersByPath']);
  // Overlapping patterns of one service count each action once.
  const overlap = actionsByTrait(['s3:Get*', 's3:GetObject*']);
  assert.equal(new Set(overlap['data-exfiltration']).size, overlap['data-exfiltration'].length);
  assert.ok(overlap['data-exfiltration'].includes('s3:GetObject'));
  // NotAction: everything but IAM still holds s3:GetObject, and no IAM action.
  const notIam = actionsByTrait(['iam:*'], true);
  assert.ok(notIam['data-exfiltration'].includes('s3:GetObject'));
  assert.ok(!notIam['credentials-exposure'].some((a) => a.startsWith('iam:')));
  assert.ok(notIam['credentials-exposure'].includes('sts:AssumeRole'));
  // Scopable: actions with resource types.
  assert.deepEqual(actionsByTrait(['s3:ListAllMyBuckets']).scopable, []);
  assert.deepEqual(actionsByTrait(['s3:ListBucket']).scopable, ['s3:ListBucket']);
  // The same lists come back from the cache.
  assert.equal(actionsByTrait(['s3:GetObject', 'ssm:GetParameter*']), two);
});
