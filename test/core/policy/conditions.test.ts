import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicy } from '../../../src/core/policy/compile.js';
import { compileCondition, CONDITION_OPERATORS, parseOperator } from '../../../src/core/policy/conditions.js';
import { evaluate } from '../../../src/core/policy/evaluate.js';
import { RequestScope } from '../../../src/core/policy/request-scope.js';
import type { ContextValue } from '../../../src/core/policy/request.js';

/**
 * Condition operators as "IAM JSON policy elements: Condition operators" (IAM User Guide) describes
 * them. Each check compiles one (operator, key, values) triple and evaluates it against a request
 * context in which only the listed keys are present.
 */

type Raw = string | number | boolean | (string | number | boolean)[];

function holds(operator: string, key: string, values: Raw, context: Record<string, ContextValue> = {}): boolean {
  const c = compileCondition(operator, key, values, true);
  assert.ok(c, `operator ${operator} should compile`);
  return c.evaluate(new RequestScope({ principal: 'arn:aws:iam::111122223333:user/alice', action: 's3:GetObject', resource: '*', context }));
}

/** The condition against a single-valued key `k`, or with `k` absent when `value` is undefined. */
function on(operator: string, values: Raw, value: ContextValue | undefined): boolean {
  return holds(operator, 'k', values, value === undefined ? {} : { k: value });
}

describe('parseOperator', () => {
  test('splits set operators and IfExists', () => {
    assert.deepEqual(
      { ...parseOperator('ForAnyValue:StringLikeIfExists'), spec: undefined },
      { name: 'ForAnyValue:StringLikeIfExists', set: 'any', ifExists: true, spec: undefined },
    );
    assert.equal(parseOperator('ForAnyValue:StringLikeIfExists')?.spec?.family, 'stringLike');
    assert.equal(parseOperator('ForAllValues:StringEquals')?.set, 'all');
    assert.equal(parseOperator('StringEquals')?.set, 'none');
    assert.equal(parseOperator('StringEquals')?.ifExists, false);
    assert.equal(parseOperator('NumericLessThanIfExists')?.spec?.compare, 'lt');
    assert.equal(parseOperator('ArnNotLike')?.spec?.negated, true);
  });

  test('Null takes no IfExists suffix ("You can add IfExists to the end of any condition operator name except the Null condition")', () => {
    assert.ok(parseOperator('Null'));
    assert.equal(parseOperator('Null')?.spec, undefined);
    assert.equal(parseOperator('NullIfExists'), undefined);
  });

  test('unknown operators are rejected and never compile', () => {
    for (const bad of ['StringEqual', 'IfExists', 'ForAllValues:', 'ForSomeValues:StringEquals', 'StringEqualsIfExistsIfExists', 'toString', '__proto__', 'constructor', '']) {
      assert.equal(parseOperator(bad), undefined, bad);
      assert.equal(compileCondition(bad, 'k', 'v', true), undefined, bad);
    }
  });

  test('every listed operator parses, with and without IfExists and set prefixes', () => {
    for (const op of CONDITION_OPERATORS) {
      assert.ok(parseOperator(op), op);
      assert.ok(parseOperator(`ForAllValues:${op}`), `ForAllValues:${op}`);
      assert.ok(parseOperator(`ForAnyValue:${op}`), `ForAnyValue:${op}`);
      if (op !== 'Null') assert.ok(parseOperator(`${op}IfExists`), `${op}IfExists`);
    }
  });
});

