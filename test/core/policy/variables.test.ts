import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicy } from '../../../src/core/policy/compile.js';
import { evaluate } from '../../../src/core/policy/evaluate.js';
import type { ContextValue } from '../../../src/core/policy/request.js';
import type { DecisionKind } from '../../../src/core/policy/types.js';
import { parseTemplate, resolveTemplate, templateRegExp, type VariableSource } from '../../../src/core/policy/variables.js';

/**
 * "IAM policy elements: Variables and tags" (IAM User Guide): `${key}` is replaced by the value of
 * the context key; `${key, 'default'}` supplies a value when the key is absent; `${*}`, `${?}` and
 * `${$}` stand for the literal characters; variables exist only in policy version 2012-10-17,
 * without it they are literal text.
 */

const ALICE = 'arn:aws:iam::111122223333:user/alice';

/** A variable source: single-valued context keys by lower-cased name. */
function lookup(values: Record<string, string>): VariableSource {
  return { variable: (k) => values[k] };
}

describe('parseTemplate / resolveTemplate', () => {
  test('text without variables is static', () => {
    const t = parseTemplate('arn:aws:s3:::bucket/*', true);
    assert.equal(t.dynamic, false);
    assert.equal(resolveTemplate(t, lookup({})), 'arn:aws:s3:::bucket/*');
  });

  test('${aws:username} is replaced by the context value; key names are case-insensitive', () => {
    const t = parseTemplate('home/${aws:username}/*', true);
    assert.equal(t.dynamic, true);
    assert.equal(resolveTemplate(t, lookup({ 'aws:username': 'alice' })), 'home/alice/*');
    const upper = parseTemplate('home/${AWS:UserName}/*', true);
    assert.equal(resolveTemplate(upper, lookup({ 'aws:username': 'alice' })), 'home/alice/*');
  });

  test('several variables in one value', () => {
    const t = parseTemplate('${aws:PrincipalTag/team}-${aws:username}', true);
    assert.equal(resolveTemplate(t, lookup({ 'aws:principaltag/team': 'red', 'aws:username': 'bob' })), 'red-bob');
  });

  test('a variable without a value and without a default gives no value at all', () => {
    const t = parseTemplate('home/${aws:username}/*', true);
    assert.equal(resolveTemplate(t, lookup({})), undefined);
  });

  test("a default value is used only when the key is absent: ${aws:PrincipalTag/team, 'company-wide'}", () => {
    const t = parseTemplate("${aws:PrincipalTag/team, 'company-wide'}", true);
    assert.equal(resolveTemplate(t, lookup({})), 'company-wide');
    assert.equal(resolveTemplate(t, lookup({ 'aws:principaltag/team': 'red' })), 'red');
  });

  test('spaces around the key and the default are ignored; the default keeps its case and inner spaces', () => {
    const t = parseTemplate("${ aws:PrincipalTag/team ,  'Company Wide' }", true);
    assert.equal(resolveTemplate(t, lookup({})), 'Company Wide');
    assert.equal(resolveTemplate(t, lookup({ 'aws:principaltag/team': 'red' })), 'red');
  });

  test('${*}, ${?} and ${$} are the literal characters', () => {
    assert.equal(resolveTemplate(parseTemplate('a${*}b', true), lookup({})), 'a*b');
    assert.equal(resolveTemplate(parseTemplate('a${?}b', true), lookup({})), 'a?b');
    assert.equal(resolveTemplate(parseTemplate('cost${$}', true), lookup({})), 'cost$');
    // ${$} lets a policy name the literal text "${aws:username}".
    assert.equal(resolveTemplate(parseTemplate('${$}{aws:username}', true), lookup({ 'aws:username': 'alice' })), '${aws:username}');
  });

  test('with variables disabled (policy version 2008-10-17) everything is literal', () => {
    const t = parseTemplate('home/${aws:username}/${*}', false);
    assert.equal(t.dynamic, false);
    assert.equal(resolveTemplate(t, lookup({ 'aws:username': 'alice' })), 'home/${aws:username}/${*}');
  });
});

