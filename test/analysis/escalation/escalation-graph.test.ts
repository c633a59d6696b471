import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AccountIndex, importAuthorizationDetails } from '../../../src/analysis/account/index.js';
import { ADMIN_NODE, buildEscalationGraph, formatPathLine, type EscalationGraph } from '../../../src/analysis/escalation/index.js';
import { ADMIN_POLICY, ModelBuilder, allow, arn, deny, doc, trustAws, trustService } from './model.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/analysis/small-account.json', import.meta.url), 'utf8')) as unknown;
const FX = (kind: 'user' | 'role', name: string) => `arn:aws:iam::111122223333:${kind}/${name}`;

function graphOf(b: ModelBuilder): EscalationGraph {
  return buildEscalationGraph(new AccountIndex(b.build()));
}

/** The methods along a principal's path to admin, or undefined. */
function route(g: EscalationGraph, from: string): string[] | undefined {
  return g.pathToAdmin(from)?.edges.map((e) => `${e.method}${e.to === ADMIN_NODE ? '' : `>${e.to.split('/').pop()}`}`);
}

function edgesFrom(g: EscalationGraph, from: string): string[] {
  return g.outgoing(from).map((e) => `${e.method}>${e.to === ADMIN_NODE ? 'admin' : e.to.split('/').pop()}`).sort();
}

