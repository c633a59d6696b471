import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicy } from '../../../src/core/policy/compile.js';
import { evaluate } from '../../../src/core/policy/evaluate.js';
import { accessDeniedMessage, explainDecision } from '../../../src/core/policy/explain.js';
import type { AuthzRequest, ContextValue } from '../../../src/core/policy/request.js';
import type { Decision, DenyReason, StatementRef } from '../../../src/core/policy/types.js';

/**
 * The layer logic of "Policy evaluation logic", "Policy evaluation for requests within a single
 * account" and "Cross-account policy evaluation logic" (IAM User Guide), and the AccessDenied
 * wording of "Troubleshoot access denied error messages".
 */

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const USER = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Dev`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/Dev/alice-session`;
const FEDERATED = `arn:aws:sts::${ACCOUNT}:federated-user/fed-alice`;
const BUCKET = 'arn:aws:s3:::example-bucket';
const OBJECT = `${BUCKET}/docs/report.txt`;
const TARGET_ROLE = `arn:aws:iam::${ACCOUNT}:role/Target`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

type Doc = Record<string, unknown>;

/** A policy document of the given statements. */
function doc(...statements: Doc[]): Doc {
  return { Version: '2012-10-17', Statement: statements };
}

function allow(action: string | string[] = 's3:GetObject', resource: string | string[] = '*', extra: Doc = {}): Doc {
  return { Effect: 'Allow', Action: action, Resource: resource, ...extra };
}

function deny(action: string | string[] = 's3:GetObject', resource: string | string[] = '*', extra: Doc = {}): Doc {
  return { Effect: 'Deny', Action: action, Resource: resource, ...extra };
}

/** A resource-policy statement granting s3:GetObject on the bucket's objects to `principal`. */
function grant(principal: unknown, extra: Doc = {}): Doc {
  return { Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: `${BUCKET}/*`, ...extra };
}

interface Setup {
  identity?: unknown[];
  resource?: unknown;
  boundary?: unknown;
  session?: unknown[];
  scps?: unknown[][];
  resourceAccount?: string | null;
}

/** Compiles the policies under the ids `identity[i]`, `resource`, `boundary`, `session[i]`, `scp[l][i]` and decides. */
function run(request: AuthzRequest, s: Setup): Decision {
  return evaluate(request, {
    identity: (s.identity ?? []).map((d, i) => compilePolicy(d, { id: `identity[${i}]`, layer: 'identity' })),
    resource: s.resource === undefined ? null : compilePolicy(s.resource, { id: 'resource', layer: 'resource' }),
    boundary: s.boundary === undefined ? null : compilePolicy(s.boundary, { id: 'boundary', layer: 'boundary' }),
    session: (s.session ?? []).map((d, i) => compilePolicy(d, { id: `session[${i}]`, layer: 'session' })),
    scps: (s.scps ?? []).map((level, l) => level.map((d, i) => compilePolicy(d, { id: `scp[${l}][${i}]`, layer: 'scp', scpLevel: l }))),
    resourceAccount: s.resourceAccount ?? null,
  });
}

function req(principal: string, action = 's3:GetObject', resource = OBJECT, context: Record<string, ContextValue> = {}): AuthzRequest {
  return { principal, action, resource, context };
}

/** `policyId#statementIndex` of each deciding statement. */
function labels(d: Decision): string[] {
  return d.decidedBy.map((r) => `${r.policyId}#${r.statementIndex}`);
}

function assertBlocked(d: Decision, decision: 'ExplicitDeny' | 'ImplicitDeny', blockedBy: DenyReason): void {
  assert.equal(d.decision, decision, JSON.stringify(d));
  assert.deepEqual(d.blockedBy, blockedBy);
}

function assertAllowed(d: Decision, decidedBy?: string[]): void {
  assert.equal(d.decision, 'Allow', JSON.stringify(d));
  assert.equal(d.blockedBy, undefined);
  if (decidedBy) assert.deepEqual(labels(d), decidedBy);
}

// ---------------------------------------------------------------------------------------------

