import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hasErrors, validatePolicy, type PolicyFinding } from '../../../src/core/policy/validate.js';
import { POLICY_KINDS, type PolicyKind } from '../../../src/core/policy/types.js';

const kind = fc.constantFrom<PolicyKind>(...POLICY_KINDS);
const SEVERITIES = ['error', 'warning', 'info'];

/** Every finding is well-formed, and errors come before warnings before info. */
function assertWellFormed(fs: unknown): void {
  assert.ok(Array.isArray(fs));
  let last = 0;
  for (const f of fs as PolicyFinding[]) {
    assert.equal(typeof f.id, 'string');
    assert.ok(f.id.length > 0);
    assert.ok(SEVERITIES.includes(f.severity));
    assert.equal(typeof f.code, 'string');
    assert.ok(f.path.startsWith('$'), f.path);
    assert.ok(f.message.length > 0);
    const rank = SEVERITIES.indexOf(f.severity);
    assert.ok(rank >= last, 'findings are ordered by severity');
    last = rank;
  }
}

// Values shaped like policies, so that runs reach the statement and condition checks.
const leaf = fc.oneof(
  fc.constantFrom('*', 'Allow', 'Deny', 'allow', 's3:GetObject', 'sts:AssumeRole', 'arn:aws:s3:::b/*', 'arn:aws:iam::123456789012:root',
    '2012-10-17', '2008-10-17', '${aws:username}', '${', 'a:b:c', '', '123456789012', 'ec2.amazonaws.com', '__proto__', 'true', '10.0.0.0/8'),
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const listOrLeaf = fc.oneof(leaf, fc.array(leaf, { maxLength: 4 }), fc.dictionary(fc.string(), leaf, { maxKeys: 3 }));
const condition = fc.dictionary(
  fc.constantFrom('StringEquals', 'DateGreaterThan', 'ForAnyValue:StringLike', 'NullIfExists', 'IpAddress', 'Bool', 'x', 'numericequals'),
  fc.oneof(fc.dictionary(fc.constantFrom('aws:SourceIp', 'aws:CurrentTime', 'a', 'AWS:username', 'aws:username'), listOrLeaf, { maxKeys: 3 }), leaf),
  { maxKeys: 3 },
);
const statement = fc.oneof(
  fc.record(
    {
      Sid: leaf,
      Effect: leaf,
      Principal: fc.oneof(leaf, fc.dictionary(fc.constantFrom('AWS', 'Service', 'Federated', 'CanonicalUser', 'aws'), listOrLeaf, { maxKeys: 3 })),
      NotPrincipal: listOrLeaf,
      Action: listOrLeaf,
      NotAction: listOrLeaf,
      Resource: listOrLeaf,
      NotResource: listOrLeaf,
      Condition: fc.oneof(condition, leaf),
      Extra: leaf,
    },
    { requiredKeys: [] },
  ),
  leaf,
);
const policyShaped = fc.record(
  { Version: leaf, Id: leaf, Statement: fc.oneof(statement, fc.array(statement, { maxLength: 4 })), Other: leaf },
  { requiredKeys: [] },
);

describe('validatePolicy never throws', () => {
  test('on arbitrary JSON values, as values and as text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), kind, (v, k) => {
        assertWellFormed(validatePolicy(v, k));
        assertWellFormed(validatePolicy(JSON.stringify(v), k));
      }),
      { numRuns: 300 },
    );
  });

  test('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), kind, (s, k) => assertWellFormed(validatePolicy(s, k))),
      { numRuns: 300 },
    );
  });

  test('on anything at all, including non-JSON values', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }), kind,
        (v, k) => assertWellFormed(validatePolicy(v, k))),
      { numRuns: 300 },
    );
  });

  test('on policy-shaped documents', () => {
    fc.assert(
      fc.property(policyShaped, kind, (d, k) => {
        const fs = validatePolicy(d, k);
        assertWellFormed(fs);
        assert.deepEqual(validatePolicy(JSON.stringify(d), k), fs);
      }),
      { numRuns: 1000 },
    );
  });

  test('on arbitrary options and kinds', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.anything(), fc.anything(), (d, k, o) => {
        assertWellFormed(validatePolicy(d, k as PolicyKind, o as never));
      }),
      { numRuns: 300 },
    );
    const hostile = new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } });
    assertWellFormed(validatePolicy('{}', 'identity', hostile as never));
    assertWellFormed(validatePolicy('{}', hostile as never, null as never));
  });

  test('on values that throw or loop when serialised', () => {
    const cyclic: Record<string, unknown> = { Version: '2012-10-17' };
    cyclic.Statement = cyclic;
    const throwing = { toJSON() { throw new Error('boom'); } };
    const getter = Object.defineProperty({}, 'Statement', { enumerable: true, get() { throw new Error('no'); } });
    const proxy = new Proxy({}, { ownKeys() { throw new Error('trap'); } });
    for (const v of [cyclic, throwing, getter, proxy, undefined, () => 1, Symbol('s'), 10n]) {
      for (const k of POLICY_KINDS) {
        const fs = validatePolicy(v, k);
        assertWellFormed(fs);
        assert.ok(hasErrors(fs));
      }
    }
  });
});