describe('templateRegExp', () => {
  test('wildcards of the policy text keep their meaning; wildcards from a value are literal', () => {
    const t = parseTemplate('home/${aws:username}/*', true);
    const re = templateRegExp(t, ['home/', 'al*', '/*'], false);
    assert.equal(re.test('home/al*/file'), true);
    assert.equal(re.test('home/alice/file'), false);
    assert.equal(re.test('home/al*/'), true);
  });

  test('${*} and ${?} match only themselves', () => {
    const t = parseTemplate('a${*}b?', true);
    const re = templateRegExp(t, ['a', '*', 'b?'], false);
    assert.equal(re.test('a*bX'), true);
    assert.equal(re.test('axxbX'), false);
    const q = parseTemplate('x${?}', true);
    const qre = templateRegExp(q, ['x', '?'], false);
    assert.equal(qre.test('x?'), true);
    assert.equal(qre.test('xa'), false);
  });

  test('with ARN segments, a policy wildcard does not cross ":" in the first five segments', () => {
    const t = parseTemplate('arn:aws:*:${aws:username}:queue', true);
    const re = templateRegExp(t, ['arn:aws:*:', '111122223333', ':queue'], true);
    assert.equal(re.test('arn:aws:sqs:111122223333:queue'), true);
    assert.equal(re.test('arn:aws:sqs:us-east-1:111122223333:queue'), false);
    const plain = templateRegExp(t, ['arn:aws:*:', '111122223333', ':queue'], false);
    assert.equal(plain.test('arn:aws:sqs:us-east-1:111122223333:queue'), true);
  });

  test('regular-expression metacharacters in values are escaped', () => {
    const t = parseTemplate('${aws:username}', true);
    const re = templateRegExp(t, ['a.b+(c)'], false);
    assert.equal(re.test('a.b+(c)'), true);
    assert.equal(re.test('axbb(c)'), false);
  });
});

// ---------------------------------------------------------------------------------------------
// Variables in whole policies

function decide(doc: unknown, resource: string, context: Record<string, ContextValue>, action = 's3:GetObject'): DecisionKind {
  const policy = compilePolicy(doc, { id: 'p', layer: 'identity' });
  return evaluate({ principal: ALICE, action, resource, context }, { identity: [policy] }).decision;
}