describe('explicit deny wins in every layer', () => {
  // A role session every layer allows: two SCP levels, a resource policy naming the role, the
  // role's identity policy, its boundary and its session policy.
  const layers = (): Required<Omit<Setup, 'resourceAccount'>> => ({
    scps: [[doc(allow('*'))], [doc(allow('s3:*'))]],
    resource: doc(grant({ AWS: ROLE })),
    identity: [doc(allow('s3:*'))],
    boundary: doc(allow('s3:*')),
    session: [doc(allow('s3:GetObject'))],
  });

  test('the baseline is allowed, by a statement of each layer', () => {
    assertAllowed(run(req(SESSION), layers()), ['scp[0][0]#0', 'scp[1][0]#0', 'resource#0', 'identity[0]#0', 'boundary#0', 'session[0]#0']);
  });

  const cases: { name: string; add: (s: ReturnType<typeof layers>, d: Doc) => void; ref: StatementRef; blockedBy: DenyReason }[] = [
    {
      name: 'root SCP',
      add: (s, d) => (s.scps[0][0] = doc(allow('*'), d)),
      ref: { layer: 'scp', policyId: 'scp[0][0]', statementIndex: 1, effect: 'Deny', sid: 'D', scpLevel: 0 },
      blockedBy: { layer: 'scp', kind: 'explicit', scpLevel: 0 },
    },
    {
      name: 'OU SCP',
      add: (s, d) => (s.scps[1][0] = doc(allow('s3:*'), d)),
      ref: { layer: 'scp', policyId: 'scp[1][0]', statementIndex: 1, effect: 'Deny', sid: 'D', scpLevel: 1 },
      blockedBy: { layer: 'scp', kind: 'explicit', scpLevel: 1 },
    },
    {
      name: 'resource policy',
      add: (s, d) => (s.resource = doc(grant({ AWS: ROLE }), { ...d, Principal: '*' })),
      ref: { layer: 'resource', policyId: 'resource', statementIndex: 1, effect: 'Deny', sid: 'D' },
      blockedBy: { layer: 'resource', kind: 'explicit' },
    },
    {
      name: 'identity policy',
      add: (s, d) => s.identity.push(doc(allow('ec2:*'), d)),
      ref: { layer: 'identity', policyId: 'identity[1]', statementIndex: 1, effect: 'Deny', sid: 'D' },
      blockedBy: { layer: 'identity', kind: 'explicit' },
    },
    {
      name: 'permissions boundary',
      add: (s, d) => (s.boundary = doc(allow('s3:*'), d)),
      ref: { layer: 'boundary', policyId: 'boundary', statementIndex: 1, effect: 'Deny', sid: 'D' },
      blockedBy: { layer: 'boundary', kind: 'explicit' },
    },
    {
      name: 'session policy',
      add: (s, d) => (s.session[0] = doc(allow('s3:GetObject'), d)),
      ref: { layer: 'session', policyId: 'session[0]', statementIndex: 1, effect: 'Deny', sid: 'D' },
      blockedBy: { layer: 'session', kind: 'explicit' },
    },
  ];
  for (const c of cases) {
    test(`a Deny in the ${c.name} overrides every Allow`, () => {
      const s = layers();
      c.add(s, deny('s3:GetObject', `${BUCKET}/*`, { Sid: 'D' }));
      const d = run(req(SESSION), s);
      assertBlocked(d, 'ExplicitDeny', c.blockedBy);
      assert.deepEqual(d.decidedBy, [c.ref]);
    });
  }

  test('every applicable Deny is reported, in layer order; the first names the blocking layer', () => {
    const s = layers();
    s.session[0] = doc(allow('s3:GetObject'), deny());
    s.identity = [doc(allow('s3:*'), deny(), deny('s3:Get*'))];
    s.scps[1][0] = doc(allow('*'), deny('s3:*'));
    const d = run(req(SESSION), s);
    assertBlocked(d, 'ExplicitDeny', { layer: 'scp', kind: 'explicit', scpLevel: 1 });
    assert.deepEqual(labels(d), ['scp[1][0]#1', 'identity[0]#1', 'identity[0]#2', 'session[0]#1']);
    assert.ok(d.decidedBy.every((r) => r.effect === 'Deny'));
  });

  test('a Deny for another action, resource or failing condition does not apply', () => {
    const s = layers();
    s.identity = [doc(allow('s3:*'), deny('s3:PutObject'), deny('s3:GetObject', `${BUCKET}/private/*`), deny('s3:GetObject', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } }))];
    assertAllowed(run(req(SESSION, 's3:GetObject', OBJECT, { 'aws:SecureTransport': 'true' }), s));
  });

  test('an identity Deny overrides a same-account resource-policy grant to the user', () => {
    const d = run(req(USER), { resource: doc(grant({ AWS: USER })), identity: [doc(deny('s3:*'))] });
    assertBlocked(d, 'ExplicitDeny', { layer: 'identity', kind: 'explicit' });
  });

  test('a boundary Deny overrides a same-account resource-policy grant to the user', () => {
    const d = run(req(USER), { resource: doc(grant({ AWS: USER })), boundary: doc(allow('*'), deny('s3:GetObject')) });
    assertBlocked(d, 'ExplicitDeny', { layer: 'boundary', kind: 'explicit' });
  });

  test('actions match case-insensitively, so a Deny written in another case still applies', () => {
    const d = run(req(USER, 'S3:GETOBJECT'), { identity: [doc(allow('s3:*'), deny('s3:getobject'))] });
    assertBlocked(d, 'ExplicitDeny', { layer: 'identity', kind: 'explicit' });
  });
});