describe('escalation graph: the small-account fixture', () => {
  const { model } = importAuthorizationDetails(fixture);
  const g = buildEscalationGraph(new AccountIndex(model));

  it('finds the administrators, and not erin, whose boundary allows S3 reads only', () => {
    const admins = g.nodes.filter((n) => n.admin).map((n) => n.name).sort();
    assert.deepEqual(admins, ['AdminRole', 'LambdaExec', 'admin', 'alice']);
    assert.equal(g.node(FX('user', 'erin'))?.admin, false);
    assert.equal(g.pathToAdmin(FX('user', 'erin')), undefined);
    assert.deepEqual(edgesFrom(g, FX('user', 'erin')), []);
  });

  it('bob creates an access key for alice, an administrator', () => {
    assert.deepEqual(route(g, FX('user', 'dev/bob')), ['iam-002>alice', 'admin']);
    const step = g.pathToAdmin(FX('user', 'dev/bob'))?.edges[0].steps[0];
    assert.equal(step?.action, 'iam:CreateAccessKey');
    assert.equal(step?.resource, FX('user', 'alice'));
    assert.deepEqual(step?.statements.map((s) => [s.policyId, s.statementIndex, s.sid]), [[`${FX('user', 'dev/bob')}#keys-for-others`, 0, 'ManageKeys']]);
  });

  it('dave assumes DeployRole, which attaches a policy to dave', () => {
    const path = g.pathToAdmin(FX('user', 'dave'));
    assert.ok(path);
    assert.equal(formatPathLine(path), 'dave → DeployRole (sts:AssumeRole; sts-001) → admin (iam:AttachUserPolicy on dave; iam-008)');
    assert.equal(path.conditional, false);
    assert.deepEqual(path.edges[0].steps[0].statements.map((s) => s.policyId), [`${FX('role', 'DeployRole')}#trust`]);
    assert.deepEqual(path.edges[1].steps[0].statements.map((s) => s.policyId), [`${FX('role', 'DeployRole')}#deploy`]);
  });

  it('DeployRole alone cannot use its grant to dave: it holds no credentials of dave', () => {
    assert.equal(g.pathToAdmin(FX('role', 'DeployRole')), undefined);
  });

  it('carol passes LambdaExec (an administrator that trusts Lambda) to a new function', () => {
    assert.deepEqual(route(g, FX('user', 'carol')), ['lambda-001>LambdaExec', 'admin']);
    const steps = g.pathToAdmin(FX('user', 'carol'))?.edges[0].steps ?? [];
    assert.deepEqual(steps.map((s) => s.action), ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction', 'sts:AssumeRole']);
    assert.equal(steps[3].principal, 'lambda.amazonaws.com');
  });

  it('AdminRole requires MFA: the edge into it is conditional', () => {
    const e = g.outgoing(FX('user', 'alice')).find((x) => x.to === FX('role', 'AdminRole'));
    assert.ok(e);
    assert.equal(e.method, 'sts-001');
    assert.equal(e.conditional, true);
    const [p] = g.pathsBetween(FX('user', 'dev/bob'), FX('role', 'AdminRole'));
    assert.equal(p.conditional, true);
    assert.deepEqual(p.edges.map((x) => x.method), ['iam-002', 'sts-001']);
  });

  it('lists exactly the three paths to admin, as JSON', () => {
    const json = JSON.parse(JSON.stringify(g.toJSON())) as { paths: { from: string }[]; nodes: { arn: string; kind: string; admin: boolean }[] };
    assert.deepEqual(json.paths.map((p) => p.from).sort(), [FX('user', 'carol'), FX('user', 'dave'), FX('user', 'dev/bob')]);
    assert.ok(json.nodes.some((n) => n.arn === 'admin' && n.kind === 'admin'));
  });
});

describe('escalation graph: self-escalation', () => {
  it('iam-007: an inline policy on itself', () => {
    const g = graphOf(new ModelBuilder().user('u', { policy: [allow('iam:PutUserPolicy', arn('user', 'u'))] }));
    assert.deepEqual(route(g, arn('user', 'u')), ['iam-007']);
    assert.equal(g.outgoing(arn('user', 'u'))[0].grantTo, arn('user', 'u'));
  });

  it('iam-009: a role attaching a policy to itself', () => {
    const g = graphOf(new ModelBuilder().role('r', { trust: [trustService('ec2.amazonaws.com')], policy: [allow('iam:AttachRolePolicy', arn('role', 'r'))] }));
    assert.deepEqual(route(g, arn('role', 'r')), ['iam-009']);
  });

  it('iam-001: a new version of a customer policy attached to it, and nothing for an AWS managed one', () => {
    const mine = arn('policy', 'Mine');
    const g = graphOf(new ModelBuilder()
      .managed(mine, [doc(allow('s3:GetObject'))])
      .user('u', { attached: [mine, 'arn:aws:iam::aws:policy/ReadOnly'], policy: [allow('iam:CreatePolicyVersion')] })
      .managed('arn:aws:iam::aws:policy/ReadOnly', [doc(allow('s3:Get*'))], true));
    assert.deepEqual(route(g, arn('user', 'u')), ['iam-001']);
    assert.deepEqual(g.outgoing(arn('user', 'u')).map((e) => e.steps[0].resource), [mine]);
  });

  it('rhino-2: an older admin version made default; a harmless older version is no path', () => {
    const p = arn('policy', 'Versions');
    const withAdmin = graphOf(new ModelBuilder().managed(p, [doc(allow('s3:GetObject')), doc(allow('*'))]).user('u', { attached: [p], policy: [allow('iam:SetDefaultPolicyVersion', p)] }));
    assert.deepEqual(route(withAdmin, arn('user', 'u')), ['rhino-2']);
    const harmless = graphOf(new ModelBuilder().managed(p, [doc(allow('s3:GetObject')), doc(allow('s3:*'))]).user('u', { attached: [p], policy: [allow('iam:SetDefaultPolicyVersion', p)] }));
    assert.equal(route(harmless, arn('user', 'u')), undefined);
  });

  it('iam-010 / iam-011 on its own group; iam-013 joining an administrators group, not a harmless one', () => {
    const g = graphOf(new ModelBuilder()
      .group('mine', {}).group('admins', { attached: [ADMIN_POLICY] }).group('readers', { policy: [allow('s3:Get*')] })
      .user('a', { groups: ['mine'], policy: [allow('iam:AttachGroupPolicy', arn('group', 'mine'))] })
      .user('b', { groups: ['mine'], policy: [allow('iam:PutGroupPolicy', arn('group', 'mine'))] })
      .user('c', { policy: [allow('iam:AddUserToGroup', arn('group', 'admins'))] })
      .user('d', { policy: [allow('iam:AddUserToGroup', arn('group', 'readers'))] }));
    assert.deepEqual(route(g, arn('user', 'a')), ['iam-010']);
    assert.deepEqual(route(g, arn('user', 'b')), ['iam-011']);
    assert.deepEqual(route(g, arn('user', 'c')), ['iam-013']);
    assert.equal(route(g, arn('user', 'd')), undefined);
  });
});

describe('escalation graph: boundaries, denies, SCPs and conditions', () => {
  const boundary = arn('policy', 'S3Only');

  it('a boundary keeps a self-granted policy from making an administrator', () => {
    const g = graphOf(new ModelBuilder().managed(boundary, [doc(allow(['s3:*', 'iam:PutUserPolicy']))])
      .user('u', { boundary, policy: [allow('iam:PutUserPolicy', arn('user', 'u'))] }));
    assert.equal(route(g, arn('user', 'u')), undefined);
  });

  it('...unless the principal can also delete its boundary', () => {
    const g = graphOf(new ModelBuilder().managed(boundary, [doc(allow(['s3:*', 'iam:PutUserPolicy', 'iam:DeleteUserPermissionsBoundary']))])
      .user('u', { boundary, policy: [allow(['iam:PutUserPolicy', 'iam:DeleteUserPermissionsBoundary'], arn('user', 'u'))] }));
    assert.deepEqual(g.pathToAdmin(arn('user', 'u'))?.edges[0].steps.map((s) => s.action), ['iam:DeleteUserPermissionsBoundary', 'iam:PutUserPolicy']);
  });

  it('an explicit deny on the target removes the edge', () => {
    const g = graphOf(new ModelBuilder().user('boss', { attached: [ADMIN_POLICY] })
      .user('u', { policy: [allow('iam:CreateAccessKey', arn('user', '*')), deny('iam:CreateAccessKey', arn('user', 'boss'))] })
      .user('other', {}));
    assert.deepEqual(edgesFrom(g, arn('user', 'u')), ['iam-002>other']);
    assert.equal(route(g, arn('user', 'u')), undefined);
  });

  it('an SCP deny removes the edge', () => {
    const g = graphOf(new ModelBuilder().user('boss', { policy: [allow('*')] })
      .user('u', { policy: [allow('iam:CreateAccessKey')] })
      .scp(doc(allow('*'), deny('iam:CreateAccessKey'))));
    assert.deepEqual(edgesFrom(g, arn('user', 'u')), []);
  });

  it('a trust policy that does not admit the principal: no edge, even with sts:AssumeRole on *', () => {
    const g = graphOf(new ModelBuilder().user('u', { policy: [allow('sts:AssumeRole')] }).user('v', {})
      .role('Admin', { trust: [trustAws(arn('user', 'v'))], attached: [ADMIN_POLICY] }));
    assert.equal(route(g, arn('user', 'u')), undefined);
    assert.deepEqual(route(g, arn('user', 'v')), ['sts-001>Admin', 'admin']);
  });

  it('a trust condition on aws:PrincipalTag: only the principal whose tag matches', () => {
    const g = graphOf(new ModelBuilder()
      .user('ops', { tags: { team: 'ops' }, policy: [allow('sts:AssumeRole')] })
      .user('dev', { tags: { team: 'dev' }, policy: [allow('sts:AssumeRole')] })
      .role('Admin', { trust: [trustAws(`arn:aws:iam::123456789012:root`, { StringEquals: { 'aws:PrincipalTag/team': 'ops' } })], attached: [ADMIN_POLICY] }));
    assert.deepEqual(route(g, arn('user', 'ops')), ['sts-001>Admin', 'admin']);
    assert.equal(route(g, arn('user', 'dev')), undefined);
  });

  it('a request condition (source IP) makes the edge and the path conditional', () => {
    const g = graphOf(new ModelBuilder().user('u', { policy: [allow('sts:AssumeRole', '*', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })] })
      .role('Admin', { trust: [trustAws('123456789012')], attached: [ADMIN_POLICY] }));
    const p = g.pathToAdmin(arn('user', 'u'));
    assert.equal(p?.conditional, true);
    assert.equal(p?.edges[0].conditional, true);
  });

  it('an account-root trust needs an identity Allow too', () => {
    const g = graphOf(new ModelBuilder().user('u', {}).role('Admin', { trust: [trustAws('arn:aws:iam::123456789012:root')], attached: [ADMIN_POLICY] }));
    assert.equal(route(g, arn('user', 'u')), undefined);
  });
});

