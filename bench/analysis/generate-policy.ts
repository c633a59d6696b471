/**
 * Seeded IAM policy documents shaped like a real account's: per-application grants on named
 * buckets, tables, queues, secrets and keys, wildcards (`s3:*` on `logs-*`, `ec2:Describe*` on
 * `*`), conditions on the request (`aws:SourceIp`, `kms:ViaService`) and on the principal
 * (`aws:PrincipalTag/team`, `${aws:username}`), a few Deny statements and a rare `NotAction`.
 */
import type { Rng } from './prng.js';

export interface PolicyWorld {
  accountId: string;
  /** Application names; every resource of an application is named after it. */
  apps: readonly string[];
  teams: readonly string[];
  /** Role names that PassRole and AssumeRole statements may name. */
  roleNames: readonly string[];
}

type Statement = Record<string, unknown>;
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

/** The ARNs of one application's resources. */
export function appResources(world: PolicyWorld, app: string, appIndex: number) {
  const region = REGIONS[appIndex % REGIONS.length];
  const a = world.accountId;
  const keyId = `${(appIndex * 2654435761 >>> 0).toString(16).padStart(8, '0')}-${app.slice(-4).padStart(4, '0')}-4000-8000-${String(appIndex).padStart(12, '0')}`;
  return {
    bucket: `arn:aws:s3:::${app}-data`,
    logsPattern: `arn:aws:s3:::logs-${app}-*`,
    table: `arn:aws:dynamodb:${region}:${a}:table/${app}-orders`,
    queue: `arn:aws:sqs:${region}:${a}:${app}-jobs`,
    topic: `arn:aws:sns:${region}:${a}:${app}-events`,
    secret: `arn:aws:secretsmanager:${region}:${a}:secret:${app}/db-${app.slice(-6).padStart(6, 'x')}`,
    key: `arn:aws:kms:${region}:${a}:key/${keyId}`,
    fn: `arn:aws:lambda:${region}:${a}:function:${app}-handler`,
    repo: `arn:aws:ecr:${region}:${a}:repository/${app}`,
    params: `arn:aws:ssm:${region}:${a}:parameter/${app}/*`,
    logGroup: `arn:aws:logs:${region}:${a}:log-group:/aws/lambda/${app}-*:*`,
    region,
  };
}

type Template = (rng: Rng, world: PolicyWorld, app: string, appIndex: number) => Statement;

