/**
 * A seeded account in the shape of `aws iam get-account-authorization-details` output: users in
 * groups, roles with trust policies, customer managed policies with several versions, inline
 * policies, permissions boundaries, a few administrators and the AWS managed policies they use.
 * The same options give the same document, byte for byte.
 */
import { createRng, type Rng } from './prng.js';
import { generateBoundary, generateIdentityPolicy, generateTrustPolicy, olderVersion, type PolicyDocument, type PolicyWorld } from './generate-policy.js';

export interface GenerateAccountOptions {
  seed?: number;
  users?: number;
  roles?: number;
  groups?: number;
  /** Customer managed policies (the few AWS managed ones come on top). */
  policies?: number;
  apps?: number;
  accountId?: string;
}

export interface GeneratedAccount {
  /** The get-account-authorization-details document. */
  document: Record<string, unknown>;
  counts: { users: number; roles: number; groups: number; managedPolicies: number; policyVersions: number; inlinePolicies: number; boundaries: number; admins: number };
}

const BASE_TIME = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

/** A deterministic IAM-style unique id (`AIDA` + 17 characters). */
function uniqueId(prefix: string, n: number): string {
  return `${prefix}${n.toString(36).toUpperCase().padStart(17, '0')}`;
}

function isoDay(rng: Rng, from = 0, to = 900): string {
  return new Date(BASE_TIME + rng.int(from, to) * DAY).toISOString().replace('.000Z', '+00:00');
}

const AWS_MANAGED: Record<string, PolicyDocument> = {
  AdministratorAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  PowerUserAccess: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
      { Effect: 'Allow', Action: ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization', 'account:ListRegions'], Resource: '*' },
    ],
  },
  ReadOnlyAccess: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['s3', 'dynamodb', 'sqs', 'sns', 'lambda', 'logs', 'cloudwatch', 'ec2', 'ecr', 'ecs', 'iam', 'kms', 'rds', 'ssm', 'cloudformation'].flatMap((s) => [`${s}:Describe*`, `${s}:Get*`, `${s}:List*`]),
        Resource: '*',
      },
    ],
  },
  AmazonS3ReadOnlyAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*'], Resource: '*' }] },
  AWSLambdaBasicExecutionRole: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }] },
  AmazonDynamoDBReadOnlyAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:BatchGetItem', 'dynamodb:Describe*', 'dynamodb:List*', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'cloudwatch:GetMetricStatistics'], Resource: '*' }] },
};

const awsArn = (name: string, path = '/') => `arn:aws:iam::aws:policy${path}${name}`;
const AWS_PATHS: Record<string, string> = { AWSLambdaBasicExecutionRole: '/service-role/' };

