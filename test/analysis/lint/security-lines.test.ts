/**
 * Findings of the security, risk and trust rules point at the line a reviewer must change when
 * the policy comes as text (what SARIF shows in code scanning), and the rules behave on policies
 * that are not well-formed (they report what they can, and never throw).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintPolicy } from '../../../src/analysis/lint/lint-policy.js';

const text = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Deploy",
      "Effect": "Allow",
      "Action": [
        "lambda:CreateFunction",
        "iam:PassRole"
      ],
      "Resource": "*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::artifacts",
        "*"
      ]
    }
  ]
}`;

test('findings carry the line of the element to change', () => {
  const findings = lintPolicy(text, { kind: 'identity' });
  const at = (id: string) => findings.filter((f) => f.id === id).map((f) => `${f.path}@${f.line}`);
  assert.deepEqual(at('OVR-PASSROLE'), ['$.Statement[0].Resource@11']);
  assert.deepEqual(at('OVR-SERVICE-WILDCARD'), ['$.Statement[1].Action@15']);
  assert.deepEqual(at('OVR-RESOURCE-STAR'), ['$.Statement[0].Resource@11', '$.Statement[1].Resource[1]@18']);
  assert.deepEqual(at('RISK-DATA-EXFIL'), ['$.Statement[1].Action@15']);
});

test('malformed statements: the rules skip what they cannot read and report the rest', () => {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 42, Resource: '*' },
      { Effect: 'Allow', Action: [null, 'iam:PassRole'], Resource: [3, '*'] },
      { Effect: 'Allow', Principal: { AWS: [7, '*'] }, Action: 'sts:AssumeRole', Condition: 'none' },
      'not a statement',
      { Effect: 'Allow', NotAction: [], Resource: '*' },
    ],
  };
  for (const kind of ['identity', 'trust', 'resource', 'boundary', 'session', 'scp'] as const) {
    const findings = lintPolicy(policy, { kind, accountId: '111122223333' });
    assert.deepEqual(findings.filter((f) => f.id === 'LINT-INTERNAL'), [], kind);
    if (kind === 'identity') assert.ok(findings.some((f) => f.id === 'OVR-PASSROLE' && f.path === '$.Statement[1].Resource[1]'));
    if (kind === 'trust') assert.ok(findings.some((f) => f.id === 'TRUST-ANY-PRINCIPAL' && f.path === '$.Statement[2].Principal.AWS[1]'));
  }
});
