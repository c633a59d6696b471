/**
 * PE-COMBO and the category rules through the linter: methods spread over statements, one finding
 * per anchoring statement, Deny statements that take an action away, NotAction, retired actions,
 * and the property that a condition or a named resource silences every risk rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lintPolicy } from '../../../src/analysis/lint/lint-policy.js';
import type { LintFinding } from '../../../src/analysis/lint/lint-types.js';
import { RISK_RULES, createPeComboRule } from '../../../src/analysis/lint/rules-risk.js';
import type { EscalationMethod } from '../../../src/analysis/escalation/methods.js';
import { expandActionPattern, listActionNames } from '../../../src/core/catalog/index.js';
import { riskCategoriesOfAction } from '../../../src/analysis/lint/risk-actions.js';

const method = (id: string, requires: string[]): EscalationMethod => ({ id, name: id, category: 'principal-access', requires, description: `test method ${id}` });
const METHODS = [
  method('t-key', ['iam:CreateAccessKey']),
  method('t-pass-run', ['iam:PassRole', 'ec2:RunInstances']),
  method('t-pass-lambda', ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction']),
  method('t-retired', ['codestar:CreateProjectFromTemplate']),
];
const rule = createPeComboRule(METHODS);

function pe(policy: unknown): LintFinding[] {
  return lintPolicy(policy, { kind: 'identity', rules: [rule] }).filter((f) => f.id === 'PE-COMBO');
}

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

test('PE-COMBO: one finding per anchoring statement, naming the methods and their actions', () => {
  const findings = pe(
    doc(
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
      { Effect: 'Allow', Action: ['ec2:RunInstances', 'lambda:*'], Resource: '*' },
      { Effect: 'Allow', Action: 'iam:CreateAccessKey', Resource: '*' },
    ),
  );
  assert.deepEqual(findings.map((f) => f.path), ['$.Statement[0].Action', '$.Statement[2].Action']);
  const [pass, key] = findings;
  assert.equal(pass.severity, 'security');
  assert.equal(pass.category, 'privilege-escalation');
  assert.match(pass.message, /2 privilege-escalation methods: t-pass-run \(iam:PassRole \+ ec2:RunInstances\), t-pass-lambda \(iam:PassRole \+ lambda:CreateFunction \+ lambda:InvokeFunction\)/);
  assert.match(pass.message, /with \$\.Statement\[1\]/);
  assert.match(pass.detail ?? '', /^t-pass-run: test method t-pass-run$/m);
  assert.match(key.message, /1 privilege-escalation method: t-key \(iam:CreateAccessKey\)/);
});

test('PE-COMBO: a conditioned or resource-scoped statement does not complete a method', () => {
  assert.deepEqual(pe(doc({ Effect: 'Allow', Action: ['iam:PassRole', 'ec2:RunInstances'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } })), []);
  assert.deepEqual(pe(doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::111122223333:role/app' }, { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' })), []);
  // NotResource counts as every resource.
  assert.equal(pe(doc({ Effect: 'Allow', Action: 'iam:CreateAccessKey', NotResource: 'arn:aws:iam::111122223333:user/admin' })).length, 1);
});

test('PE-COMBO: an unconditional Deny takes actions away, a conditioned one does not', () => {
  const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };
  const ids = (fs: LintFinding[]) => fs.flatMap((f) => [...f.message.matchAll(/t-[a-z-]+/g)].map((m) => m[0]));
  assert.deepEqual(ids(pe(doc(allowAll))), ['t-key', 't-pass-run', 't-pass-lambda']);
  assert.deepEqual(ids(pe(doc(allowAll, { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' }))), ['t-key']);
  assert.deepEqual(ids(pe(doc(allowAll, { Effect: 'Deny', NotAction: 'ec2:*', Resource: '*' }))), []);
  assert.deepEqual(ids(pe(doc(allowAll, { Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }))), ['t-key', 't-pass-run', 't-pass-lambda']);
});

test('PE-COMBO: NotAction grants what it leaves out; a retired action counts only when named', () => {
  const notIam = pe(doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }));
  assert.deepEqual(notIam, []);
  const notS3 = pe(doc({ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }));
  assert.deepEqual(notS3.map((f) => f.path), ['$.Statement[0].NotAction']);
  assert.doesNotMatch(notS3[0].message, /t-retired/);
  const named = pe(doc({ Effect: 'Allow', Action: 'codestar:CreateProjectFromTemplate', Resource: '*' }));
  assert.match(named[0]?.message ?? '', /t-retired/);
});

test('PE-COMBO: the catalogue of escalation methods is used by default', () => {
  const f = lintPolicy(doc({ Effect: 'Allow', Action: ['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'], Resource: '*' }), { kind: 'identity' }).filter((x) => x.id === 'PE-COMBO');
  assert.equal(f.length, 1);
  assert.match(f[0].message, /iam-012 \(iam:UpdateAssumeRolePolicy \+ sts:AssumeRole\)/);
  assert.match(f[0].message, /sts-001 \(sts:AssumeRole\)/);
});

test('the category rules list actions and cap the message', () => {
  const findings = lintPolicy(doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), { kind: 'identity', rules: RISK_RULES });
  const infra = findings.find((f) => f.id === 'RISK-INFRA-MODIFICATION');
  assert.ok(infra);
  const count = Number(/Allows (\d+) write actions/.exec(infra.message)?.[1]);
  assert.ok(count > 100, infra.message);
  assert.match(infra.message, new RegExp(`and ${count - 5} more\\.`));
  assert.equal(infra.detail?.split(', ').length, 100);
  assert.match(infra.detail ?? '', /and \d+ more$/);
});

const RISK_IDS = new Set(RISK_RULES.map((r) => r.id));
const SAMPLE = listActionNames().filter((_, i) => i % 97 === 0);
const patterns = fc.array(
  fc.oneof(fc.constantFrom(...SAMPLE), fc.constantFrom('*', 'iam:*', 's3:*', 'ec2:Run*', 'iam:Pass*', 'sts:Assume*', 'kms:*')),
  { minLength: 1, maxLength: 4 },
);

test('property: a condition or named resources silence every risk rule', () => {
  fc.assert(
    fc.property(fc.array(patterns, { minLength: 1, maxLength: 3 }), fc.boolean(), (lists, useCondition) => {
      const Statement = lists.map((Action) =>
        useCondition
          ? { Effect: 'Allow', Action, Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }
          : { Effect: 'Allow', Action, Resource: 'arn:aws:s3:::bucket/*' },
      );
      const risky = lintPolicy({ Version: '2012-10-17', Statement }, { kind: 'identity' }).filter((f) => RISK_IDS.has(f.id));
      assert.deepEqual(risky, []);
    }),
    { numRuns: 150 },
  );
});

const categoriesOfPattern = new Map<string, Set<string>>();
function categoriesOf(pattern: string): Set<string> {
  let hit = categoriesOfPattern.get(pattern);
  if (!hit) {
    hit = new Set(expandActionPattern(pattern).flatMap((a) => riskCategoriesOfAction(a)));
    categoriesOfPattern.set(pattern, hit);
  }
  return hit;
}

test('property: on Resource "*" each category rule reports once exactly when an action falls in its category', () => {
  const ruleOf: Record<string, string> = {
    'data-exfiltration': 'RISK-DATA-EXFIL',
    'resource-exposure': 'RISK-RESOURCE-EXPOSURE',
    'credentials-exposure': 'RISK-CREDENTIALS-EXPOSURE',
    'infrastructure-modification': 'RISK-INFRA-MODIFICATION',
  };
  fc.assert(
    fc.property(patterns, (Action) => {
      const findings = lintPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource: '*' }] }, { kind: 'identity' });
      const expected = new Set(Action.flatMap((p) => [...categoriesOf(p)]).filter((c) => ruleOf[c]).map((c) => ruleOf[c]));
      const got = findings.filter((f) => RISK_IDS.has(f.id) && f.id !== 'PE-COMBO');
      assert.deepEqual(got.map((f) => f.id).sort(), [...expected].sort());
      for (const f of got) assert.equal(ruleOf[f.category ?? ''], f.id);
    }),
    { numRuns: 100 },
  );
});