function homeFolder(version?: string): unknown {
  return {
    ...(version ? { Version: version } : {}),
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/home/${aws:username}/*' }],
  };
}

describe('variables in Resource', () => {
  test('${aws:username} gives each user their own folder', () => {
    const doc = homeFolder('2012-10-17');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/home/alice/a.txt', { 'aws:username': 'alice' }), 'Allow');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/home/bob/a.txt', { 'aws:username': 'alice' }), 'ImplicitDeny');
  });

  test('context key names are matched case-insensitively', () => {
    const doc = homeFolder('2012-10-17');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/home/alice/a.txt', { 'AWS:USERNAME': 'alice' }), 'Allow');
  });

  test('a variable with no value matches no resource', () => {
    const doc = homeFolder('2012-10-17');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/home//a.txt', {}), 'ImplicitDeny');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/home/${aws:username}/a.txt', {}), 'ImplicitDeny');
  });

  test('a variable value is literal: a user named "*" gets no wildcard', () => {
    const doc = homeFolder('2012-10-17');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/home/bob/a.txt', { 'aws:username': '*' }), 'ImplicitDeny');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/home/*/a.txt', { 'aws:username': '*' }), 'Allow');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/home/x/a.txt', { 'aws:username': '?' }), 'ImplicitDeny');
  });

  test("a default value applies when the key is absent: ${aws:PrincipalTag/team, 'shared'}", () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'shared'}/*" }],
    };
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/shared/x', {}), 'Allow');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/red/x', {}), 'ImplicitDeny');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/red/x', { 'aws:PrincipalTag/team': 'red' }), 'Allow');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/shared/x', { 'aws:PrincipalTag/team': 'red' }), 'ImplicitDeny');
  });

  test('${*} in a resource is a literal asterisk', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${*}' }] };
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/*', {}), 'Allow');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/anything', {}), 'ImplicitDeny');
  });

  test('${$} in a resource is a literal dollar sign', () => {
    const cost = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/cost${$}' }] };
    assert.equal(decide(cost, 'arn:aws:s3:::bucket/cost$', {}), 'Allow');
    assert.equal(decide(cost, 'arn:aws:s3:::bucket/cost${$}', {}), 'ImplicitDeny');
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${$}{aws:username}' }] };
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/${aws:username}', { 'aws:username': 'alice' }), 'Allow');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/alice', { 'aws:username': 'alice' }), 'ImplicitDeny');
  });

  test('${$} next to a real variable in a resource', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${aws:username}${$}' }] };
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/alice$', { 'aws:username': 'alice' }), 'Allow');
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/alice${$}', { 'aws:username': 'alice' }), 'ImplicitDeny');
  });

  test('under Version 2008-10-17, and without a Version, variables are literal text', () => {
    for (const doc of [homeFolder('2008-10-17'), homeFolder()]) {
      assert.equal(decide(doc, 'arn:aws:s3:::bucket/home/alice/a.txt', { 'aws:username': 'alice' }), 'ImplicitDeny');
      assert.equal(decide(doc, 'arn:aws:s3:::bucket/home/${aws:username}/a.txt', { 'aws:username': 'alice' }), 'Allow');
    }
  });

  test('a multivalued key is not a variable', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${aws:TagKeys}' }] };
    assert.equal(decide(doc, 'arn:aws:s3:::bucket/a', { 'aws:TagKeys': ['a', 'b'] }), 'ImplicitDeny');
  });
});

describe('variables in Condition values', () => {
  const listOwnPrefix = (version: string) => ({
    Version: version,
    Statement: [
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::bucket',
        Condition: { StringLike: { 's3:prefix': ['home/${aws:username}/*'] } },
      },
    ],
  });
  const list = (doc: unknown, context: Record<string, ContextValue>) => decide(doc, 'arn:aws:s3:::bucket', context, 's3:ListBucket');

  test('StringLike with ${aws:username}', () => {
    const doc = listOwnPrefix('2012-10-17');
    assert.equal(list(doc, { 'aws:username': 'alice', 's3:prefix': 'home/alice/docs' }), 'Allow');
    assert.equal(list(doc, { 'aws:username': 'alice', 's3:prefix': 'home/bob/docs' }), 'ImplicitDeny');
  });

  test('a wildcard inside the variable value is literal in StringLike', () => {
    const doc = listOwnPrefix('2012-10-17');
    assert.equal(list(doc, { 'aws:username': '*', 's3:prefix': 'home/bob/docs' }), 'ImplicitDeny');
    assert.equal(list(doc, { 'aws:username': '*', 's3:prefix': 'home/*/docs' }), 'Allow');
  });

  test('under 2008-10-17 the condition value is literal', () => {
    const doc = listOwnPrefix('2008-10-17');
    assert.equal(list(doc, { 'aws:username': 'alice', 's3:prefix': 'home/alice/docs' }), 'ImplicitDeny');
    assert.equal(list(doc, { 'aws:username': 'alice', 's3:prefix': 'home/${aws:username}/docs' }), 'Allow');
  });

  test('StringEquals against a tag: ABAC with ${aws:PrincipalTag/team}', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } }],
    };
    const r = 'arn:aws:s3:::bucket/x';
    assert.equal(decide(doc, r, { 'aws:PrincipalTag/team': 'red', 'aws:ResourceTag/team': 'red' }), 'Allow');
    assert.equal(decide(doc, r, { 'aws:PrincipalTag/team': 'red', 'aws:ResourceTag/team': 'blue' }), 'ImplicitDeny');
    // Missing principal tag: the value matches nothing, even an equally missing resource tag.
    assert.equal(decide(doc, r, {}), 'ImplicitDeny');
  });

  test('a value whose variable has no value matches nothing; the other values still count', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': ['${aws:PrincipalTag/team}', 'public'] } } }],
    };
    const r = 'arn:aws:s3:::bucket/x';
    assert.equal(decide(doc, r, { 'aws:ResourceTag/team': 'public' }), 'Allow');
    assert.equal(decide(doc, r, { 'aws:ResourceTag/team': 'red' }), 'ImplicitDeny');
  });

  test('under a negated operator, a value with no variable value matches nothing, so the condition holds', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
        { Effect: 'Deny', Action: 's3:GetObject', Resource: '*', Condition: { StringNotEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } },
      ],
    };
    const r = 'arn:aws:s3:::bucket/x';
    assert.equal(decide(doc, r, { 'aws:PrincipalTag/team': 'red', 'aws:ResourceTag/team': 'red' }), 'Allow');
    assert.equal(decide(doc, r, { 'aws:PrincipalTag/team': 'red', 'aws:ResourceTag/team': 'blue' }), 'ExplicitDeny');
    assert.equal(decide(doc, r, { 'aws:ResourceTag/team': 'red' }), 'ExplicitDeny');
  });

  test("a default value in a condition: ${aws:PrincipalTag/team, 'none'}", () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': "${aws:PrincipalTag/team, 'none'}" } } }],
    };
    const r = 'arn:aws:s3:::bucket/x';
    assert.equal(decide(doc, r, { 'aws:ResourceTag/team': 'none' }), 'Allow');
    assert.equal(decide(doc, r, { 'aws:ResourceTag/team': 'red' }), 'ImplicitDeny');
    assert.equal(decide(doc, r, { 'aws:ResourceTag/team': 'red', 'aws:PrincipalTag/team': 'red' }), 'Allow');
  });

  test('${$} in a condition value is a literal dollar sign', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 's3:prefix': 'cost${$}' } } }],
    };
    const r = 'arn:aws:s3:::bucket/x';
    assert.equal(decide(doc, r, { 's3:prefix': 'cost$' }), 'Allow');
    assert.equal(decide(doc, r, { 's3:prefix': 'cost${$}' }), 'ImplicitDeny');
  });

  test('${?} in StringLike is a literal question mark', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringLike: { 's3:prefix': 'what${?}' } } }],
    };
    const r = 'arn:aws:s3:::bucket/x';
    assert.equal(decide(doc, r, { 's3:prefix': 'what?' }), 'Allow');
    assert.equal(decide(doc, r, { 's3:prefix': 'whats' }), 'ImplicitDeny');
  });

  test('ArnLike with a variable keeps the segment rule and treats the value literally', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'sns:Publish', Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:*:*:${aws:PrincipalAccount}:*' } } },
      ],
    };
    const r = 'arn:aws:sns:us-east-1:111122223333:topic';
    assert.equal(decide(doc, r, { 'aws:PrincipalAccount': '111122223333', 'aws:SourceArn': 'arn:aws:s3:us-east-1:111122223333:thing' }, 'sns:Publish'), 'Allow');
    assert.equal(decide(doc, r, { 'aws:PrincipalAccount': '111122223333', 'aws:SourceArn': 'arn:aws:s3:us-east-1:444455556666:thing' }, 'sns:Publish'), 'ImplicitDeny');
    assert.equal(decide(doc, r, { 'aws:PrincipalAccount': '*', 'aws:SourceArn': 'arn:aws:s3:us-east-1:444455556666:thing' }, 'sns:Publish'), 'ImplicitDeny');
  });
});