describe('String operators', () => {
  test('StringEquals is exact and case-sensitive', () => {
    assert.equal(on('StringEquals', 'alice', 'alice'), true);
    assert.equal(on('StringEquals', 'alice', 'Alice'), false);
    assert.equal(on('StringEquals', 'alice', 'alice2'), false);
    assert.equal(on('StringEquals', 'ali*', 'alice'), false, 'no wildcards in StringEquals');
    assert.equal(on('StringEquals', 'ali*', 'ali*'), true);
  });

  test('several values of one key are ORed', () => {
    assert.equal(on('StringEquals', ['bob', 'alice'], 'alice'), true);
    assert.equal(on('StringEquals', ['bob', 'carol'], 'alice'), false);
  });

  test('StringNotEquals: true when no value matches', () => {
    assert.equal(on('StringNotEquals', 'alice', 'bob'), true);
    assert.equal(on('StringNotEquals', 'alice', 'alice'), false);
    assert.equal(on('StringNotEquals', ['alice', 'bob'], 'bob'), false, 'negation of the OR: NOR');
    assert.equal(on('StringNotEquals', ['alice', 'bob'], 'carol'), true);
  });

  test('StringEqualsIgnoreCase / StringNotEqualsIgnoreCase', () => {
    assert.equal(on('StringEqualsIgnoreCase', 'ALICE', 'alice'), true);
    assert.equal(on('StringEqualsIgnoreCase', 'alice', 'AlIcE'), true);
    assert.equal(on('StringEqualsIgnoreCase', 'alice', 'bob'), false);
    assert.equal(on('StringNotEqualsIgnoreCase', 'ALICE', 'alice'), false);
    assert.equal(on('StringNotEqualsIgnoreCase', 'ALICE', 'bob'), true);
  });

  test('StringLike: * any run of characters, ? exactly one', () => {
    assert.equal(on('StringLike', 'home/alice/*', 'home/alice/docs/a.txt'), true);
    assert.equal(on('StringLike', 'home/alice/*', 'home/alice/'), true);
    assert.equal(on('StringLike', 'home/alice/*', 'home/bob/a.txt'), false);
    assert.equal(on('StringLike', 'file?.txt', 'file1.txt'), true);
    assert.equal(on('StringLike', 'file?.txt', 'file.txt'), false);
    assert.equal(on('StringLike', 'file?.txt', 'file12.txt'), false);
    assert.equal(on('StringLike', '*', ''), true);
  });

  test('StringLike is case-sensitive and without wildcards is exact', () => {
    assert.equal(on('StringLike', 'Home/*', 'home/x'), false);
    assert.equal(on('StringLike', 'home', 'home'), true);
    assert.equal(on('StringLike', 'home', 'homes'), false);
  });

  test('StringNotLike', () => {
    assert.equal(on('StringNotLike', ['a*', 'b*'], 'cat'), true);
    assert.equal(on('StringNotLike', ['a*', 'b*'], 'bat'), false);
  });

  test('numbers and booleans written as JSON values compare as their text', () => {
    assert.equal(on('StringEquals', 5, '5'), true);
    assert.equal(on('StringEquals', true, 'true'), true);
  });
});

describe('Numeric operators', () => {
  test('NumericEquals compares numbers, not text', () => {
    assert.equal(on('NumericEquals', '10', '10'), true);
    assert.equal(on('NumericEquals', '10', '10.0'), true);
    assert.equal(on('NumericEquals', '10', '010'), true);
    assert.equal(on('NumericEquals', 10, '10'), true);
    assert.equal(on('NumericEquals', '10', '11'), false);
  });

  test('NumericNotEquals', () => {
    assert.equal(on('NumericNotEquals', '10', '11'), true);
    assert.equal(on('NumericNotEquals', '10', '10.0'), false);
  });

  test('less / greater, with and without equality', () => {
    assert.equal(on('NumericLessThan', '10', '9'), true);
    assert.equal(on('NumericLessThan', '10', '10'), false);
    assert.equal(on('NumericLessThanEquals', '10', '10'), true);
    assert.equal(on('NumericLessThanEquals', '10', '10.5'), false);
    assert.equal(on('NumericGreaterThan', '10', '11'), true);
    assert.equal(on('NumericGreaterThan', '10', '10'), false);
    assert.equal(on('NumericGreaterThanEquals', '10', '10'), true);
    assert.equal(on('NumericGreaterThanEquals', '10', '9.99'), false);
  });

  test('negative and decimal numbers; the context value is the left operand', () => {
    assert.equal(on('NumericLessThan', '0', '-1.5'), true);
    assert.equal(on('NumericGreaterThan', '-2', '-1.5'), true);
    assert.equal(on('NumericLessThan', '0.5', '0.25'), true);
  });

  test('a context value that is not a number matches nothing', () => {
    assert.equal(on('NumericEquals', '10', 'ten'), false);
    assert.equal(on('NumericLessThan', '10', ''), false);
  });

  test('a policy value that is not a number matches nothing', () => {
    assert.equal(on('NumericEquals', 'ten', '10'), false);
    assert.equal(on('NumericEquals', ['ten', '10'], '10'), true);
  });
});