describe('escalation graph: principal access and passed roles', () => {
  it('iam-012: rewrite a trust policy, then assume the role', () => {
    const g = graphOf(new ModelBuilder().user('u', { policy: [allow('iam:UpdateAssumeRolePolicy', arn('role', 'Admin'))] })
      .role('Admin', { trust: [trustService('ec2.amazonaws.com')], attached: [ADMIN_POLICY] }));
    assert.deepEqual(route(g, arn('user', 'u')), ['iam-012>Admin', 'admin']);
    const steps = g.pathToAdmin(arn('user', 'u'))?.edges[0].steps;
    assert.deepEqual(steps?.map((s) => s.action), ['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole']);
    assert.match(steps?.[1].statements[0].policyId ?? '', /#trust \(rewritten\)$/);
  });

  it('iam-014: attach a policy to a role that trusts it, then assume it', () => {
    const g = graphOf(new ModelBuilder().user('u', { policy: [allow(['iam:AttachRolePolicy', 'sts:AssumeRole'], arn('role', 'Worker'))] })
      .role('Worker', { trust: [trustAws('arn:aws:iam::123456789012:root')] }));
    assert.deepEqual(route(g, arn('user', 'u')), ['iam-014']);
    const e = g.pathToAdmin(arn('user', 'u'))?.edges[0];
    assert.equal(e?.via, arn('role', 'Worker'));
    assert.deepEqual(e?.steps.map((s) => s.action), ['iam:AttachRolePolicy', 'sts:AssumeRole']);
  });

  it('iam-015: attach a policy to another user, then create a key for it', () => {
    const g = graphOf(new ModelBuilder().user('u', { policy: [allow(['iam:AttachUserPolicy', 'iam:CreateAccessKey'], arn('user', 'v'))] }).user('v', {}));
    assert.deepEqual(route(g, arn('user', 'u')), ['iam-015']);
  });

  it('iam-003 when the target already has two keys; no edge without iam:DeleteAccessKey', () => {
    const two = graphOf(new ModelBuilder().user('boss', { attached: [ADMIN_POLICY], accessKeys: 2 }).user('u', { policy: [allow(['iam:CreateAccessKey', 'iam:DeleteAccessKey'])] }));
    assert.deepEqual(route(two, arn('user', 'u')), ['iam-003>boss', 'admin']);
    const noDelete = graphOf(new ModelBuilder().user('boss', { attached: [ADMIN_POLICY], accessKeys: 2 }).user('u', { policy: [allow('iam:CreateAccessKey')] }));
    assert.equal(route(noDelete, arn('user', 'u')), undefined);
  });

  it('iam-004 / iam-006: passwords for another user', () => {
    const g = graphOf(new ModelBuilder().user('boss', { attached: [ADMIN_POLICY] }).user('u', { policy: [allow('iam:UpdateLoginProfile', arn('user', 'boss'))] }));
    assert.deepEqual(route(g, arn('user', 'u')), ['iam-006>boss', 'admin']);
  });

  it('PassRole: only to roles that trust the service the method uses', () => {
    const g = graphOf(new ModelBuilder()
      .user('u', { policy: [allow(['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'])] })
      .role('Ec2Admin', { trust: [trustService('ec2.amazonaws.com')], attached: [ADMIN_POLICY] }));
    assert.equal(route(g, arn('user', 'u')), undefined);
  });

  it('ec2-001 needs an instance profile; without one, the instance-profile method needs its own actions', () => {
    const ec2 = ['iam:PassRole', 'ec2:RunInstances'];
    const withProfile = graphOf(new ModelBuilder().user('u', { policy: [allow(ec2)] })
      .role('Ec2Admin', { trust: [trustService('ec2.amazonaws.com')], attached: [ADMIN_POLICY], instanceProfile: true }));
    assert.deepEqual(route(withProfile, arn('user', 'u')), ['ec2-001>Ec2Admin', 'admin']);
    const without = graphOf(new ModelBuilder().user('u', { policy: [allow(ec2)] })
      .role('Ec2Admin', { trust: [trustService('ec2.amazonaws.com')], attached: [ADMIN_POLICY] }));
    assert.equal(route(without, arn('user', 'u')), undefined);
    const make = graphOf(new ModelBuilder().user('u', { policy: [allow([...ec2, 'iam:CreateInstanceProfile', 'iam:AddRoleToInstanceProfile'])] })
      .role('Ec2Admin', { trust: [trustService('ec2.amazonaws.com')], attached: [ADMIN_POLICY] }));
    assert.deepEqual(route(make, arn('user', 'u')), ['pmapper-ec2-new-instance-profile>Ec2Admin', 'admin']);
  });

  it('PassRole denied on the role: no edge', () => {
    const g = graphOf(new ModelBuilder()
      .user('u', { policy: [allow(['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction']), deny('iam:PassRole', arn('role', 'LambdaAdmin'))] })
      .role('LambdaAdmin', { trust: [trustService('lambda.amazonaws.com')], attached: [ADMIN_POLICY] }));
    assert.deepEqual(edgesFrom(g, arn('user', 'u')), []);
  });

  it('multi-hop: user → role → role → admin, and pathsBetween', () => {
    const g = graphOf(new ModelBuilder().user('u', { policy: [allow('sts:AssumeRole', arn('role', 'A'))] })
      .role('A', { trust: [trustAws(arn('user', 'u'))], policy: [allow('sts:AssumeRole', arn('role', 'B'))] })
      .role('B', { trust: [trustAws(arn('role', 'A'))], attached: [ADMIN_POLICY] }));
    assert.deepEqual(route(g, arn('user', 'u')), ['sts-001>A', 'sts-001>B', 'admin']);
    assert.deepEqual(g.pathsBetween(arn('user', 'u'), arn('role', 'B'))[0].edges.map((e) => e.to.split('/').pop()), ['A', 'B']);
    assert.deepEqual(g.pathsBetween(arn('role', 'B'), arn('user', 'u'))[0].edges.map((e) => e.method), ['admin', 'admin']);
    assert.deepEqual(g.pathsBetween(arn('role', 'A'), arn('user', 'u')).length, 1);
  });
});

describe('escalation graph: iam:PassedToService', () => {
  const lambda = ['lambda:CreateFunction', 'lambda:InvokeFunction'];
  const model = (service: string) => new ModelBuilder()
    .user('u', { policy: [allow(lambda), allow('iam:PassRole', '*', { StringEquals: { 'iam:PassedToService': service } })] })
    .role('LambdaAdmin', { trust: [trustService('lambda.amazonaws.com')], attached: [ADMIN_POLICY] });

  it('PassRole limited to another service gives no edge', () => {
    assert.deepEqual(edgesFrom(graphOf(model('ecs-tasks.amazonaws.com')), arn('user', 'u')), []);
  });

  it('PassRole limited to the method\'s service gives the edge', () => {
    assert.ok(edgesFrom(graphOf(model('lambda.amazonaws.com')), arn('user', 'u')).includes('lambda-001>LambdaAdmin'));
  });
});

describe('escalation graph: policy variables in resources', () => {
  const selfService = allow(['iam:CreateAccessKey', 'iam:UpdateLoginProfile'], 'arn:aws:iam::123456789012:user/${aws:username}');

  it('${aws:username} covers the user itself only, and nothing for a role', () => {
    const g = graphOf(new ModelBuilder().managed(arn('policy', 'SelfService'), [doc(selfService)])
      .user('boss', { attached: [ADMIN_POLICY] })
      .user('u', { attached: [arn('policy', 'SelfService')] })
      .role('r', { trust: [trustService('ec2.amazonaws.com')], attached: [arn('policy', 'SelfService')] }));
    assert.deepEqual(edgesFrom(g, arn('user', 'u')), []);
    assert.deepEqual(edgesFrom(g, arn('role', 'r')), []);
  });

  it('${aws:PrincipalTag/team} in a resource: the users of the same team', () => {
    const g = graphOf(new ModelBuilder()
      .user('lead', { tags: { team: 'ops' }, policy: [allow('iam:CreateAccessKey', 'arn:aws:iam::123456789012:user/${aws:PrincipalTag/team}-*')] })
      .user('ops-admin', { attached: [ADMIN_POLICY] })
      .user('dev-admin', { attached: [ADMIN_POLICY] }));
    assert.deepEqual(edgesFrom(g, arn('user', 'lead')), ['iam-002>ops-admin']);
  });
});
