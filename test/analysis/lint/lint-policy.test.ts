import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LINT_RULES, comparePaths, lintPolicy, type LintRule } from '../../../src/analysis/lint/index.js';

const doc = (...statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);

describe('lintPolicy', () => {
  test('passes the validator findings through: refused documents as errors, its warnings as warnings', () => {
    const text = doc({ Effect: 'allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }, { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { NullIfExists: { 'aws:PrincipalTag/x': 'true' } } });
    const findings = lintPolicy(text, { kind: 'identity' });
    assert.deepEqual(
      findings.filter((f) => f.id === 'SYN-EFFECT' || f.id === 'PAT-NULL-IFEXISTS').map((f) => [f.id, f.severity, f.path]),
      [
        ['SYN-EFFECT', 'error', '$.Statement[0].Effect'],
        ['PAT-NULL-IFEXISTS', 'warning', '$.Statement[1].Condition.NullIfExists'],
      ],
    );
  });

  test('runs the rules only on documents that parsed to an object', () => {
    assert.deepEqual(lintPolicy('{"Version": "2012-10-17", "Statement": [', { kind: 'identity' }).map((f) => f.id), ['SYN-JSON']);
    assert.deepEqual(lintPolicy('[1, 2]', { kind: 'identity' }).map((f) => f.id), ['SYN-DATA-TYPE']);
  });

  test('sorts by severity, then by path with indexes as numbers, and drops duplicates', () => {
    const statements = Array.from({ length: 12 }, (_, i) => ({ Effect: 'Allow', Action: `s3:GetObjekt${i}`, Resource: '*' }));
    statements[11] = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.1.0.0/16' } } } as never;
    const findings = lintPolicy(doc(...statements), { kind: 'identity' });
    const refs = findings.filter((f) => f.id === 'REF-ACTION').map((f) => f.path);
    assert.deepEqual(refs, Array.from({ length: 11 }, (_, i) => `$.Statement[${i}].Action`));
    const severities = findings.map((f) => ['error', 'security', 'warning', 'suggestion'].indexOf(f.severity));
    assert.deepEqual(severities, [...severities].sort((a, b) => a - b));
    const keys = findings.map((f) => `${f.id} ${f.path}`);
    assert.equal(new Set(keys).size, keys.length);
    assert.ok(comparePaths('$.Statement[2].Action', '$.Statement[10]') < 0);
  });

  test('runs only the rules of the policy kind, and the rules given', () => {
    const seen: string[] = [];
    const spy = (id: string, kinds: LintRule['kinds']): LintRule => ({ id, severity: 'warning', title: id, kinds, check: () => void seen.push(id) });
    lintPolicy(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }), { kind: 'identity', rules: [spy('A', ['identity']), spy('B', ['trust'])] });
    assert.deepEqual(seen, ['A']);
  });

  test('a rule that throws becomes a finding; the other rules still report', () => {
    const broken: LintRule = { id: 'X-BROKEN', severity: 'error', title: 'x', kinds: ['identity'], check: () => { throw new Error('boom'); } };
    const findings = lintPolicy(doc({ Effect: 'Allow', Action: 's3:GetObjekt', Resource: '*' }), { kind: 'identity', rules: [broken, ...LINT_RULES] });
    assert.ok(findings.some((f) => f.id === 'LINT-INTERNAL' && /X-BROKEN failed: boom/.test(f.message)));
    assert.ok(findings.some((f) => f.id === 'REF-ACTION'));
  });

  test('a resolver that throws is treated as not knowing', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/x' }, Action: 'sts:AssumeRole' }] });
    const findings = lintPolicy(text, { kind: 'trust', accountId: '111122223333', resolver: { exists: () => { throw new Error('store down'); } } });
    assert.ok(!findings.some((f) => f.id === 'REF-ENTITY' || f.id === 'LINT-INTERNAL'));
  });

  test('never throws, whatever the input', () => {
    const statement = fc.record(
      {
        Effect: fc.constantFrom('Allow', 'Deny', 'allow', 1),
        Action: fc.oneof(fc.constantFrom('*', 's3:*', 's3:Get*', 'iam:PassRole', 'x:y', '', 's3:'), fc.array(fc.string(), { maxLength: 3 })),
        NotAction: fc.constantFrom('iam:*', ['s3:*', 7]),
        Resource: fc.oneof(fc.constantFrom('*', 'arn:aws:s3:::b/*', 'arn:aws:iam::111122223333:role/r', 'arn:', 'arn:aws:sqs:::'), fc.array(fc.string(), { maxLength: 3 })),
        Principal: fc.oneof(fc.constant('*'), fc.dictionary(fc.constantFrom('AWS', 'Service', 'Federated', 'X'), fc.oneof(fc.string(), fc.array(fc.string())))),
        Condition: fc.dictionary(
          fc.constantFrom('StringEquals', 'ForAllValues:StringLike', 'Bool', 'IpAddress', 'NullIfExists', 'Foo', 'ArnEquals'),
          fc.dictionary(fc.constantFrom('aws:SourceIp', 'aws:TagKeys', 's3:prefix', 'aws:MultiFactorAuthPresent', 'bad', 'x:y'), fc.oneof(fc.string(), fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean()))))),
      },
      { requiredKeys: [] },
    );
    const policy = fc.oneof(fc.record({ Version: fc.constantFrom('2012-10-17', '2008-10-17'), Statement: fc.oneof(statement, fc.array(statement, { maxLength: 4 })) }), fc.jsonValue({ maxDepth: 3 }), fc.anything());
    const kinds = fc.constantFrom('identity', 'resource', 'trust', 'boundary', 'scp', 'session', 'bogus');
    fc.assert(
      fc.property(policy, kinds, fc.boolean(), (p, kind, asText) => {
        let input: unknown = p;
        if (asText) {
          try {
            input = JSON.stringify(p);
          } catch {
            input = p;
          }
        }
        const findings = lintPolicy(input, { kind: kind as never });
        assert.ok(Array.isArray(findings));
        for (const f of findings) assert.ok(typeof f.id === 'string' && typeof f.path === 'string' && typeof f.message === 'string');
        assert.ok(!findings.some((f) => f.id === 'LINT-INTERNAL'), findings.map((f) => f.message).join('\n'));
      }),
      { numRuns: 300 },
    );
  });
});