describe('Date operators', () => {
  test('ISO 8601 dates and times', () => {
    assert.equal(on('DateGreaterThan', '2020-01-01T00:00:00Z', '2020-06-01T00:00:00Z'), true);
    assert.equal(on('DateGreaterThan', '2020-01-01T00:00:00Z', '2019-12-31T23:59:59Z'), false);
    assert.equal(on('DateLessThan', '2020-01-01T00:00:00Z', '2019-12-31T23:59:59Z'), true);
    assert.equal(on('DateLessThan', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'), false);
    assert.equal(on('DateLessThanEquals', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'), true);
    assert.equal(on('DateGreaterThanEquals', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'), true);
    assert.equal(on('DateEquals', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00.000Z'), true);
    assert.equal(on('DateNotEquals', '2020-01-01T00:00:00Z', '2020-01-01T00:00:01Z'), true);
    assert.equal(on('DateNotEquals', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'), false);
  });

  test('a date without a time, and a time with an offset, name the same instant as their UTC form', () => {
    assert.equal(on('DateEquals', '2020-01-01', '2020-01-01T00:00:00Z'), true);
    assert.equal(on('DateEquals', '2020-01-01T01:00:00+01:00', '2020-01-01T00:00:00Z'), true);
    assert.equal(on('DateLessThan', '2020-01-01T00:00:00-05:00', '2020-01-01T04:59:59Z'), true);
  });

  test('epoch seconds on either side compare with ISO 8601 dates', () => {
    // 1577836800 = 2020-01-01T00:00:00Z
    assert.equal(on('DateEquals', '1577836800', '2020-01-01T00:00:00Z'), true);
    assert.equal(on('DateEquals', 1577836800, '2020-01-01T00:00:00Z'), true);
    assert.equal(on('DateEquals', '2020-01-01T00:00:00Z', '1577836800'), true);
    assert.equal(on('DateLessThan', '1577836800', '1577836799'), true);
    assert.equal(on('DateGreaterThan', '1577836800', '2020-01-01T00:00:01Z'), true);
  });

  test('an unparseable date matches nothing', () => {
    assert.equal(on('DateGreaterThan', '2020-01-01T00:00:00Z', 'yesterday'), false);
    assert.equal(on('DateEquals', 'not a date', '2020-01-01T00:00:00Z'), false);
  });
});

describe('Bool', () => {
  test('compares true / false', () => {
    assert.equal(on('Bool', 'true', 'true'), true);
    assert.equal(on('Bool', 'true', 'false'), false);
    assert.equal(on('Bool', 'false', 'false'), true);
    assert.equal(on('Bool', true, 'true'), true, 'a JSON boolean in the policy');
    assert.equal(on('Bool', false, 'true'), false);
  });

  test('aws:SecureTransport deny pattern', () => {
    assert.equal(holds('Bool', 'aws:SecureTransport', 'false', { 'aws:SecureTransport': 'false' }), true);
    assert.equal(holds('Bool', 'aws:SecureTransport', 'false', { 'aws:SecureTransport': 'true' }), false);
    assert.equal(holds('Bool', 'aws:SecureTransport', 'false', {}), false);
  });

  test('BoolIfExists: absent key is true (aws:MultiFactorAuthPresent with long-term keys)', () => {
    assert.equal(holds('BoolIfExists', 'aws:MultiFactorAuthPresent', 'false', {}), true);
    assert.equal(holds('BoolIfExists', 'aws:MultiFactorAuthPresent', 'false', { 'aws:MultiFactorAuthPresent': 'true' }), false);
    assert.equal(holds('BoolIfExists', 'aws:MultiFactorAuthPresent', 'false', { 'aws:MultiFactorAuthPresent': 'false' }), true);
  });
});

describe('BinaryEquals', () => {
  // The operator documentation's example value.
  const value = 'QmluYXJ5VmFsdWVJbkJhc2U2NA==';

  test('compares base64-encoded values', () => {
    assert.equal(on('BinaryEquals', value, value), true);
    assert.equal(on('BinaryEquals', value, Buffer.from('BinaryValueInBase65').toString('base64')), false);
  });

  test('compares the decoded bytes, not the base64 text', () => {
    assert.equal(Buffer.from(value, 'base64').toString(), 'BinaryValueInBase64');
    assert.equal(on('BinaryEquals', value, 'QmluYXJ5VmFsdWVJbkJhc2U2NA'), true, 'same bytes without padding');
  });

  test('a value that is not base64 matches nothing', () => {
    assert.equal(on('BinaryEquals', value, '%%%'), false);
    assert.equal(on('BinaryEquals', '%%%', value), false);
  });
});

describe('IpAddress / NotIpAddress', () => {
  test('IPv4 CIDR blocks', () => {
    assert.equal(holds('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.113.7' }), true);
    assert.equal(holds('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '198.51.100.7' }), false);
  });

  test('a bare address is a /32', () => {
    assert.equal(on('IpAddress', '203.0.113.5', '203.0.113.5'), true);
    assert.equal(on('IpAddress', '203.0.113.5', '203.0.113.6'), false);
  });

  test('IPv6 blocks, written in any case', () => {
    assert.equal(on('IpAddress', '2001:DB8:1234:5678::/64', '2001:db8:1234:5678::abcd'), true);
    assert.equal(on('IpAddress', '2001:DB8:1234:5678::/64', '2001:db8:1234:5679::abcd'), false);
    assert.equal(on('IpAddress', '2001:db8::1', '2001:DB8:0:0:0:0:0:1'), true, 'a bare IPv6 address is a /128');
  });

  test('a list may mix IPv4 and IPv6 blocks', () => {
    const blocks = ['203.0.113.0/24', '2001:DB8:1234:5678::/64'];
    assert.equal(on('IpAddress', blocks, '203.0.113.9'), true);
    assert.equal(on('IpAddress', blocks, '2001:db8:1234:5678::9'), true);
    assert.equal(on('IpAddress', blocks, '198.51.100.1'), false);
  });

  test('NotIpAddress', () => {
    assert.equal(on('NotIpAddress', '203.0.113.0/24', '198.51.100.1'), true);
    assert.equal(on('NotIpAddress', '203.0.113.0/24', '203.0.113.1'), false);
    assert.equal(on('NotIpAddress', ['203.0.113.0/24', '198.51.100.0/24'], '198.51.100.1'), false);
  });

  test('an unparseable address or block matches nothing', () => {
    assert.equal(on('IpAddress', '203.0.113.0/24', 'not-an-ip'), false);
    assert.equal(on('IpAddress', 'not-a-block', '203.0.113.1'), false);
  });
});

describe('ARN operators', () => {
  const SOURCE = 'arn:aws:sns:us-east-1:111122223333:my-topic';

  test('ArnEquals and ArnLike compare segment by segment, with wildcards', () => {
    for (const op of ['ArnEquals', 'ArnLike']) {
      assert.equal(holds(op, 'aws:SourceArn', SOURCE, { 'aws:SourceArn': SOURCE }), true, op);
      assert.equal(holds(op, 'aws:SourceArn', 'arn:aws:sns:*:111122223333:*', { 'aws:SourceArn': SOURCE }), true, op);
      assert.equal(holds(op, 'aws:SourceArn', 'arn:aws:sns:*:444455556666:*', { 'aws:SourceArn': SOURCE }), false, op);
      assert.equal(holds(op, 'aws:SourceArn', 'arn:aws:sns:us-east-?:111122223333:my-topic', { 'aws:SourceArn': SOURCE }), true, op);
    }
  });

  test('matching is case-sensitive', () => {
    assert.equal(on('ArnLike', 'arn:aws:iam::*:role/admin', 'arn:aws:iam::111122223333:role/Admin'), false);
  });

  test('a wildcard does not cross ":" in the first five segments', () => {
    const instance = 'arn:aws:ec2:us-east-1:111122223333:instance/i-1';
    assert.equal(on('ArnLike', 'arn:aws:*:111122223333:instance/*', instance), false);
    assert.equal(on('ArnLike', 'arn:aws:*:*:111122223333:instance/*', instance), true);
    assert.equal(on('ArnLike', 'arn:aws:iam::*:role/Admin', 'arn:aws:iam::111122223333:x:role/Admin'), false);
  });

  test('a wildcard in the resource segment spans colons and slashes', () => {
    assert.equal(on('ArnLike', 'arn:aws:logs:*:*:log-group:app:*', 'arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:a/b'), true);
  });

  test('ArnNotEquals / ArnNotLike', () => {
    assert.equal(on('ArnNotLike', 'arn:aws:iam::*:role/Admin*', 'arn:aws:iam::111122223333:role/Dev'), true);
    assert.equal(on('ArnNotLike', 'arn:aws:iam::*:role/Admin*', 'arn:aws:iam::111122223333:role/AdminX'), false);
    assert.equal(on('ArnNotEquals', 'arn:aws:iam::111122223333:role/Admin', 'arn:aws:iam::111122223333:role/Dev'), true);
    assert.equal(on('ArnNotEquals', 'arn:aws:iam::111122223333:role/Admin', 'arn:aws:iam::111122223333:role/Admin'), false);
  });
});

describe('Null', () => {
  test('"true": the key is absent', () => {
    assert.equal(on('Null', 'true', undefined), true);
    assert.equal(on('Null', 'true', 'x'), false);
    assert.equal(on('Null', true, undefined), true);
  });

  test('"false": the key is present', () => {
    assert.equal(on('Null', 'false', 'x'), true);
    assert.equal(on('Null', 'false', undefined), false);
    assert.equal(on('Null', false, 'x'), true);
  });

  test('a multivalued key with values is present; an empty set is absent', () => {
    assert.equal(on('Null', 'false', ['a', 'b']), true);
    assert.equal(on('Null', 'true', []), true);
    assert.equal(on('Null', 'false', []), false);
  });
});

describe('absent keys', () => {
  test('positive operators are false', () => {
    const cases: [string, Raw][] = [
      ['StringEquals', 'a'],
      ['StringEqualsIgnoreCase', 'a'],
      ['StringLike', '*'],
      ['NumericEquals', '1'],
      ['NumericLessThan', '1'],
      ['NumericGreaterThanEquals', '1'],
      ['DateEquals', '2020-01-01T00:00:00Z'],
      ['DateLessThan', '2020-01-01T00:00:00Z'],
      ['Bool', 'true'],
      ['BinaryEquals', 'QQ=='],
      ['IpAddress', '0.0.0.0/0'],
      ['ArnEquals', 'arn:aws:iam::111122223333:role/x'],
      ['ArnLike', '*'],
    ];
    for (const [op, v] of cases) assert.equal(on(op, v, undefined), false, op);
  });

  test('negated operators are true ("If the policy condition requires that the key is not matched ... and the right key is not present, the condition is true")', () => {
    const cases: [string, Raw][] = [
      ['StringNotEquals', 'a'],
      ['StringNotEqualsIgnoreCase', 'a'],
      ['StringNotLike', '*'],
      ['NumericNotEquals', '1'],
      ['DateNotEquals', '2020-01-01T00:00:00Z'],
      ['NotIpAddress', '0.0.0.0/0'],
      ['ArnNotEquals', 'arn:aws:iam::111122223333:role/x'],
      ['ArnNotLike', '*'],
    ];
    for (const [op, v] of cases) assert.equal(on(op, v, undefined), true, op);
  });

  test('...IfExists is true for every operator', () => {
    for (const op of CONDITION_OPERATORS) {
      if (op === 'Null') continue;
      assert.equal(on(`${op}IfExists`, 'x', undefined), true, `${op}IfExists`);
    }
  });
});

describe('...IfExists on present keys behaves like the base operator', () => {
  test('string', () => {
    assert.equal(on('StringEqualsIfExists', 't2.micro', 't2.micro'), true);
    assert.equal(on('StringEqualsIfExists', 't2.micro', 'm5.large'), false);
    assert.equal(on('StringLikeIfExists', 't2.*', 't2.small'), true);
    assert.equal(on('StringNotEqualsIfExists', 'a', 'a'), false);
    assert.equal(on('StringNotEqualsIfExists', 'a', 'b'), true);
  });

  test('numeric, date, IP and ARN', () => {
    assert.equal(on('NumericLessThanIfExists', '10', '5'), true);
    assert.equal(on('NumericLessThanIfExists', '10', '50'), false);
    assert.equal(on('DateGreaterThanIfExists', '2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z'), true);
    assert.equal(on('DateGreaterThanIfExists', '2020-01-01T00:00:00Z', '2019-01-01T00:00:00Z'), false);
    assert.equal(on('IpAddressIfExists', '10.0.0.0/8', '10.1.2.3'), true);
    assert.equal(on('IpAddressIfExists', '10.0.0.0/8', '11.1.2.3'), false);
    assert.equal(on('ArnLikeIfExists', 'arn:aws:iam::*:role/*', 'arn:aws:iam::111122223333:user/x'), false);
  });
});

describe('set operators: ForAllValues / ForAnyValue', () => {
  const TAGS = 'aws:TagKeys';
  const tags = (v?: ContextValue): Record<string, ContextValue> => (v === undefined ? {} : { [TAGS]: v });

  test('ForAllValues: every request value must match some policy value', () => {
    assert.equal(holds('ForAllValues:StringEquals', TAGS, ['environment', 'cost-center'], tags(['environment'])), true);
    assert.equal(holds('ForAllValues:StringEquals', TAGS, ['environment', 'cost-center'], tags(['environment', 'cost-center'])), true);
    assert.equal(holds('ForAllValues:StringEquals', TAGS, ['environment', 'cost-center'], tags(['environment', 'owner'])), false);
    assert.equal(holds('ForAllValues:StringLike', TAGS, ['key1*', 'key2*'], tags(['key1-a', 'key2-b'])), true);
    assert.equal(holds('ForAllValues:StringLike', TAGS, ['key1*'], tags(['Key1-a'])), false, 'still case-sensitive');
  });

  test('ForAllValues is true on an absent key and on an empty set', () => {
    assert.equal(holds('ForAllValues:StringEquals', TAGS, ['environment'], tags()), true);
    assert.equal(holds('ForAllValues:StringEquals', TAGS, ['environment'], tags([])), true);
  });

  test(
    'ForAllValues is true when the value resolves to a null data set such as an empty string',
    () => {
      assert.equal(holds('ForAllValues:StringLike', TAGS, ['key1*'], tags('')), true);
    },
  );

  test('ForAnyValue: at least one request value must match', () => {
    assert.equal(holds('ForAnyValue:StringEquals', TAGS, ['environment', 'webserver'], tags(['owner', 'webserver'])), true);
    assert.equal(holds('ForAnyValue:StringEquals', TAGS, ['environment', 'webserver'], tags(['owner'])), false);
  });

  test('ForAnyValue is false on an absent key and on an empty set', () => {
    assert.equal(holds('ForAnyValue:StringEquals', TAGS, ['environment'], tags()), false);
    assert.equal(holds('ForAnyValue:StringEquals', TAGS, ['environment'], tags([])), false);
  });

  test('a single-valued context is a one-element set', () => {
    assert.equal(holds('ForAllValues:StringEquals', TAGS, ['a', 'b'], tags('a')), true);
    assert.equal(holds('ForAnyValue:StringEquals', TAGS, ['a', 'b'], tags('c')), false);
  });

  test('negated operators apply per request value', () => {
    // Every request value matches none of the policy values.
    assert.equal(holds('ForAllValues:StringNotEquals', TAGS, ['secret'], tags(['a', 'b'])), true);
    assert.equal(holds('ForAllValues:StringNotEquals', TAGS, ['secret'], tags(['a', 'secret'])), false);
    // Some request value matches none of the policy values.
    assert.equal(holds('ForAnyValue:StringNotEquals', TAGS, ['a'], tags(['a', 'c'])), true);
    assert.equal(holds('ForAnyValue:StringNotEquals', TAGS, ['a'], tags(['a'])), false);
    // The doc example: deny unless every tag key is one of the allowed ones.
    assert.equal(holds('ForAllValues:StringNotLike', TAGS, ['key1*'], tags(['other'])), true);
    assert.equal(holds('ForAllValues:StringNotLike', TAGS, ['key1*'], tags(['key1-x'])), false);
  });

  test('set operators over other families', () => {
    assert.equal(holds('ForAnyValue:NumericLessThan', 'k', '5', { k: ['7', '3'] }), true);
    assert.equal(holds('ForAllValues:NumericLessThan', 'k', '5', { k: ['7', '3'] }), false);
    assert.equal(holds('ForAnyValue:ArnLike', 'k', 'arn:aws:iam::*:role/*', { k: ['arn:aws:iam::1:user/u', 'arn:aws:iam::1:role/r'] }), true);
    assert.equal(holds('ForAllValues:IpAddress', 'k', '10.0.0.0/8', { k: ['10.0.0.1', '10.9.9.9'] }), true);
  });

  test('ForAnyValue with IfExists on an absent key is true', () => {
    assert.equal(holds('ForAnyValue:StringEqualsIfExists', TAGS, ['a'], tags()), true);
  });
});

describe('key names are case-insensitive, values are not', () => {
  test('policy key spelled differently from the context key', () => {
    assert.equal(holds('IpAddress', 'AWS:SourceIP', '203.0.113.0/24', { 'aws:SourceIp': '203.0.113.7' }), true);
    assert.equal(holds('StringEquals', 'aws:principaltag/Team', 'red', { 'aws:PrincipalTag/team': 'red' }), true);
    assert.equal(holds('StringEquals', 'aws:username', 'alice', { 'AWS:USERNAME': 'alice' }), true);
    assert.equal(holds('Null', 'AWS:TokenIssueTime', 'false', { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' }), true);
    assert.equal(holds('StringEquals', 'aws:username', 'alice', { 'aws:username': 'ALICE' }), false);
  });
});

describe('conditions inside statements', () => {
  const ALICE = 'arn:aws:iam::111122223333:user/alice';
  const decide = (condition: unknown, context: Record<string, ContextValue>) =>
    evaluate(
      { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context },
      { identity: [compilePolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: condition } }, { id: 'p', layer: 'identity' })] },
    ).decision;

  test('keys of one operator and several operators are ANDed', () => {
    const condition = {
      StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalTag/team': 'red' },
      Bool: { 'aws:SecureTransport': 'true' },
    };
    const all = { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalTag/team': 'red', 'aws:SecureTransport': 'true' };
    assert.equal(decide(condition, all), 'Allow');
    assert.equal(decide(condition, { ...all, 'aws:SecureTransport': 'false' }), 'ImplicitDeny');
    assert.equal(decide(condition, { ...all, 'aws:PrincipalTag/team': 'blue' }), 'ImplicitDeny');
  });

  test('an empty condition block holds', () => {
    assert.equal(decide({}, {}), 'Allow');
  });

  test('an unknown operator makes the statement grant nothing', () => {
    assert.equal(decide({ StringEqualz: { k: 'v' } }, { k: 'v' }), 'ImplicitDeny');
  });
});
