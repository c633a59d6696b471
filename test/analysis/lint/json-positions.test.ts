import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonPositions, positionOf, withAncestors } from '../../../src/analysis/lint/json-positions.js';
import { lintPolicy } from '../../../src/analysis/lint/index.js';

/** The 1-based line and column of the first occurrence of `needle` in `text`. */
function where(text: string, needle: string, nth = 0): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not in text`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

const POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "arn:aws:s3:::b/*",
      "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1", "it's \\"odd\\"": ["x", "y"]}}
    },
    {"Effect": "Deny", "Action": "*", "Resource": "*"}
  ]
}`;

describe('jsonPositions', () => {
  const positions = jsonPositions(POLICY);

  test('maps values in arrays, objects and keys with odd characters to their first character', () => {
    assert.deepEqual(positionOf(positions, '$'), { line: 1, column: 1 });
    assert.deepEqual(positionOf(positions, '$.Statement[0].Action[1]'), where(POLICY, '"s3:PutObject"'));
    assert.deepEqual(positionOf(positions, '$.Statement[0].Resource'), where(POLICY, '"arn:aws:s3:::b/*"'));
    assert.deepEqual(positionOf(positions, "$.Statement[0].Condition.StringEquals['aws:SourceVpc']"), where(POLICY, '"vpc-1"'));
    assert.deepEqual(positionOf(positions, "$.Statement[0].Condition.StringEquals['it\\'s \"odd\"'][1]"), where(POLICY, '"y"'));
    assert.deepEqual(positionOf(positions, '$.Statement[1]'), where(POLICY, '{"Effect": "Deny"'));
    assert.deepEqual(positionOf(positions, '$.Statement[1].Action'), where(POLICY, '"*"'));
  });

  test('a path without a value of its own falls back to its nearest ancestor', () => {
    assert.deepEqual(positionOf(positions, '$.Statement[0].Sid'), where(POLICY, '{\n      "Effect"'));
    assert.deepEqual(positionOf(positions, '$.Statement[7].Action'), where(POLICY, '[\n    {'));
  });

  test('with wanted paths, skips everything else and still counts lines', () => {
    const wanted = withAncestors(['$.Statement[1].Resource']);
    const some = jsonPositions(POLICY, wanted);
    assert.deepEqual(some.get('$.Statement[1].Resource'), positions.get('$.Statement[1].Resource'));
    assert.equal(some.has('$.Statement[0].Action[0]'), false);
  });

  test('a repeated key maps to the last value, as JSON.parse keeps it', () => {
    const text = '{"a": 1,\n "a": [2, 3]}';
    assert.deepEqual(jsonPositions(text).get('$.a[1]'), { line: 2, column: 11 });
  });

  test('invalid JSON is mapped up to the error, without throwing', () => {
    const text = '{"Statement": [{"Action": "s3:GetObject",, ]}';
    assert.deepEqual(jsonPositions(text).get('$.Statement[0].Action'), { line: 1, column: 27 });
    fc.assert(fc.property(fc.string(), (s) => void jsonPositions(s)));
  });

  test('every value of any JSON document gets the position where its text starts', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        const lines = text.split('\n');
        for (const [path, pos] of jsonPositions(text)) {
          const rest = lines[pos.line - 1].slice(pos.column - 1);
          assert.match(rest, /^["{[\-0-9tfn]/, `${path} at ${pos.line}:${pos.column}`);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('lintPolicy positions', () => {
  test('findings carry the line and column of the value they name', () => {
    const text = POLICY.replace('"s3:PutObject"', '"s3:PutObjekt"');
    const f = lintPolicy(text, { kind: 'identity' }).find((x) => x.id === 'REF-ACTION');
    assert.ok(f);
    assert.equal(f.path, '$.Statement[0].Action[1]');
    assert.deepEqual({ line: f.line, column: f.column }, where(text, '"s3:PutObjekt"'));
  });

  test('a JSON syntax error is placed where parsing stopped', () => {
    const text = '{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "Allow" ]\n}';
    const [f] = lintPolicy(text, { kind: 'identity' });
    assert.equal(f.id, 'SYN-JSON');
    assert.equal(f.line, 3);
  });

  test('a parsed document gets no positions', () => {
    const findings = lintPolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObjekt', Resource: '*' } }, { kind: 'identity' });
    const f = findings.find((x) => x.id === 'REF-ACTION');
    assert.equal(f?.path, '$.Statement.Action');
    assert.equal(f?.line, undefined);
  });
});