const TEMPLATES: { weight: number; build: Template }[] = [
  { weight: 10, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [appResources(w, app, i).bucket, `${appResources(w, app, i).bucket}/*`] }) },
  { weight: 6, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject', 's3:GetObject'], Resource: `${appResources(w, app, i).bucket}/*` }) },
  { weight: 3, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: 's3:*', Resource: [appResources(w, app, i).logsPattern, `${appResources(w, app, i).logsPattern}/*`] }) },
  {
    weight: 8,
    build: (_r, w, app, i) => ({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchGetItem'],
      Resource: [appResources(w, app, i).table, `${appResources(w, app, i).table}/index/*`],
    }),
  },
  { weight: 4, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: ['dynamodb:Get*', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:Describe*'], Resource: appResources(w, app, i).table }) },
  { weight: 6, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: appResources(w, app, i).queue }) },
  { weight: 4, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: 'sns:Publish', Resource: appResources(w, app, i).topic }) },
  { weight: 5, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: appResources(w, app, i).secret }) },
  {
    weight: 4,
    build: (_r, w, app, i) => ({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: appResources(w, app, i).key,
      Condition: { StringEquals: { 'kms:ViaService': `s3.${appResources(w, app, i).region}.amazonaws.com` } },
    }),
  },
  { weight: 4, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: ['lambda:InvokeFunction', 'lambda:GetFunction'], Resource: appResources(w, app, i).fn }) },
  { weight: 2, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: ['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion'], Resource: appResources(w, app, i).fn }) },
  { weight: 4, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: appResources(w, app, i).logGroup }) },
  { weight: 3, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: ['ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:BatchCheckLayerAvailability'], Resource: appResources(w, app, i).repo }) },
  { weight: 3, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'], Resource: appResources(w, app, i).params }) },
  { weight: 3, build: () => ({ Effect: 'Allow', Action: ['ec2:Describe*', 'cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'], Resource: '*' }) },
  { weight: 2, build: (r) => ({ Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': `App/${r.int(1, 50)}` } } }) },
  { weight: 2, build: () => ({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }) },
  {
    weight: 2,
    build: (r, w) => ({
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${w.accountId}:role/${r.pick(w.roleNames)}`,
      Condition: { StringEquals: { 'iam:PassedToService': r.pick(['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com', 'ec2.amazonaws.com']) } },
    }),
  },
  { weight: 2, build: (r, w) => ({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${w.accountId}:role/${r.pick(w.roleNames)}` }) },
  {
    weight: 2,
    build: (r, w, app, i) => ({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `${appResources(w, app, i).bucket}/*`,
      Condition: { IpAddress: { 'aws:SourceIp': [`10.${r.int(0, 255)}.0.0/16`, `192.168.${r.int(0, 255)}.0/24`] } },
    }),
  },
  {
    weight: 2,
    build: (r, w, app, i) => ({ Effect: 'Allow', Action: 'dynamodb:*', Resource: appResources(w, app, i).table, Condition: { StringEquals: { 'aws:PrincipalTag/team': r.pick(w.teams) } } }),
  },
  {
    weight: 2,
    build: (_r, w) => ({
      Effect: 'Allow',
      Action: ['iam:ChangePassword', 'iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:ListAccessKeys', 'iam:GetUser'],
      Resource: `arn:aws:iam::${w.accountId}:user/\${aws:username}`,
    }),
  },
  { weight: 1, build: (_r, w, app, i) => ({ Effect: 'Allow', Action: 'sqs:*', Resource: `arn:aws:sqs:${appResources(w, app, i).region}:${w.accountId}:${app}-*` }) },
  { weight: 1, build: () => ({ Effect: 'Deny', Action: ['s3:DeleteBucket', 's3:PutBucketPolicy'], Resource: '*' }) },
  { weight: 1, build: (_r, w, app, i) => ({ Effect: 'Deny', Action: 's3:*', Resource: [appResources(w, app, i).bucket, `${appResources(w, app, i).bucket}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }) },
  { weight: 0.3, build: (_r, w, app) => ({ Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'], Resource: `arn:aws:iam::${w.accountId}:role/${app}-*` }) },
  // Rare risky grants, as real accounts have: the escalation graph finds paths through them.
  { weight: 0.05, build: (_r, w) => ({ Effect: 'Allow', Action: ['iam:CreateAccessKey', 'iam:ListAccessKeys'], Resource: `arn:aws:iam::${w.accountId}:user/*` }) },
  { weight: 0.1, build: () => ({ Effect: 'Allow', Action: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'], Resource: '*' }) },
  { weight: 0.05, build: (_r, w, app) => ({ Effect: 'Allow', Action: ['iam:AttachRolePolicy', 'iam:PutRolePolicy'], Resource: `arn:aws:iam::${w.accountId}:role/${app}-*` }) },
  { weight: 0.04, build: () => ({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }) },
];

const TOTAL_WEIGHT = TEMPLATES.reduce((n, t) => n + t.weight, 0);

function pickTemplate(rng: Rng): Template {
  let x = rng.next() * TOTAL_WEIGHT;
  for (const t of TEMPLATES) {
    x -= t.weight;
    if (x < 0) return t.build;
  }
  return TEMPLATES[0].build;
}

/** An identity policy for one application: 1 to 4 statements, Sids on some. */
export function generateIdentityPolicy(rng: Rng, world: PolicyWorld, appIndex = rng.skewed(world.apps.length)): PolicyDocument {
  const app = world.apps[appIndex];
  const n = rng.int(1, 4);
  const statements: Statement[] = [];
  for (let i = 0; i < n; i++) {
    const s = pickTemplate(rng)(rng, world, app, appIndex);
    statements.push(rng.chance(0.4) ? { Sid: `S${i}${app.replace(/[^A-Za-z0-9]/g, '')}`, ...s } : s);
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** An older version of `doc`: one statement fewer or broader, as policies drift over time. */
export function olderVersion(rng: Rng, doc: PolicyDocument): PolicyDocument {
  if (doc.Statement.length > 1 && rng.chance(0.5)) return { ...doc, Statement: doc.Statement.slice(1) };
  const first = doc.Statement[0];
  const action = first.Action;
  const service = typeof action === 'string' ? action.split(':')[0] : Array.isArray(action) ? String(action[0]).split(':')[0] : 's3';
  return { ...doc, Statement: [{ ...first, Action: `${service}:*` }, ...doc.Statement.slice(1)] };
}

/** A permissions boundary: the services a team may use at most. */
export function generateBoundary(rng: Rng): PolicyDocument {
  const services = rng.sample(['s3', 'dynamodb', 'sqs', 'sns', 'lambda', 'logs', 'cloudwatch', 'kms', 'secretsmanager', 'ssm', 'ecr'], rng.int(2, 6));
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Services', Effect: 'Allow', Action: services.map((s) => `${s}:*`), Resource: '*' },
      { Sid: 'NoIam', Effect: 'Deny', Action: ['iam:*', 'organizations:*'], Resource: '*' },
    ],
  };
}

/** A trust policy of one of the usual shapes. */
export function generateTrustPolicy(rng: Rng, world: PolicyWorld, userNames: readonly string[]): PolicyDocument {
  const a = world.accountId;
  const x = rng.next();
  let s: Statement;
  if (x < 0.55) s = { Effect: 'Allow', Principal: { Service: rng.pick(['lambda.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com']) }, Action: 'sts:AssumeRole' };
  else if (x < 0.7) s = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${a}:root` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } };
  else if (x < 0.9) s = { Effect: 'Allow', Principal: { AWS: rng.sample(userNames, rng.int(1, 3)).map((u) => `arn:aws:iam::${a}:user/${u}`) }, Action: 'sts:AssumeRole' };
  else if (x < 0.96) {
    s = {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${a}:oidc-provider/token.actions.githubusercontent.com` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': `repo:example/${rng.pick(world.apps)}:*` } },
    };
  } else s = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${String(rng.int(100000000000, 999999999999))}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': rng.hex(16) } } };
  return { Version: '2012-10-17', Statement: [s] };
}