export function generateAccount(options: GenerateAccountOptions = {}): GeneratedAccount {
  const seed = options.seed ?? 20250101;
  const nUsers = options.users ?? 3000;
  const nRoles = options.roles ?? 2000;
  const nGroups = options.groups ?? 100;
  const nPolicies = options.policies ?? 20_000;
  const nApps = options.apps ?? Math.max(4, Math.round(nPolicies / 40));
  const accountId = options.accountId ?? '123456789012';
  const rng = createRng(seed);
  const teams = ['platform', 'payments', 'search', 'data', 'mobile', 'web', 'ml', 'security', 'ops', 'growth'];
  const apps = Array.from({ length: nApps }, (_, i) => `app-${String(i).padStart(4, '0')}`);
  const userNames = Array.from({ length: nUsers }, (_, i) => `${teams[i % teams.length]}.user${String(i).padStart(5, '0')}`);
  const roleNames = Array.from({ length: nRoles }, (_, i) => `${apps[i % apps.length]}-${['exec', 'deploy', 'reader', 'worker', 'ci'][i % 5]}-${i}`);
  const world: PolicyWorld = { accountId, apps, teams, roleNames };
  const counts = { users: nUsers, roles: nRoles, groups: nGroups, managedPolicies: 0, policyVersions: 0, inlinePolicies: 0, boundaries: 0, admins: 0 };

  // Customer managed policies, with one to four versions (the newest is the default).
  const policies: Record<string, unknown>[] = [];
  const customerArns: string[] = [];
  const attachmentCount = new Map<string, number>();
  const boundaryUsage = new Map<string, number>();
  for (let i = 0; i < nPolicies; i++) {
    const appIndex = rng.skewed(apps.length);
    const name = `${apps[appIndex]}-policy-${i}`;
    const arn = `arn:aws:iam::${accountId}:policy/${rng.chance(0.2) ? 'teams/' : ''}${name}`;
    const current = generateIdentityPolicy(rng, world, appIndex);
    const nVersions = rng.chance(0.6) ? 1 : rng.int(2, 4);
    const docs = [current];
    for (let v = 1; v < nVersions; v++) docs.push(olderVersion(rng, docs[v - 1]));
    const created = isoDay(rng, 0, 400);
    policies.push({
      PolicyName: name,
      PolicyId: uniqueId('ANPA', i),
      Arn: arn,
      Path: arn.includes('/teams/') ? '/teams/' : '/',
      DefaultVersionId: `v${nVersions}`,
      IsAttachable: true,
      CreateDate: created,
      UpdateDate: isoDay(rng, 400, 900),
      PolicyVersionList: docs.map((doc, v) => ({ Document: doc, VersionId: `v${nVersions - v}`, IsDefaultVersion: v === 0, CreateDate: created })),
    });
    customerArns.push(arn);
    counts.policyVersions += nVersions;
  }
  // A few boundaries, shared by the principals that have one.
  const boundaryArns: string[] = [];
  for (let i = 0; i < Math.max(1, Math.round(nPolicies / 1000)); i++) {
    const arn = `arn:aws:iam::${accountId}:policy/boundaries/team-boundary-${i}`;
    policies.push({
      PolicyName: `team-boundary-${i}`,
      PolicyId: uniqueId('ANPB', i),
      Arn: arn,
      Path: '/boundaries/',
      DefaultVersionId: 'v1',
      IsAttachable: true,
      CreateDate: isoDay(rng, 0, 100),
      UpdateDate: isoDay(rng, 100, 200),
      PolicyVersionList: [{ Document: generateBoundary(rng), VersionId: 'v1', IsDefaultVersion: true, CreateDate: isoDay(rng, 0, 100) }],
    });
    boundaryArns.push(arn);
    counts.policyVersions += 1;
  }
  const usedAws = new Set<string>();
  const attachCustomer = (): string[] => {
    const out = new Set<string>();
    const n = rng.int(1, 4);
    for (let i = 0; i < n; i++) out.add(customerArns[rng.skewed(customerArns.length)]);
    return [...out];
  };
  const attached = (arns: string[]) =>
    arns.map((arn) => {
      attachmentCount.set(arn, (attachmentCount.get(arn) ?? 0) + 1);
      return { PolicyName: arn.slice(arn.lastIndexOf('/') + 1), PolicyArn: arn };
    });
  const awsPolicy = (name: string): string => {
    usedAws.add(name);
    return awsArn(name, AWS_PATHS[name]);
  };
  let inlineCounter = 0;
  const inlinePolicies = (n: number, appIndex?: number) =>
    Array.from({ length: n }, () => {
      counts.inlinePolicies++;
      return { PolicyName: `inline-${inlineCounter++}`, PolicyDocument: generateIdentityPolicy(rng, world, appIndex) };
    });
  const boundaryOf = () => {
    counts.boundaries++;
    const arn = rng.pick(boundaryArns);
    boundaryUsage.set(arn, (boundaryUsage.get(arn) ?? 0) + 1);
    return { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn };
  };

  const groups = Array.from({ length: nGroups }, (_, i) => {
    const name = i === 0 ? 'admins' : i === 1 ? 'readonly' : `${teams[i % teams.length]}-${apps[i % apps.length]}`;
    const managed = i === 0 ? [awsPolicy('AdministratorAccess')] : i === 1 ? [awsPolicy('ReadOnlyAccess')] : attachCustomer();
    return {
      Path: '/',
      GroupName: name,
      GroupId: uniqueId('AGPA', i),
      Arn: `arn:aws:iam::${accountId}:group/${name}`,
      CreateDate: isoDay(rng, 0, 300),
      GroupPolicyList: i > 1 && rng.chance(0.3) ? inlinePolicies(1, i % apps.length) : [],
      AttachedManagedPolicies: attached(managed),
    };
  });

  const nAdminUsers = Math.max(1, Math.round(nUsers / 600));
  const users = userNames.map((name, i) => {
    const admin = i < nAdminUsers;
    const groupNames = admin ? ['admins'] : rng.sample(groups.slice(1), rng.int(1, 3)).map((g) => g.GroupName);
    if (admin) counts.admins++;
    const managed = admin ? [] : rng.chance(0.6) ? attachCustomer() : [];
    if (!admin && rng.chance(0.015)) managed.push(awsPolicy(rng.pick(['PowerUserAccess', 'AmazonS3ReadOnlyAccess', 'AmazonDynamoDBReadOnlyAccess'])));
    const team = teams[i % teams.length];
    return {
      Path: '/',
      UserName: name,
      UserId: uniqueId('AIDA', i),
      Arn: `arn:aws:iam::${accountId}:user/${name}`,
      CreateDate: isoDay(rng),
      UserPolicyList: !admin && rng.chance(0.25) ? inlinePolicies(rng.int(1, 2)) : [],
      GroupList: groupNames,
      AttachedManagedPolicies: attached(managed),
      ...(!admin && rng.chance(0.05) ? { PermissionsBoundary: boundaryOf() } : {}),
      Tags: [{ Key: 'team', Value: team }],
    };
  });

  const nAdminRoles = Math.max(1, Math.round(nRoles / 400));
  const roles = roleNames.map((name, i) => {
    const admin = i < nAdminRoles;
    if (admin) counts.admins++;
    const appIndex = i % apps.length;
    const managed = admin ? [awsPolicy('AdministratorAccess')] : attachCustomer();
    if (!admin && name.includes('-exec-')) managed.push(awsPolicy('AWSLambdaBasicExecutionRole'));
    return {
      Path: rng.chance(0.1) ? '/service-role/' : '/',
      RoleName: name,
      RoleId: uniqueId('AROA', i),
      Arn: `arn:aws:iam::${accountId}:role/${name}`,
      CreateDate: isoDay(rng),
      AssumeRolePolicyDocument: generateTrustPolicy(rng, world, userNames),
      InstanceProfileList: name.includes('-worker-') ? [{ InstanceProfileName: name, Arn: `arn:aws:iam::${accountId}:instance-profile/${name}` }] : [],
      RolePolicyList: !admin && rng.chance(0.5) ? inlinePolicies(rng.int(1, 2), appIndex) : [],
      AttachedManagedPolicies: attached(managed),
      ...(!admin && rng.chance(0.1) ? { PermissionsBoundary: boundaryOf() } : {}),
      Tags: [{ Key: 'team', Value: teams[i % teams.length] }, { Key: 'app', Value: apps[appIndex] }],
      RoleLastUsed: rng.chance(0.7) ? { LastUsedDate: isoDay(rng, 600, 900), Region: 'us-east-1' } : {},
    };
  });

  for (const [i, name] of [...usedAws].sort().entries()) {
    policies.push({
      PolicyName: name,
      PolicyId: uniqueId('ANPC', i),
      Arn: awsArn(name, AWS_PATHS[name]),
      Path: AWS_PATHS[name] ?? '/',
      DefaultVersionId: 'v1',
      IsAttachable: true,
      CreateDate: '2015-02-06T18:39:46+00:00',
      UpdateDate: '2015-02-06T18:39:46+00:00',
      PolicyVersionList: [{ Document: AWS_MANAGED[name], VersionId: 'v1', IsDefaultVersion: true, CreateDate: '2015-02-06T18:39:46+00:00' }],
    });
    counts.policyVersions += 1;
  }
  for (const p of policies) {
    p.AttachmentCount = attachmentCount.get(p.Arn as string) ?? 0;
    p.PermissionsBoundaryUsageCount = boundaryUsage.get(p.Arn as string) ?? 0;
  }
  counts.managedPolicies = policies.length;
  return { document: { UserDetailList: users, GroupDetailList: groups, RoleDetailList: roles, Policies: policies }, counts };
}
