/**
 * A deterministic synthetic account in `aws iam get-account-authorization-details` shape, for
 * escalation tests and timing: users, groups and roles with managed and inline policies mixing
 * data access, a few escalation powers (scoped, conditioned, denied), and trust policies to
 * services, the account and named principals.
 */
const ACCOUNT = '210987654321';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedAccountOptions {
  users: number;
  roles: number;
  groups: number;
  policies: number;
  seed?: number;
}

export function generateAccount(o: GeneratedAccountOptions): unknown {
  const r = rng(o.seed ?? 7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const arn = (kind: string, name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
  const userName = (i: number) => `user${i}`;
  const roleName = (i: number) => `role${i}`;
  const services = ['lambda.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com', 'glue.amazonaws.com'];

  const dataStatement = () => pick([
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::bucket-${Math.floor(r() * 500)}`, `arn:aws:s3:::bucket-${Math.floor(r() * 500)}/*`] },
    { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t${Math.floor(r() * 300)}` },
    { Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage'], Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q${Math.floor(r() * 300)}` },
    { Effect: 'Allow', Action: 'logs:*', Resource: '*' },
    { Effect: 'Allow', Action: ['ec2:Describe*', 'cloudwatch:Get*'], Resource: '*' },
  ]);
  const riskyStatement = () => pick([
    { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: arn('role', roleName(Math.floor(r() * o.roles))) },
    { Effect: 'Allow', Action: 'iam:CreateAccessKey', Resource: arn('user', userName(Math.floor(r() * o.users))) },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: arn('role', roleName(Math.floor(r() * o.roles))), Condition: { StringEquals: { 'iam:PassedToService': pick(services) } } },
    { Effect: 'Allow', Action: ['lambda:CreateFunction', 'lambda:InvokeFunction'], Resource: '*' },
    { Effect: 'Allow', Action: 'iam:AttachUserPolicy', Resource: arn('user', '${aws:username}') },
    { Effect: 'Allow', Action: ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'], Resource: arn('role', roleName(Math.floor(r() * o.roles))) },
    { Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } },
  ]);

  const policies = [];
  for (let i = 0; i < o.policies; i++) {
    const statements = [dataStatement(), dataStatement()];
    if (r() < 0.08) statements.push(riskyStatement());
    if (i % 2000 === 0) statements.push({ Effect: 'Allow', Action: '*', Resource: '*' });
    policies.push({
      PolicyName: `p${i}`, PolicyId: `ANPA${String(i).padStart(17, '0')}`, Arn: arn('policy', `p${i}`), Path: '/',
      DefaultVersionId: 'v1', AttachmentCount: 1, IsAttachable: true,
      PolicyVersionList: [{ Document: { Version: '2012-10-17', Statement: statements }, VersionId: 'v1', IsDefaultVersion: true }],
    });
  }
  const attach = (n: number) => Array.from({ length: n }, () => {
    const k = Math.floor(r() * o.policies);
    return { PolicyName: `p${k}`, PolicyArn: arn('policy', `p${k}`) };
  });
  const groups = Array.from({ length: o.groups }, (_, i) => ({
    Path: '/', GroupName: `group${i}`, GroupId: `AGPA${String(i).padStart(17, '0')}`, Arn: arn('group', `group${i}`),
    GroupPolicyList: [], AttachedManagedPolicies: attach(2),
  }));
  const users = Array.from({ length: o.users }, (_, i) => ({
    Path: '/', UserName: userName(i), UserId: `AIDA${String(i).padStart(17, '0')}`, Arn: arn('user', userName(i)),
    UserPolicyList: r() < 0.3 ? [{ PolicyName: 'inline', PolicyDocument: { Version: '2012-10-17', Statement: [dataStatement(), r() < 0.1 ? riskyStatement() : dataStatement()] } }] : [],
    GroupList: [`group${Math.floor(r() * o.groups)}`],
    AttachedManagedPolicies: attach(3),
    Tags: [{ Key: 'team', Value: pick(['a', 'b', 'c']) }],
  }));
  const roles = Array.from({ length: o.roles }, (_, i) => {
    const kind = r();
    const principal = kind < 0.5 ? { Service: pick(services) } : kind < 0.8 ? { AWS: `arn:aws:iam::${ACCOUNT}:root` } : { AWS: arn('user', userName(Math.floor(r() * o.users))) };
    return {
      Path: '/', RoleName: roleName(i), RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: arn('role', roleName(i)),
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] },
      InstanceProfileList: 'Service' in principal && principal.Service === 'ec2.amazonaws.com' ? [{ InstanceProfileName: roleName(i), Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${roleName(i)}` }] : [],
      RolePolicyList: [], AttachedManagedPolicies: attach(3), Tags: [],
    };
  });
  return { UserDetailList: users, GroupDetailList: groups, RoleDetailList: roles, Policies: policies };
}