describe('service control policies', () => {
  const identity = [doc(allow('s3:*'))];

  test('every level from the root down needs its own Allow', () => {
    assertAllowed(run(req(USER), { identity, scps: [[doc(allow('*'))], [doc(allow('s3:*'))], [doc(allow('s3:Get*'))]] }), [
      'scp[0][0]#0',
      'scp[1][0]#0',
      'scp[2][0]#0',
      'identity[0]#0',
    ]);
  });

  test('a level without an Allow blocks, and is named', () => {
    const d = run(req(USER), { identity, scps: [[doc(allow('*'))], [doc(allow('ec2:*'))], [doc(allow('*'))]] });
    assertBlocked(d, 'ImplicitDeny', { layer: 'scp', kind: 'implicit', scpLevel: 1 });
    assert.deepEqual(d.decidedBy, []);
    const last = run(req(USER), { identity, scps: [[doc(allow('*'))], [doc(allow('*'))], [doc(allow('ec2:*'))]] });
    assertBlocked(last, 'ImplicitDeny', { layer: 'scp', kind: 'implicit', scpLevel: 2 });
  });

  test('an Allow at a higher level does not stand in for a lower one', () => {
    const d = run(req(USER), { identity, scps: [[doc(allow('s3:GetObject'))], [doc(deny('ec2:*', '*', { Sid: 'x' }))]] });
    assertBlocked(d, 'ImplicitDeny', { layer: 'scp', kind: 'implicit', scpLevel: 1 });
  });

  test('one allowing policy at a level is enough', () => {
    assertAllowed(run(req(USER), { identity, scps: [[doc(allow('ec2:*')), doc(allow('s3:GetObject'))]] }), ['scp[0][1]#0', 'identity[0]#0']);
  });

  test('SCPs grant nothing by themselves', () => {
    assertBlocked(run(req(USER), { scps: [[doc(allow('*'))]] }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
  });

  test('no levels = not in an organization: no SCP check', () => {
    assertAllowed(run(req(USER), { identity, scps: [] }));
  });

  test('SCPs also limit what a same-account resource policy grants', () => {
    const d = run(req(USER), { resource: doc(grant({ AWS: USER })), scps: [[doc(allow('ec2:*'))]] });
    assertBlocked(d, 'ImplicitDeny', { layer: 'scp', kind: 'implicit', scpLevel: 0 });
  });

  test('SCPs apply to role sessions', () => {
    const d = run(req(SESSION), { identity, scps: [[doc(allow('*'))], [doc(allow('ec2:*'))]] });
    assertBlocked(d, 'ImplicitDeny', { layer: 'scp', kind: 'implicit', scpLevel: 1 });
  });

  test('SCPs need not allow what a service principal does', () => {
    const resource = doc({ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: `${BUCKET}/*` });
    assertAllowed(run(req('cloudtrail.amazonaws.com', 's3:PutObject'), { resource, scps: [[doc(allow('ec2:*'))]] }));
  });

  test(
    'SCP denies do not apply to a service principal: "SCPs affect only IAM users and roles that are managed by accounts that are part of the organization"',
    () => {
      const resource = doc({ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: `${BUCKET}/*` });
      assertAllowed(run(req('cloudtrail.amazonaws.com', 's3:PutObject'), { resource, scps: [[doc(allow('*'), deny('s3:*'))]] }));
    },
  );
});

describe('same-account resource-based policies', () => {
  test('a grant to the user ARN allows without any identity policy', () => {
    assertAllowed(run(req(USER), { resource: doc(grant({ AWS: USER })) }), ['resource#0']);
  });

  test('a grant to the user ARN is not limited by the permissions boundary', () => {
    assertAllowed(run(req(USER), { resource: doc(grant({ AWS: USER })), boundary: doc(allow('ec2:*')) }), ['resource#0']);
  });

  test('a grant to the role session ARN is limited by neither the boundary nor the session policy', () => {
    const d = run(req(SESSION), { resource: doc(grant({ AWS: SESSION })), boundary: doc(allow('ec2:*')), session: [doc(allow('ec2:*'))] });
    assertAllowed(d, ['resource#0']);
  });

  test('a grant to everyone ("*" or {"AWS": "*"}) allows alone', () => {
    assertAllowed(run(req(USER), { resource: doc(grant('*')) }), ['resource#0']);
    assertAllowed(run(req(USER), { resource: doc(grant({ AWS: '*' })), boundary: doc(allow('ec2:*')) }), ['resource#0']);
    assertAllowed(run(req(SESSION), { resource: doc(grant({ AWS: ['*'] })), session: [doc(allow('ec2:*'))] }), ['resource#0']);
  });

  test('a grant to "*" restricted by aws:PrincipalArn still allows alone', () => {
    const resource = doc(grant('*', { Condition: { ArnEquals: { 'aws:PrincipalArn': USER } } }));
    assertAllowed(run(req(USER, 's3:GetObject', OBJECT, { 'aws:PrincipalArn': USER }), { resource }));
    const other = `arn:aws:iam::${ACCOUNT}:user/bob`;
    assertBlocked(run(req(other, 's3:GetObject', OBJECT, { 'aws:PrincipalArn': other }), { resource }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
  });

  test('a grant to the role ARN stands in for identity policies', () => {
    assertAllowed(run(req(SESSION), { resource: doc(grant({ AWS: ROLE })) }), ['resource#0']);
  });

  test('a grant to the role ARN matches the role whatever its path', () => {
    assertAllowed(run(req(SESSION), { resource: doc(grant({ AWS: `arn:aws:iam::${ACCOUNT}:role/team/Dev` })) }));
  });

  test('a grant to the role ARN is limited by the permissions boundary', () => {
    const d = run(req(SESSION), { resource: doc(grant({ AWS: ROLE })), boundary: doc(allow('ec2:*')) });
    assertBlocked(d, 'ImplicitDeny', { layer: 'boundary', kind: 'implicit' });
  });

  test('a grant to the role ARN is limited by the session policy', () => {
    const d = run(req(SESSION), { resource: doc(grant({ AWS: ROLE })), session: [doc(allow('ec2:*'))] });
    assertBlocked(d, 'ImplicitDeny', { layer: 'session', kind: 'implicit' });
  });

  test('a grant to the role ARN with boundary and session policy allowing', () => {
    const d = run(req(SESSION), { resource: doc(grant({ AWS: ROLE })), boundary: doc(allow('s3:*')), session: [doc(allow('s3:GetObject'))] });
    assertAllowed(d, ['resource#0', 'boundary#0', 'session[0]#0']);
  });

  for (const [name, principal] of [
    ['account id', ACCOUNT],
    ['account root ARN', ROOT],
  ] as const) {
    test(`a grant to the account (${name}) only delegates to identity policies`, () => {
      const resource = doc(grant({ AWS: principal }));
      assertBlocked(run(req(USER), { resource }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
      assertBlocked(run(req(SESSION), { resource }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
      assertAllowed(run(req(USER), { resource, identity: [doc(allow('s3:GetObject'))] }), ['identity[0]#0']);
    });
  }

  test('a grant to another user or role leaves it to the identity policies', () => {
    const resource = doc(grant({ AWS: [`arn:aws:iam::${ACCOUNT}:user/bob`, `arn:aws:iam::${ACCOUNT}:role/Other`] }));
    assertBlocked(run(req(USER), { resource }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
    assertBlocked(run(req(SESSION), { resource }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
    assertAllowed(run(req(USER), { resource, identity: [doc(allow())] }), ['identity[0]#0']);
  });

  test('a grant whose condition fails does not apply', () => {
    const resource = doc(grant({ AWS: USER }, { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }));
    assertBlocked(run(req(USER, 's3:GetObject', OBJECT, { 'aws:SecureTransport': 'false' }), { resource }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
    assertAllowed(run(req(USER, 's3:GetObject', OBJECT, { 'aws:SecureTransport': 'true' }), { resource }));
  });

  test('a resource-policy statement without a principal grants nothing', () => {
    const resource = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/*` });
    assertBlocked(run(req(USER), { resource }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
    assertBlocked(run(req(USER), { resource, resourceAccount: OTHER, identity: [doc(allow())] }), 'ImplicitDeny', { layer: 'resource', kind: 'implicit' });
  });

  test('with identity policies allowing, the identity side decides as usual', () => {
    assertAllowed(run(req(USER), { identity: [doc(allow())] }), ['identity[0]#0']);
    assertBlocked(run(req(USER), { identity: [doc(allow())], boundary: doc(allow('ec2:*')) }), 'ImplicitDeny', { layer: 'boundary', kind: 'implicit' });
    assertBlocked(run(req(SESSION), { identity: [doc(allow())], session: [doc(allow('ec2:*'))] }), 'ImplicitDeny', { layer: 'session', kind: 'implicit' });
  });
});

describe('cross-account requests', () => {
  const cross = { resourceAccount: OTHER };

  test('identity policies alone are not enough', () => {
    assertBlocked(run(req(USER), { ...cross, identity: [doc(allow())] }), 'ImplicitDeny', { layer: 'resource', kind: 'implicit' });
  });

  test('the resource policy alone is not enough', () => {
    assertBlocked(run(req(USER), { ...cross, resource: doc(grant({ AWS: USER })) }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
    assertBlocked(run(req(SESSION), { ...cross, resource: doc(grant({ AWS: ROLE })) }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
  });

  test('both sides allowing: allowed, by both', () => {
    assertAllowed(run(req(USER), { ...cross, resource: doc(grant({ AWS: USER })), identity: [doc(allow())] }), ['resource#0', 'identity[0]#0']);
    assertAllowed(run(req(USER), { ...cross, resource: doc(grant({ AWS: ACCOUNT })), identity: [doc(allow())] }), ['resource#0', 'identity[0]#0']);
    assertAllowed(run(req(SESSION), { ...cross, resource: doc(grant({ AWS: ROLE })), identity: [doc(allow())] }), ['resource#0', 'identity[0]#0']);
  });

  test("the principal's boundary and session policy still apply", () => {
    const base = { ...cross, resource: doc(grant({ AWS: USER })), identity: [doc(allow())] };
    assertBlocked(run(req(USER), { ...base, boundary: doc(allow('ec2:*')) }), 'ImplicitDeny', { layer: 'boundary', kind: 'implicit' });
    const sess = { ...cross, resource: doc(grant({ AWS: SESSION })), identity: [doc(allow())], session: [doc(allow('ec2:*'))] };
    assertBlocked(run(req(SESSION), sess), 'ImplicitDeny', { layer: 'session', kind: 'implicit' });
  });

  test("a grant to the resource owner's own account does not admit another account", () => {
    assertBlocked(run(req(USER), { ...cross, resource: doc(grant({ AWS: OTHER })), identity: [doc(allow())] }), 'ImplicitDeny', {
      layer: 'resource',
      kind: 'implicit',
    });
  });

  test('a resourceAccount equal to the principal account is same-account', () => {
    assertAllowed(run(req(USER), { resourceAccount: ACCOUNT, resource: doc(grant({ AWS: USER })) }));
  });
});

describe('role trust policies', () => {
  const assume = (principal = USER, resource = TARGET_ROLE) => req(principal, 'sts:AssumeRole', resource);
  const trust = (principal: unknown, action = 'sts:AssumeRole') => doc({ Effect: 'Allow', Principal: principal, Action: action });
  const canAssume = doc(allow('sts:AssumeRole', TARGET_ROLE));

  test('identity permission without a trust policy is not enough, even in the same account', () => {
    assertBlocked(run(assume(), { identity: [canAssume] }), 'ImplicitDeny', { layer: 'resource', kind: 'implicit' });
    assertBlocked(run(assume(), { identity: [canAssume], resource: trust({ AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }) }), 'ImplicitDeny', {
      layer: 'resource',
      kind: 'implicit',
    });
  });

  test('a trust policy naming the account needs the identity permission too', () => {
    assertBlocked(run(assume(), { resource: trust({ AWS: ROOT }) }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
    assertAllowed(run(assume(), { resource: trust({ AWS: ROOT }), identity: [canAssume] }), ['resource#0', 'identity[0]#0']);
  });

  test('a trust policy naming the user allows in the same account', () => {
    assertAllowed(run(assume(), { resource: trust({ AWS: USER }) }), ['resource#0']);
  });

  test("a trust policy naming the user is still limited by the user's permissions boundary", () => {
    assertBlocked(run(assume(), { resource: trust({ AWS: USER }), boundary: doc(allow('s3:*')) }), 'ImplicitDeny', { layer: 'boundary', kind: 'implicit' });
    assertAllowed(run(assume(), { resource: trust({ AWS: USER }), boundary: doc(allow('sts:AssumeRole')) }));
  });

  test('cross-account role assumption needs the trust policy and the identity permission', () => {
    const target = `arn:aws:iam::${OTHER}:role/Target`;
    const id = [doc(allow('sts:AssumeRole', target))];
    const t = trust({ AWS: ROOT });
    assertAllowed(run(assume(USER, target), { resourceAccount: OTHER, resource: t, identity: id }));
    assertBlocked(run(assume(USER, target), { resourceAccount: OTHER, resource: t }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
    assertBlocked(run(assume(USER, target), { resourceAccount: OTHER, identity: id }), 'ImplicitDeny', { layer: 'resource', kind: 'implicit' });
  });

  test('sts:TagSession is also governed by the trust policy', () => {
    const r = req(USER, 'sts:TagSession', TARGET_ROLE);
    assertBlocked(run(r, { identity: [doc(allow('sts:*'))] }), 'ImplicitDeny', { layer: 'resource', kind: 'implicit' });
    assertAllowed(run(r, { identity: [doc(allow('sts:*'))], resource: trust({ AWS: ROOT }, 'sts:TagSession') }));
  });

  test('other STS actions need no trust policy', () => {
    assertAllowed(run(req(USER, 'sts:GetCallerIdentity', '*'), { identity: [doc(allow('sts:GetCallerIdentity'))] }));
  });

  test('a web identity or service is decided by the trust policy alone', () => {
    const web = req('accounts.google.com', 'sts:AssumeRoleWithWebIdentity', TARGET_ROLE, { 'accounts.google.com:aud': 'my-app' });
    const webTrust = doc({
      Effect: 'Allow',
      Principal: { Federated: 'accounts.google.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'accounts.google.com:aud': 'my-app' } },
    });
    assertAllowed(run(web, { resource: webTrust }), ['resource#0']);
    assertBlocked(run({ ...web, context: { 'accounts.google.com:aud': 'other' } }, { resource: webTrust }), 'ImplicitDeny', { layer: 'resource', kind: 'implicit' });
    const svc = req('ec2.amazonaws.com', 'sts:AssumeRole', TARGET_ROLE);
    assertAllowed(run(svc, { resource: trust({ Service: 'ec2.amazonaws.com' }) }));
    assertBlocked(run(svc, { resource: trust({ Service: 'lambda.amazonaws.com' }) }), 'ImplicitDeny', { layer: 'resource', kind: 'implicit' });
    assertBlocked(run(svc, {}), 'ImplicitDeny', { layer: 'resource', kind: 'implicit' });
  });
});

describe('KMS key policies', () => {
  const decrypt = (principal = USER) => req(principal, 'kms:Decrypt', KEY);
  const keyPolicy = (principal: unknown) => doc({ Effect: 'Allow', Principal: principal, Action: 'kms:*', Resource: '*' });
  const identity = [doc(allow('kms:Decrypt', KEY))];

  test('identity permission without a key policy is not enough', () => {
    assertBlocked(run(decrypt(), { identity }), 'ImplicitDeny', { layer: 'resource', kind: 'implicit' });
  });

  test('a key policy naming the account enables identity policies (and takes part in the decision)', () => {
    assertAllowed(run(decrypt(), { identity, resource: keyPolicy({ AWS: ROOT }) }), ['resource#0', 'identity[0]#0']);
    assertBlocked(run(decrypt(), { resource: keyPolicy({ AWS: ROOT }) }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
  });

  test('a key policy naming the user allows alone', () => {
    assertAllowed(run(decrypt(), { resource: keyPolicy({ AWS: USER }) }), ['resource#0']);
  });

  test('actions on no particular key need no key policy', () => {
    assertAllowed(run(req(USER, 'kms:ListKeys', '*'), { identity: [doc(allow('kms:ListKeys'))] }));
    assertAllowed(run(req(USER, 'kms:CreateKey', '*'), { identity: [doc(allow('kms:CreateKey'))] }));
  });
});

describe('NotPrincipal with Deny', () => {
  const identity = [doc(allow('s3:*'))];
  const denyAllBut = (...listed: string[]) => ({ identity, resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: listed }, Action: 's3:*', Resource: '*' }) });

  test('an IAM user is exempt only when the user and its account are both listed', () => {
    assertAllowed(run(req(USER), denyAllBut(USER, ROOT)));
    assertAllowed(run(req(USER), denyAllBut(USER, ACCOUNT)));
    assertBlocked(run(req(USER), denyAllBut(USER)), 'ExplicitDeny', { layer: 'resource', kind: 'explicit' });
    assertBlocked(run(req(USER), denyAllBut(ROOT)), 'ExplicitDeny', { layer: 'resource', kind: 'explicit' });
  });

  test('a role session is exempt only when the account, the role and the session are all listed', () => {
    assertAllowed(run(req(SESSION), denyAllBut(ROOT, ROLE, SESSION)));
    assertBlocked(run(req(SESSION), denyAllBut(ROOT, ROLE)), 'ExplicitDeny', { layer: 'resource', kind: 'explicit' });
    assertBlocked(run(req(SESSION), denyAllBut(ROLE, SESSION)), 'ExplicitDeny', { layer: 'resource', kind: 'explicit' });
    assertBlocked(run(req(SESSION), denyAllBut(ROOT, SESSION)), 'ExplicitDeny', { layer: 'resource', kind: 'explicit' });
  });

  test('everyone not listed is denied', () => {
    assertBlocked(run(req(`arn:aws:iam::${ACCOUNT}:user/bob`), denyAllBut(USER, ROOT)), 'ExplicitDeny', { layer: 'resource', kind: 'explicit' });
  });

  test('it always denies a principal with a permissions boundary, listed or not', () => {
    const s = { ...denyAllBut(USER, ROOT), boundary: doc(allow('*')) };
    assertBlocked(run(req(USER), s), 'ExplicitDeny', { layer: 'resource', kind: 'explicit' });
    const r = { ...denyAllBut(ROOT, ROLE, SESSION), boundary: doc(allow('*')) };
    assertBlocked(run(req(SESSION), r), 'ExplicitDeny', { layer: 'resource', kind: 'explicit' });
  });

  test('cross-account: the listed user of the other account is exempt', () => {
    const carol = `arn:aws:iam::${OTHER}:user/carol`;
    const resource = doc(grant({ AWS: OTHER }), { Effect: 'Deny', NotPrincipal: { AWS: [carol, `arn:aws:iam::${OTHER}:root`] }, Action: 's3:*', Resource: '*' });
    assertAllowed(run(req(carol), { resource, identity, resourceAccount: ACCOUNT }));
    assertBlocked(run(req(`arn:aws:iam::${OTHER}:user/dave`), { resource, identity, resourceAccount: ACCOUNT }), 'ExplicitDeny', {
      layer: 'resource',
      kind: 'explicit',
    });
  });
});

describe('federated-user sessions (GetFederationToken)', () => {
  const identity = [doc(allow('s3:*'))];

  test('without a session policy the session has no permissions', () => {
    const d = run(req(FEDERATED), { identity });
    assertBlocked(d, 'ImplicitDeny', { layer: 'session', kind: 'implicit' });
    assert.deepEqual(d.decidedBy, []);
  });

  test('a session policy allowing: allowed by the intersection', () => {
    assertAllowed(run(req(FEDERATED), { identity, session: [doc(allow('s3:GetObject'))] }), ['identity[0]#0', 'session[0]#0']);
    assertBlocked(run(req(FEDERATED), { identity, session: [doc(allow('ec2:*'))] }), 'ImplicitDeny', { layer: 'session', kind: 'implicit' });
  });

  test('a resource policy naming the federated user allows it without a session policy', () => {
    assertAllowed(run(req(FEDERATED), { resource: doc(grant({ AWS: FEDERATED })) }), ['resource#0']);
  });

  test('an assumed-role session without a session policy keeps its role permissions', () => {
    assertAllowed(run(req(SESSION), { identity }), ['identity[0]#0']);
  });
});

describe('decidedBy', () => {
  test('an Allow lists every applicable Allow statement of every deciding policy, with its sid', () => {
    const d = run(req(USER), {
      identity: [doc({ Sid: 'Read', ...allow('s3:Get*') }, allow('ec2:*'), allow('s3:GetObject', `${BUCKET}/*`)), doc(allow('*'))],
    });
    assertAllowed(d);
    assert.deepEqual(d.decidedBy, [
      { layer: 'identity', policyId: 'identity[0]', statementIndex: 0, effect: 'Allow', sid: 'Read' },
      { layer: 'identity', policyId: 'identity[0]', statementIndex: 2, effect: 'Allow' },
      { layer: 'identity', policyId: 'identity[1]', statementIndex: 0, effect: 'Allow' },
    ]);
  });

  test('an implicit deny has no deciding statements', () => {
    const d = run(req(USER), { identity: [doc(allow('ec2:*'))] });
    assertBlocked(d, 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
    assert.deepEqual(d.decidedBy, []);
  });

  test('an explicit deny lists the Deny statements only', () => {
    const d = run(req(USER), { identity: [doc(allow('*'), { Sid: 'NoGet', ...deny() })] });
    assert.deepEqual(d.decidedBy, [{ layer: 'identity', policyId: 'identity[0]', statementIndex: 1, effect: 'Deny', sid: 'NoGet' }]);
  });

  test('a single statement (not in an array) is index 0', () => {
    const d = run(req(USER), { identity: [{ Version: '2012-10-17', Statement: allow() }] });
    assertAllowed(d, ['identity[0]#0']);
  });
});

describe('AccessDenied messages', () => {
  const r = req(USER);
  const message = (s: Setup, request = r) => accessDeniedMessage(request, run(request, s));

  test('implicit deny by identity policies', () => {
    assert.equal(
      message({}),
      `User: ${USER} is not authorized to perform: s3:GetObject on resource: ${OBJECT} because no identity-based policy allows the s3:GetObject action`,
    );
  });

  test('explicit deny in a service control policy', () => {
    assert.equal(
      message({ identity: [doc(allow('*'))], scps: [[doc(allow('*'), deny('s3:*'))]] }),
      `User: ${USER} is not authorized to perform: s3:GetObject on resource: ${OBJECT} with an explicit deny in a service control policy`,
    );
  });

  test('each layer has its own wording', () => {
    const head = `User: ${USER} is not authorized to perform: s3:GetObject on resource: ${OBJECT}`;
    const id = [doc(allow('*'))];
    assert.equal(message({ identity: id, scps: [[doc(allow('ec2:*'))]] }), `${head} because no service control policy allows the s3:GetObject action`);
    assert.equal(message({ identity: id, resourceAccount: OTHER }), `${head} because no resource-based policy allows the s3:GetObject action`);
    assert.equal(message({ identity: id, boundary: doc(allow('ec2:*')) }), `${head} because no permissions boundary allows the s3:GetObject action`);
    assert.equal(message({ identity: [doc(deny())] }), `${head} with an explicit deny in an identity-based policy`);
    assert.equal(message({ identity: id, resource: doc({ ...deny(), Principal: '*' }) }), `${head} with an explicit deny in a resource-based policy`);
    assert.equal(message({ identity: id, boundary: doc(allow('*'), deny()) }), `${head} with an explicit deny in a permissions boundary`);
    const s = req(SESSION);
    const sessionHead = `User: ${SESSION} is not authorized to perform: s3:GetObject on resource: ${OBJECT}`;
    assert.equal(message({ identity: id, session: [doc(allow('ec2:*'))] }, s), `${sessionHead} because no session policy allows the s3:GetObject action`);
    assert.equal(message({ identity: id, session: [doc(allow('*'), deny())] }, s), `${sessionHead} with an explicit deny in a session policy`);
  });

  test('no message for an Allow', () => {
    assert.equal(message({ identity: [doc(allow())] }), undefined);
  });

  test('explainDecision names the statements or the layer', () => {
    assert.equal(explainDecision(run(r, { identity: [doc({ Sid: 'Read', ...allow() })] })), 'Allowed by identity[0]#0 (Read)');
    assert.match(explainDecision(run(r, { identity: [doc(allow('*'))], scps: [[doc(allow('*'))], [doc(allow('ec2:*'))]] })), /scp level 1/);
    assert.match(explainDecision(run(r, { identity: [doc(deny())] })), /identity[^]*identity\[0\]#0/);
  });
});

describe('Action, NotAction, Resource, NotResource', () => {
  test('actions are case-insensitive, resources are not', () => {
    assertAllowed(run(req(USER, 's3:getobject'), { identity: [doc(allow('S3:GetObject'))] }));
    assertBlocked(run(req(USER, 's3:GetObject', OBJECT.toUpperCase()), { identity: [doc(allow('s3:GetObject', `${BUCKET}/*`))] }), 'ImplicitDeny', {
      layer: 'identity',
      kind: 'implicit',
    });
  });

  test('NotAction allows everything else', () => {
    const identity = [doc({ Effect: 'Allow', NotAction: ['iam:*', 's3:Put*'], Resource: '*' })];
    assertAllowed(run(req(USER), { identity }));
    assertBlocked(run(req(USER, 'iam:CreateUser', '*'), { identity }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
    assertBlocked(run(req(USER, 's3:PutObject'), { identity }), 'ImplicitDeny', { layer: 'identity', kind: 'implicit' });
  });

  test('NotResource applies to every other resource', () => {
    const identity = [doc(allow('s3:*', '*'), { Effect: 'Deny', Action: 's3:*', NotResource: [`${BUCKET}/public/*`] })];
    assertAllowed(run(req(USER, 's3:GetObject', `${BUCKET}/public/a`), { identity }));
    assertBlocked(run(req(USER), { identity }), 'ExplicitDeny', { layer: 'identity', kind: 'explicit' });
  });
});

describe('compilation of malformed documents', () => {
  const junk: unknown[] = [
    42,
    null,
    undefined,
    true,
    'not json',
    '"a string"',
    '[1,2]',
    'null',
    '{"Statement": ',
    [],
    [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    {},
    { Version: '2012-10-17' },
    { Statement: 42 },
    { Statement: null },
    { Statement: 'Allow everything' },
    { Statement: [null, 1, 'x', [], true] },
    { Statement: { Effect: 'Allow' } },
    { Statement: { Effect: 'allow', Action: '*', Resource: '*' } },
    { Statement: { Effect: ['Allow'], Action: '*', Resource: '*' } },
    { Statement: { Effect: 'Allow', Action: 42, Resource: '*' } },
    { Statement: { Effect: 'Allow', Action: ['s3:*', 1], Resource: '*' } },
    { Statement: { Effect: 'Allow', Action: null, Resource: '*' } },
    { Statement: { Effect: 'Allow', Action: {}, Resource: '*' } },
    { Statement: { Effect: 'Allow', Action: '*', Resource: {} } },
    { Statement: { Effect: 'Allow', Action: '*', Resource: [null] } },
    { Statement: { Effect: 'Allow', Action: '*', NotAction: 'iam:*', Resource: '*' } },
    { Statement: { Effect: 'Allow', Action: '*', Resource: '*', NotResource: 'x' } },
    { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: 'x' } },
    { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: [] } },
    { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: 'x' } } },
    { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bogus: { k: 'v' } } } },
    { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { k: { nested: 1 } } } } },
    { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { Null: { k: [{}] } } } },
    { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Principal: 42 } },
    { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Principal: { AWS: [1] } } },
    { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Principal: ACCOUNT } },
  ];

  test('compilePolicy never throws, and such policies grant nothing', () => {
    for (const d of junk) {
      const label = JSON.stringify(d) ?? String(d);
      const p = compilePolicy(d, { id: 'junk', layer: 'identity' });
      for (const r of [req(USER), req(USER, 'iam:CreateUser', '*', { k: 'v' }), req(SESSION, 'ec2:RunInstances', '*')]) {
        const decision = evaluate(r, { identity: [p] });
        assert.equal(decision.decision, 'ImplicitDeny', label);
        assert.deepEqual(decision.blockedBy, { layer: 'identity', kind: 'implicit' }, label);
      }
    }
  });

  test('as a resource policy, boundary, session policy or SCP they grant nothing either', () => {
    const identity = [compilePolicy(doc(allow('*')), { id: 'identity[0]', layer: 'identity' })];
    for (const d of junk) {
      const label = JSON.stringify(d) ?? String(d);
      const resource = compilePolicy(d, { id: 'resource', layer: 'resource' });
      assert.equal(evaluate(req(USER), { identity: [], resource }).decision, 'ImplicitDeny', label);
      const boundary = compilePolicy(d, { id: 'boundary', layer: 'boundary' });
      assert.deepEqual(evaluate(req(USER), { identity, boundary }).blockedBy, { layer: 'boundary', kind: 'implicit' }, label);
      const session = [compilePolicy(d, { id: 'session[0]', layer: 'session' })];
      assert.deepEqual(evaluate(req(SESSION), { identity, session }).blockedBy, { layer: 'session', kind: 'implicit' }, label);
      const scps = [[compilePolicy(d, { id: 'scp[0][0]', layer: 'scp', scpLevel: 0 })]];
      assert.deepEqual(evaluate(req(USER), { identity, scps }).blockedBy, { layer: 'scp', kind: 'implicit', scpLevel: 0 }, label);
    }
  });

  test(
    'a statement with both Principal and NotPrincipal is rejected like Action+NotAction and grants nothing',
    () => {
      const d = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*', Principal: '*', NotPrincipal: { AWS: USER } } };
      const p = compilePolicy(d, { id: 'resource', layer: 'resource' });
      assert.ok(p.findings.length > 0, 'a finding for the statement');
      assert.equal(evaluate(req(`arn:aws:iam::${ACCOUNT}:user/bob`), { resource: p }).decision, 'ImplicitDeny');
    },
  );

  test('syntactically broken documents are reported in findings', () => {
    for (const d of [42, null, true, 'not json', '[1,2]', [], { Statement: [1] }, { Statement: { Effect: 'Maybe', Action: '*', Resource: '*' } }]) {
      const p = compilePolicy(d, { id: 'junk', layer: 'identity' });
      assert.ok(p.findings.length > 0, JSON.stringify(d) ?? String(d));
      assert.ok(p.findings.every((f) => f.severity === 'error' && f.code === 'MalformedPolicyDocument'));
    }
  });

  test('a document given as JSON text compiles like the parsed document', () => {
    const text = JSON.stringify(doc(allow()));
    assertAllowed(evaluate(req(USER), { identity: [compilePolicy(text, { id: 'p', layer: 'identity' })] }));
  });
});
