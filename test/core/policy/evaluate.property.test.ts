import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compilePolicy, type CompiledPolicy } from '../../../src/core/policy/compile.js';
import { evaluate, type PolicySets } from '../../../src/core/policy/evaluate.js';
import { RequestScope } from '../../../src/core/policy/request-scope.js';
import type { AuthzRequest, ContextValue } from '../../../src/core/policy/request.js';
import type { PolicyLayer } from '../../../src/core/policy/types.js';

/**
 * Properties of the evaluation logic over random small policies: Deny only ever takes away,
 * Allow only ever adds, evaluation is deterministic (also with the compiled policies' per-action
 * caches warmed by other requests), and compilation never throws.
 */

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const USER = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Dev`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/Dev/s1`;
const FEDERATED = `arn:aws:sts::${ACCOUNT}:federated-user/fed`;

// ---------------------------------------------------------------------------------------------
// Generators

type Doc = Record<string, unknown>;

const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 'ec2:RunInstances', 'iam:CreateUser'];
/** Actions whose resource policy (trust policy, key policy) must allow. */
const EXPLICIT_ACTIONS = ['sts:AssumeRole', 'kms:Decrypt'];
const ACTION_PATTERNS = ['s3:GetObject', 's3:Put*', 's3:*', 's3:*', 'ec2:*', '*', '*', 's3:?etObject', 'iam:Create*', 'S3:getobject', 'sts:AssumeRole', 'kms:*'];
const RESOURCES = [
  'arn:aws:s3:::bucket/a.txt',
  'arn:aws:s3:::bucket/alice/b.txt',
  'arn:aws:s3:::other/x',
  `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`,
  `arn:aws:iam::${ACCOUNT}:role/Target`,
  `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1`,
  '*',
];
const RESOURCE_PATTERNS = [
  '*',
  '*',
  '*',
  'arn:aws:s3:::bucket/*',
  'arn:aws:s3:::bucket/alice/*',
  'arn:aws:s3:::*',
  `arn:aws:ec2:*:${ACCOUNT}:instance/*`,
  'arn:aws:s3:::bucket/${aws:username}/*',
  "arn:aws:s3:::${aws:PrincipalTag/bucket, 'other'}/*",
  'arn:aws:s3:::other/?',
  `arn:aws:iam::${ACCOUNT}:role/*`,
  'arn:aws:kms:*:*:key/*',
];
const PRINCIPALS = [USER, SESSION, FEDERATED, `arn:aws:iam::${OTHER}:user/carol`, 'ec2.amazonaws.com'];
const RP_PRINCIPALS: unknown[] = ['*', { AWS: ACCOUNT }, { AWS: `arn:aws:iam::${ACCOUNT}:root` }, { AWS: USER }, { AWS: ROLE }, { AWS: SESSION }, { AWS: OTHER }, { Service: 'ec2.amazonaws.com' }];