describe('validatePolicy runs in bounded time', () => {
  const within = (ms: number, fn: () => void): void => {
    const start = performance.now();
    fn();
    const took = performance.now() - start;
    assert.ok(took < ms, `took ${took.toFixed(0)} ms`);
  };

  test('100,000 levels of nested arrays as text', () => {
    const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    within(2000, () => assertWellFormed(validatePolicy(text, 'identity')));
  });

  test('100,000 levels of nested objects, as text and as a value', () => {
    const text = `${'{"Statement":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    within(2000, () => {
      const fs = validatePolicy(text, 'identity');
      assertWellFormed(fs);
      assert.ok(hasErrors(fs));
    });
    const value = JSON.parse(text) as unknown;
    within(2000, () => assert.ok(hasErrors(validatePolicy(value, 'resource'))));
  });

  test('unbalanced deep nesting and runaway strings', () => {
    within(2000, () => assertWellFormed(validatePolicy('['.repeat(500_000), 'trust')));
    within(2000, () => assertWellFormed(validatePolicy(`{"Version":"${'\\'.repeat(300_000)}`, 'scp')));
  });

  test('a 1 MB document with many statements and findings', () => {
    const statements = Array.from({ length: 6000 }, (_, i) => ({
      Sid: `S${i % 100}`,
      Effect: i % 7 === 0 ? 'allow' : 'Allow',
      Action: ['s3:GetObject', `bad${i}`, 'ec2:Describe*'],
      Resource: [`arn:aws:s3:::bucket-${i}/*`, 'not-an-arn'],
      Condition: { StringEquals: { 'aws:PrincipalTag/team': ['a', 'b'] }, DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
    }));
    const text = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    assert.ok(text.length > 1_000_000, `${text.length}`);
    within(3000, () => {
      const fs = validatePolicy(text, 'identity');
      assertWellFormed(fs);
      assert.ok(fs.length <= 1001);
      assert.equal(fs.at(-1)?.id, 'VAL-TRUNCATED');
    });
  });

  test('a document over the parse limit gets a size finding without being parsed', () => {
    const text = `{"Version":"2012-10-17","Statement":[${'{},'.repeat(1_000_000)}{}]}`;
    within(2000, () => {
      const fs = validatePolicy(text, 'identity');
      assert.deepEqual(fs.map((f) => f.id), ['SYN-SIZE', 'SYN-SIZE']);
      assert.equal(fs[0].code, 'LimitExceeded');
    });
  });
});

describe('properties of valid documents', () => {
  const action = fc.tuple(fc.constantFrom('s3', 'ec2', 'iam', 'dynamodb'), fc.stringMatching(/^[A-Za-z*?]{1,12}$/)).map(([v, a]) => `${v}:${a}`);
  const resource = fc.oneof(
    fc.constant('*'),
    fc.stringMatching(/^[a-z0-9-]{3,20}$/).map((b) => `arn:aws:s3:::${b}/*`),
    fc.stringMatching(/^[A-Za-z0-9]{1,20}$/).map((n) => `arn:aws:iam::123456789012:role/${n}`),
  );
  const validStatement = fc.record({
    Effect: fc.constantFrom('Allow', 'Deny'),
    Action: fc.oneof(action, fc.array(action, { minLength: 1, maxLength: 5 })),
    Resource: fc.oneof(resource, fc.array(resource, { minLength: 1, maxLength: 5 })),
  });
  const validPolicy = fc.array(validStatement, { minLength: 1, maxLength: 5 }).map((s) => ({ Version: '2012-10-17', Statement: s }));

  test('generated identity policies are valid, however they are indented', () => {
    fc.assert(
      fc.property(validPolicy, fc.integer({ min: 0, max: 10 }), (p, indent) => {
        assert.equal(hasErrors(validatePolicy(JSON.stringify(p, null, indent), 'identity')), false);
        assert.equal(hasErrors(validatePolicy(p, 'boundary')), false);
      }),
      { numRuns: 300 },
    );
  });

  test('adding a Principal to a valid identity policy is always an error', () => {
    fc.assert(
      fc.property(validPolicy, (p) => {
        const withPrincipal = { ...p, Statement: p.Statement.map((s) => ({ ...s, Principal: '*' })) };
        const fs = validatePolicy(withPrincipal, 'identity');
        assert.equal(fs.filter((f) => f.message === 'Policy document should not specify a principal.').length, p.Statement.length);
      }),
      { numRuns: 200 },
    );
  });
});