/** Condition blocks over the context keys below, one operator family each. */
const CONDITIONS: Doc[] = [
  { StringEquals: { 'aws:username': 'alice' } },
  { StringNotEquals: { 'aws:username': ['alice', 'bob'] } },
  { StringLike: { 'aws:username': 'a*' } },
  { StringEqualsIgnoreCase: { 'AWS:USERNAME': 'ALICE' } },
  { StringEqualsIfExists: { 'aws:PrincipalTag/team': 'red' } },
  { StringEquals: { 'aws:PrincipalTag/team': '${aws:username}' } },
  { NumericLessThan: { 's3:max-keys': '10' } },
  { NumericGreaterThanEqualsIfExists: { 's3:max-keys': 10 } },
  { Bool: { 'aws:SecureTransport': 'true' } },
  { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
  { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } },
  { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
  { DateGreaterThan: { 'aws:CurrentTime': '2025-01-01T00:00:00Z' } },
  { DateLessThan: { 'aws:CurrentTime': '1735689600' } },
  { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:*` } },
  { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } },
  { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
  { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'c*' } },
  { Null: { 'aws:PrincipalTag/team': 'true' } },
  { Null: { 'aws:TagKeys': 'false' } },
  { BinaryEquals: { 'k:bin': 'QUJD' } },
];

const context: fc.Arbitrary<Record<string, ContextValue>> = fc.record(
  {
    'aws:username': fc.constantFrom('alice', 'bob', '*', 'red'),
    'aws:PrincipalTag/team': fc.constantFrom('red', 'alice', 'blue'),
    'aws:PrincipalTag/bucket': fc.constantFrom('bucket', 'other'),
    's3:max-keys': fc.constantFrom('5', '10', '50', 'many'),
    'aws:SecureTransport': fc.constantFrom('true', 'false'),
    'aws:MultiFactorAuthPresent': fc.constantFrom('true', 'false'),
    'aws:SourceIp': fc.constantFrom('203.0.113.5', '198.51.100.1', '2001:db8::1', 'bogus'),
    'aws:CurrentTime': fc.constantFrom('2024-06-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    'aws:PrincipalArn': fc.constantFrom(USER, ROLE),
    'aws:TagKeys': fc.subarray(['a', 'b', 'c1']),
    'k:bin': fc.constantFrom('QUJD', 'QUJE'),
  },
  { requiredKeys: [] },
);

/** `arb` with the given weight against `rare` (weight 1). */
const mostly = <T, U>(arb: fc.Arbitrary<T>, weight: number, rare: fc.Arbitrary<U>) => fc.oneof({ arbitrary: arb, weight }, { arbitrary: rare, weight: 1 });

const request: fc.Arbitrary<AuthzRequest> = fc.record({
  principal: mostly(fc.constantFrom(USER, SESSION), 3, fc.constantFrom(...PRINCIPALS)),
  action: mostly(fc.constantFrom(...ACTIONS), 4, fc.constantFrom(...EXPLICIT_ACTIONS)),
  resource: fc.constantFrom(...RESOURCES),
  context,
});

const oneOrMany = <T>(values: readonly T[]) => fc.oneof(fc.constantFrom(...values), fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 3 }));

function statement(effect: 'Allow' | 'Deny', withPrincipal: boolean): fc.Arbitrary<Doc> {
  return fc
    .record({
      notAction: fc.nat(4),
      action: oneOrMany(ACTION_PATTERNS),
      notResource: fc.nat(5),
      resource: oneOrMany(RESOURCE_PATTERNS),
      conditions: mostly(fc.constant<Doc[]>([]), 2, fc.array(fc.constantFrom(...CONDITIONS), { minLength: 1, maxLength: 2 })),
      principal: fc.constantFrom(...RP_PRINCIPALS),
      notPrincipal: fc.nat(5),
    })
    .map((r) => {
      const s: Doc = { Effect: effect };
      s[r.notAction === 0 ? 'NotAction' : 'Action'] = r.action;
      s[r.notResource === 0 ? 'NotResource' : 'Resource'] = r.resource;
      if (r.conditions.length) s.Condition = Object.assign({}, ...r.conditions.map((c) => structuredClone(c)));
      if (withPrincipal) s[r.notPrincipal === 0 ? 'NotPrincipal' : 'Principal'] = r.principal;
      return s;
    });
}

const anyStatement = (withPrincipal: boolean) => mostly(fc.constant<'Allow' | 'Deny'>('Allow'), 5, fc.constant<'Allow' | 'Deny'>('Deny')).chain((e) => statement(e, withPrincipal));

function policy(withPrincipal: boolean): fc.Arbitrary<Doc> {
  return fc
    .record({ statements: fc.array(anyStatement(withPrincipal), { minLength: 1, maxLength: 3 }), versioned: fc.nat(9) })
    .map(({ statements, versioned }) => (versioned === 0 ? { Statement: statements } : { Version: '2012-10-17', Statement: statements }));
}

/** The documents of every layer, as plain JSON. */
interface Docs {
  identity: Doc[];
  resource: Doc | null;
  boundary: Doc | null;
  session: Doc[];
  scps: Doc[][];
  resourceAccount: string | null;
}

// Most requests see few layers, so that a fair share of them are allowed.
const docs: fc.Arbitrary<Docs> = fc.record({
  identity: fc.array(policy(false), { minLength: 1, maxLength: 3 }),
  resource: fc.option(policy(true), { nil: null }),
  boundary: mostly(fc.constant(null), 3, policy(false)),
  session: mostly(fc.constant([]), 3, fc.tuple(policy(false))),
  scps: mostly(fc.constant([]), 2, fc.array(fc.array(policy(false), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 })),
  resourceAccount: mostly(fc.constantFrom(null, ACCOUNT), 3, fc.constant(OTHER)),
});

function compileDocs(d: Docs): PolicySets {
  const c = (doc: Doc, id: string, layer: PolicyLayer, scpLevel?: number): CompiledPolicy => compilePolicy(doc, { id, layer, scpLevel });
  return {
    identity: d.identity.map((p, i) => c(p, `identity[${i}]`, 'identity')),
    resource: d.resource ? c(d.resource, 'resource', 'resource') : null,
    boundary: d.boundary ? c(d.boundary, 'boundary', 'boundary') : null,
    session: d.session.map((p, i) => c(p, `session[${i}]`, 'session')),
    scps: d.scps.map((level, l) => level.map((p, i) => c(p, `scp[${l}][${i}]`, 'scp', l))),
    resourceAccount: d.resourceAccount,
  };
}

/** Where to add one statement: an existing policy of some layer, or a new identity policy. */
type Target = { layer: 'identity' | 'session' | 'scp'; index: number; level?: number } | { layer: 'resource' | 'boundary' } | { layer: 'new-identity' };

const target: fc.Arbitrary<Target> = fc.oneof(
  fc.record({ layer: fc.constant('identity' as const), index: fc.nat() }),
  fc.record({ layer: fc.constant('session' as const), index: fc.nat() }),
  fc.record({ layer: fc.constant('scp' as const), index: fc.nat(), level: fc.nat() }),
  fc.record({ layer: fc.constantFrom('resource' as const, 'boundary' as const) }),
  fc.record({ layer: fc.constant('new-identity' as const) }),
);

function withStatement(doc: Doc, s: Doc): Doc {
  const list = doc.Statement;
  return { ...doc, Statement: [...(Array.isArray(list) ? list : [list]), s] };
}

/**
 * A copy of `d` with `s` added to an existing policy of the target layer (or, when the layer has
 * none, to a new identity policy: adding a whole new boundary, session policy or SCP level would
 * restrict rather than add a statement).
 */
function addStatement(d: Docs, t: Target, s: Doc): Docs {
  const out: Docs = structuredClone(d);
  switch (t.layer) {
    case 'identity':
      if (out.identity.length) {
        const i = t.index % out.identity.length;
        out.identity[i] = withStatement(out.identity[i], s);
        return out;
      }
      break;
    case 'session':
      if (out.session.length) {
        const i = t.index % out.session.length;
        out.session[i] = withStatement(out.session[i], s);
        return out;
      }
      break;
    case 'scp':
      if (out.scps.length) {
        const level = out.scps[(t.level ?? 0) % out.scps.length];
        const i = t.index % level.length;
        level[i] = withStatement(level[i], s);
        return out;
      }
      break;
    case 'resource':
      if (out.resource) {
        out.resource = withStatement(out.resource, s);
        return out;
      }
      break;
    case 'boundary':
      if (out.boundary) {
        out.boundary = withStatement(out.boundary, s);
        return out;
      }
      break;
    case 'new-identity':
      break;
  }
  out.identity.push({ Version: '2012-10-17', Statement: [s] });
  return out;
}

/** A statement for the target layer: resource-policy statements need a principal. */
function statementFor(effect: 'Allow' | 'Deny'): fc.Arbitrary<{ t: Target; s: Doc }> {
  return target.chain((t) => statement(effect, t.layer === 'resource').map((s) => ({ t, s })));
}

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

// ---------------------------------------------------------------------------------------------

describe('evaluation properties', () => {
  test('adding a Deny statement never turns a non-Allow into Allow, nor an ExplicitDeny into anything else', () => {
    fc.assert(
      fc.property(docs, request, statementFor('Deny'), (d, r, { t, s }) => {
        const before = evaluate(r, compileDocs(d));
        const after = evaluate(r, compileDocs(addStatement(d, t, s)));
        if (before.decision !== 'Allow') assert.notEqual(after.decision, 'Allow');
        if (before.decision === 'ExplicitDeny') assert.equal(after.decision, 'ExplicitDeny');
      }),
      { numRuns: RUNS },
    );
  });

  test('adding an Allow statement never turns an Allow into a deny', () => {
    fc.assert(
      fc.property(docs, request, statementFor('Allow'), (d, r, { t, s }) => {
        const before = evaluate(r, compileDocs(d));
        const after = evaluate(r, compileDocs(addStatement(d, t, s)));
        if (before.decision === 'Allow') assert.equal(after.decision, 'Allow', JSON.stringify(after));
      }),
      { numRuns: RUNS },
    );
  });

  test('an ExplicitDeny always names Deny statements; an Allow, Allow statements; an ImplicitDeny, none', () => {
    fc.assert(
      fc.property(docs, request, (d, r) => {
        const decision = evaluate(r, compileDocs(d));
        if (decision.decision === 'Allow') {
          assert.ok(decision.decidedBy.length > 0);
          assert.ok(decision.decidedBy.every((ref) => ref.effect === 'Allow'));
          assert.equal(decision.blockedBy, undefined);
        } else {
          assert.ok(decision.blockedBy);
          assert.equal(decision.blockedBy.kind, decision.decision === 'ExplicitDeny' ? 'explicit' : 'implicit');
          if (decision.decision === 'ExplicitDeny') {
            assert.ok(decision.decidedBy.length > 0 && decision.decidedBy.every((ref) => ref.effect === 'Deny'));
            assert.equal(decision.decidedBy[0].layer, decision.blockedBy.layer);
          } else assert.deepEqual(decision.decidedBy, []);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('evaluation is deterministic, also after other requests warmed the compiled policies', () => {
    fc.assert(
      fc.property(docs, request, fc.array(request, { minLength: 1, maxLength: 8 }), (d, r, others) => {
        const fresh = evaluate(r, compileDocs(d));
        const sets = compileDocs(d);
        const first = evaluate(r, sets);
        assert.deepEqual(first, fresh);
        for (const o of others) {
          evaluate(o, sets);
          assert.deepEqual(evaluate(o, sets), evaluate(o, compileDocs(d)));
        }
        assert.deepEqual(evaluate(r, sets), fresh);
        assert.deepEqual(evaluate(structuredClone(r), sets), fresh);
      }),
      { numRuns: RUNS / 2 },
    );
  });

  test('a compiled policy can be shared between layers of different requests without interference', () => {
    fc.assert(
      fc.property(policy(false), fc.array(request, { minLength: 2, maxLength: 6 }), (doc, requests) => {
        const shared = compilePolicy(doc, { id: 'p', layer: 'identity' });
        const results = requests.map((r) => evaluate(r, { identity: [shared] }));
        const again = [...requests].reverse().map((r) => evaluate(r, { identity: [shared] })).reverse();
        assert.deepEqual(again, results);
      }),
      { numRuns: RUNS / 2 },
    );
  });
});

describe('the per-resource index of a compiled policy', () => {
  /** The statements that apply, found by testing every statement of the action (no resource index). */
  function applying(p: CompiledPolicy, scope: RequestScope, indexed: boolean) {
    const slice = indexed ? p.forRequest(scope.lowerAction, scope.resource) : p.forAction(scope.lowerAction);
    const refs = (list: typeof slice.allow) => list.filter((s) => s.applies(scope)).map((s) => [s.ref, s.applies(scope)]);
    return { allow: refs(slice.allow), deny: refs(slice.deny) };
  }

  test('selects exactly the statements that testing every statement of the action finds', () => {
    fc.assert(
      fc.property(policy(true), fc.array(request, { minLength: 1, maxLength: 8 }), (doc, requests) => {
        const compiled = compilePolicy(doc, { id: 'p', layer: 'resource' });
        for (const r of [...requests, ...requests]) {
          const scope = new RequestScope(r);
          assert.deepEqual(applying(compiled, scope, true), applying(compiled, scope, false));
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('keeps answering correctly past its bound on indexed resources', () => {
    const compiled = compilePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/even-*' },
          { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::bucket/*' },
          { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${aws:username}/*' },
        ],
      },
      { id: 'p', layer: 'identity' },
    );
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        const resource = i % 3 === 0 ? `arn:aws:s3:::other/${i}` : i % 3 === 1 ? `arn:aws:s3:::bucket/even-${i}` : `arn:aws:s3:::bucket/alice/${i}`;
        const decision = evaluate({ principal: USER, action: 's3:GetObject', resource, context: { 'aws:username': 'alice' } }, { identity: [compiled] });
        assert.equal(decision.decision, i % 3 === 0 ? 'ExplicitDeny' : 'Allow', resource);
      }
    }
  });
});

describe('compilation never throws', () => {
  const layers: PolicyLayer[] = ['identity', 'resource', 'boundary', 'session', 'scp'];
  const probe: AuthzRequest = { principal: USER, action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/a.txt', context: { 'aws:username': 'alice' } };

  test('on arbitrary JSON values, as documents or JSON text; and evaluating them does not throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...layers), (v, layer) => {
        const p = compilePolicy(v, { id: 'x', layer });
        const t = compilePolicy(JSON.stringify(v) ?? '', { id: 'x', layer });
        for (const compiled of [p, t]) {
          evaluate(probe, { identity: [compiled] });
          evaluate(probe, { identity: [], resource: compiled });
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('on arbitrary values of any type', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }), (v) => {
        const p = compilePolicy(v, { id: 'x', layer: 'identity' });
        evaluate(probe, { identity: [p] });
      }),
      { numRuns: RUNS },
    );
  });

  test('on documents with policy-shaped but wrongly typed elements', () => {
    const junk = fc.oneof(
      fc.constantFrom(null, 0, -1, 1.5, true, '', '*', 'Allow', 'Deny', 's3:*', [], {}, [null], ['*', 1], { AWS: 1 }, { AWS: ['*', null] }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const element = (name: string) => fc.option(junk.map((v) => [name, v] as const), { nil: undefined });
    const stmt = fc
      .tuple(
        fc.option(fc.constantFrom('Allow', 'Deny').map((v) => ['Effect', v] as const), { nil: undefined }),
        element('Effect'),
        element('Action'),
        element('NotAction'),
        element('Resource'),
        element('NotResource'),
        element('Principal'),
        element('NotPrincipal'),
        element('Condition'),
        element('Sid'),
        fc.option(
          fc
            .record({ op: fc.constantFrom('StringEquals', 'ForAllValues:StringLike', 'NumericLessThan', 'Null', 'IpAddress', 'DateEquals', 'BinaryEquals', 'ArnLike', 'Bogus'), key: fc.string({ maxLength: 5 }), value: junk })
            .map(({ op, key, value }) => ['Condition', { [op]: { [key]: value } }] as const),
          { nil: undefined },
        ),
      )
      .map((entries) => Object.fromEntries(entries.filter((e) => e !== undefined)));
    fc.assert(
      fc.property(fc.oneof(stmt, fc.array(stmt, { maxLength: 3 }), junk), fc.constantFrom('2012-10-17', '2008-10-17', undefined, 7), request, (statement, version, r) => {
        const doc = version === undefined ? { Statement: statement } : { Version: version, Statement: statement };
        const p = compilePolicy(doc, { id: 'x', layer: 'resource' });
        const q = compilePolicy(doc, { id: 'y', layer: 'identity' });
        evaluate(r, { identity: [q], resource: p, boundary: q, session: [q], scps: [[q]] });
      }),
      { numRuns: RUNS },
    );
  });
});

describe('generators', () => {
  test('reach every decision often enough for the properties to mean something', () => {
    const counts = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
    for (const [d, r] of fc.sample(fc.tuple(docs, request), 1000)) counts[evaluate(r, compileDocs(d)).decision]++;
    for (const [decision, n] of Object.entries(counts)) assert.ok(n >= 50, `${decision}: ${n} of 1000 samples (${JSON.stringify(counts)})`);
  });
});
