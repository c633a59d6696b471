import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { actionsOfService, expandActionPattern, resourceTypesForArn } from '../../../src/core/catalog/index.js';
import { compilePolicy, evaluate, type PolicyDocument, type StatementDocument } from '../../../src/core/policy/index.js';
import { globMatch } from '../../../src/core/policy/glob.js';
import {
  CAPABILITY_NAMES,
  actionsForCapability,
  capabilitiesOfAction,
  capabilityGrants,
  compressActions,
  generatePolicy,
  resolveResource,
  type Capability,
  type PolicyRequest,
} from '../../../src/analysis/capabilities/index.js';
import { lintPolicy } from '../../../src/analysis/lint/index.js';

const ACCOUNT = '123456789012';
const R = {
  bucket: 'arn:aws:s3:::app-bucket',
  prefix: 'arn:aws:s3:::app-bucket/logs/*',
  table: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`,
  key: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  queue: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`,
  topic: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`,
  secret: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:db-password-AbCdEf`,
  fn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:resize`,
  alias: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:resize:prod`,
  role: `arn:aws:iam::${ACCOUNT}:role/app-role`,
  user: `arn:aws:iam::${ACCOUNT}:user/alice`,
  instance: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
  logGroup: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/app/web`,
  parameter: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/db-url`,
  stream: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/clicks`,
  stateMachine: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:orders`,
  repo: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/web`,
  bucketsByPrefix: 'arn:aws:s3:::app-*',
  allTables: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/*`,
};

/**
 * The resource's own policy, delegating to the account's identity policies (a grant to the account
 * root, as KMS's default key policy does): role trust policies and key policies must allow, and a
 * grant to the account decides nothing by itself, so the identity policy under test decides.
 */
const DELEGATE_TO_ACCOUNT = compilePolicy(
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: '*', Resource: '*' }] },
  { id: 'resource-policy', layer: 'resource' },
);

function statements(doc: PolicyDocument): StatementDocument[] {
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The policy's decision for `action` on `resource`. */
function decide(doc: PolicyDocument, action: string, resource: string): string {
  const policy = compilePolicy(doc, { id: 'generated', layer: 'identity' });
  return evaluate({ principal: `arn:aws:iam::${ACCOUNT}:user/app`, action, resource }, { identity: [policy], resource: DELEGATE_TO_ACCOUNT }).decision;
}

function generate(...requests: PolicyRequest[]) {
  const result = generatePolicy(requests);
  assert.deepEqual(result.errors, [], 'no errors');
  return result;
}

function allows(doc: PolicyDocument, action: string, resource: string): boolean {
  return decide(doc, action, resource) === 'Allow';
}

describe('generatePolicy: the services with overrides', () => {
  test('S3 read-data on a bucket: objects under bucket/*, ListBucket on the bucket, one statement', () => {
    const { document, notes } = generate({ capability: 'read-data', resource: R.bucket });
    const [s] = statements(document);
    assert.equal(statements(document).length, 1);
    assert.equal(s.Sid, 'ReadDataAppBucket');
    assert.deepEqual(s.Resource, [R.bucket, `${R.bucket}/*`]);
    const actions = asList(s.Action);
    for (const a of ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']) assert.ok(actions.includes(a), a);
    for (const a of ['s3:PutObject', 's3:GetBucketPolicy', 's3:GetObjectAcl', 's3:ListAllMyBuckets']) assert.ok(!actions.includes(a), a);
    assert.deepEqual(actions, [...actions].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    assert.ok(allows(document, 's3:GetObject', `${R.bucket}/reports/2024.csv`));
    assert.ok(allows(document, 's3:ListBucket', R.bucket));
    assert.ok(!allows(document, 's3:GetObject', 'arn:aws:s3:::other-bucket/x'));
    assert.ok(!allows(document, 's3:PutObject', `${R.bucket}/x`));
    assert.ok(notes.some((n) => n.includes(`${R.bucket}/*`)), 'a note says objects are covered');
  });

  test('S3 read-data on a prefix: object actions only, and a note about ListBucket', () => {
    const { document, notes } = generate({ capability: 'read-data', resource: R.prefix });
    const [s] = statements(document);
    assert.equal(s.Resource, R.prefix);
    assert.ok(asList(s.Action).includes('s3:GetObject'));
    assert.ok(!asList(s.Action).includes('s3:ListBucket'));
    assert.ok(notes.some((n) => n.includes('s3:ListBucket') && n.includes('bucket')), notes.join('\n'));
  });

  test('S3 write-data, delete-data and administer-resource stay apart', () => {
    const write = asList(statements(generate({ capability: 'write-data', resource: R.bucket }).document)[0].Action);
    assert.ok(write.includes('s3:PutObject') && write.includes('s3:AbortMultipartUpload'));
    for (const a of ['s3:DeleteObject', 's3:PutObjectTagging', 's3:PutBucketPolicy', 's3:GetObject']) assert.ok(!write.includes(a), a);
    const del = asList(statements(generate({ capability: 'delete-data', resource: R.bucket }).document)[0].Action);
    assert.deepEqual(del.filter((a) => a.startsWith('s3:DeleteObject')), ['s3:DeleteObject', 's3:DeleteObjectAnnotation', 's3:DeleteObjectVersion', 's3:DeleteObjectVersionAnnotation']);
    assert.ok(!del.includes('s3:DeleteBucket'));
    const admin = generate({ capability: 'administer-resource', resource: R.bucket }).document;
    assert.ok(allows(admin, 's3:PutBucketPolicy', R.bucket) && allows(admin, 's3:DeleteBucket', R.bucket));
    assert.ok(!allows(admin, 's3:GetObject', `${R.bucket}/x`));
  });

  test('DynamoDB write-data on a table: PutItem, UpdateItem, BatchWriteItem, not DeleteTable', () => {
    const { document } = generate({ capability: 'write-data', resource: R.table });
    const [s] = statements(document);
    assert.equal(s.Sid, 'WriteDataOrders');
    assert.deepEqual(asList(s.Action), ['dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    assert.equal(s.Resource, R.table);
  });

  test('DynamoDB read-data covers the indexes and streams of the table', () => {
    const { document } = generate({ capability: 'read-data', resource: R.table });
    assert.ok(allows(document, 'dynamodb:GetItem', R.table));
    assert.ok(allows(document, 'dynamodb:Query', `${R.table}/index/by-date`));
    assert.ok(allows(document, 'dynamodb:GetRecords', `${R.table}/stream/2024-01-01T00:00:00.000`));
    assert.ok(!allows(document, 'dynamodb:PutItem', R.table));
    assert.ok(!allows(document, 'dynamodb:DescribeTable', R.table));
  });

  test('KMS: use-resource encrypts but does not decrypt; read-data decrypts', () => {
    const use = generate({ capability: 'use-resource', resource: R.key });
    const actions = asList(statements(use.document)[0].Action);
    assert.ok(actions.includes('kms:Encrypt') && actions.includes('kms:GenerateDataKey'));
    assert.ok(!actions.includes('kms:Decrypt') && !actions.includes('kms:ReEncryptFrom'));
    assert.equal(statements(use.document)[0].Sid, 'UseResourceKey1234abcd');
    assert.ok(use.notes.some((n) => n.includes('kms:Decrypt is read-data')));
    const read = asList(statements(generate({ capability: 'read-data', resource: R.key }).document)[0].Action);
    assert.deepEqual(read, ['kms:Decrypt', 'kms:DeriveSharedSecret', 'kms:ReEncryptFrom']);
  });

  test('SQS: a consumer (read-data + delete-data) gets one statement with GetQueueUrl', () => {
    const { document, notes } = generate({ capability: 'read-data', resource: R.queue }, { capability: 'delete-data', resource: R.queue });
    assert.equal(statements(document).length, 1);
    const [s] = statements(document);
    assert.equal(s.Sid, 'ReadDataDeleteDataJobs');
    assert.deepEqual(asList(s.Action), ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:PurgeQueue', 'sqs:ReceiveMessage']);
    assert.ok(notes.some((n) => n.includes('sqs:GetQueueUrl is added')));
    const producer = asList(statements(generate({ capability: 'write-data', resource: R.queue }).document)[0].Action);
    assert.deepEqual(producer, ['sqs:GetQueueUrl', 'sqs:SendMessage']);
  });

  test('SNS: use-resource publishes, read-data subscribes', () => {
    assert.deepEqual(statements(generate({ capability: 'use-resource', resource: R.topic }).document)[0].Action, 'sns:Publish');
    const read = asList(statements(generate({ capability: 'read-data', resource: R.topic }).document)[0].Action);
    assert.deepEqual(read, ['sns:ConfirmSubscription', 'sns:Subscribe']);
  });

  test('Secrets Manager: UpdateSecret only when both administer-resource and write-data are asked for', () => {
    const read = generate({ capability: 'read-data', resource: R.secret });
    assert.deepEqual(statements(read.document)[0], {
      Sid: 'ReadDataDbPassword',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: R.secret,
    });
    const write = asList(statements(generate({ capability: 'write-data', resource: R.secret }).document)[0].Action);
    assert.deepEqual(write, ['secretsmanager:PutSecretValue']);
    const both = generate({ capability: 'write-data', resource: R.secret }, { capability: 'administer-resource', resource: R.secret });
    assert.ok(asList(statements(both.document)[0].Action).includes('secretsmanager:UpdateSecret'));
    // The review view counts it under each of its capabilities.
    assert.ok(actionsForCapability('write-data', R.secret).includes('secretsmanager:UpdateSecret'));
  });

  test('Lambda: use-resource invokes the function, its versions and aliases; not UpdateFunctionCode', () => {
    const { document } = generate({ capability: 'use-resource', resource: R.fn });
    assert.ok(allows(document, 'lambda:InvokeFunction', R.fn));
    assert.ok(allows(document, 'lambda:InvokeFunction', `${R.fn}:prod`));
    assert.ok(allows(document, 'lambda:InvokeFunction', `${R.fn}:7`));
    assert.ok(!allows(document, 'lambda:InvokeFunction', `${R.fn}-other`));
    assert.ok(!allows(document, 'lambda:UpdateFunctionCode', R.fn));
    const onAlias = generate({ capability: 'use-resource', resource: R.alias }).document;
    assert.ok(allows(onAlias, 'lambda:InvokeFunction', R.alias));
    assert.ok(!allows(onAlias, 'lambda:InvokeFunction', `${R.fn}:dev`));
  });

  test('IAM role: use-resource is PassRole and AssumeRole, in one statement', () => {
    const { document, notes } = generate({ capability: 'use-resource', resource: R.role });
    assert.deepEqual(statements(document), [
      { Sid: 'UseResourceAppRole', Effect: 'Allow', Action: ['iam:PassRole', 'sts:AssumeRole'], Resource: R.role },
    ]);
    assert.ok(notes.some((n) => n.includes('sts:TagSession')));
    assert.ok(allows(document, 'sts:AssumeRole', R.role));
    assert.ok(!allows(document, 'sts:TagSession', R.role));
    assert.ok(!allows(document, 'sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/other`));
    const admin = generate({ capability: 'administer-resource', resource: R.role }).document;
    for (const a of ['iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRole', 'iam:TagRole']) assert.ok(allows(admin, a, R.role), a);
    assert.ok(!allows(admin, 'sts:AssumeRole', R.role));
  });
});

describe('generatePolicy: resources, wildcards and errors', () => {
  test('actions that only work on Resource * are left out with a note, or added in their own statement', () => {
    const plain = generatePolicy([{ capability: 'read-config', resource: R.bucket }]);
    assert.ok(!statements(plain.document).some((s) => s.Resource === '*'));
    assert.ok(plain.notes.some((n) => n.includes('s3:') && n.includes('"Resource": "*"') && n.includes('include-unscoped')), plain.notes.join('\n'));
    const withStar = generatePolicy([{ capability: 'read-config', resource: R.bucket }], { includeUnscoped: true });
    const star = statements(withStar.document).find((s) => s.Resource === '*');
    assert.ok(star, 'an unscoped statement');
    assert.equal(star.Sid, 'ReadConfigAllResources');
    assert.ok(allows(withStar.document, 's3:ListAllMyBuckets', '*'));
  });

  test('a wildcard in the ARN keeps the resource sets apart', () => {
    const { document } = generate({ capability: 'read-data', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/*` });
    assert.deepEqual(statements(document).map((s) => s.Sid), ['ReadDataTable', 'ReadDataTableStream', 'ReadDataTableIndex']);
    assert.ok(allows(document, 'dynamodb:Query', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t/index/i`));
    assert.ok(!allows(document, 'dynamodb:GetRecords', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t/index/i`));
  });

  test('bad requests come back as errors, not exceptions; valid ones still make the policy', () => {
    const result = generatePolicy([
      { capability: 'read-data', resource: R.bucket },
      { capability: 'fly', resource: R.bucket },
      { capability: 'read-data', resource: 'not-an-arn' },
      { capability: 'read-data', resource: 'arn:aws:nosuchservice:us-east-1:123456789012:thing/x' },
      { capability: 'read-data', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:nothing/x` },
      { capability: 'delete-data', resource: R.key },
    ]);
    assert.deepEqual(
      result.errors.map((e) => [e.index, e.code]),
      [
        [1, 'unknown-capability'],
        [2, 'malformed-arn'],
        [3, 'unknown-service'],
        [4, 'resource-type-mismatch'],
        [5, 'no-actions'],
      ],
    );
    assert.match(result.errors[3].message, /table\/\$\{TableName\}/);
    assert.match(result.errors[4].message, /\(resource type key\); it offers administer-resource, read-config, read-data, use-resource$/);
    assert.equal(statements(result.document).length, 1);
    assert.deepEqual(generatePolicy([]).errors.map((e) => e.code), ['no-requests']);
    assert.deepEqual(generatePolicy(null as never).errors.map((e) => e.code), ['no-requests']);
    assert.deepEqual(generatePolicy([null as never]).errors.map((e) => e.code), ['unknown-capability']);
  });

  test('resolveResource knows which services act on an ARN', () => {
    const role = resolveResource(R.role);
    assert.ok(!('code' in role));
    // EC2 and SSM also name roles in their resource tables; only IAM is the ARN's own service.
    assert.deepEqual(role.matches.map((m) => `${m.service}:${m.type.name}:${m.home}`).sort(), ['ec2:role:false', 'iam:role:true', 'ssm:iam-role:false', 'sts:role:false']);
  });

  test('compressActions uses a wildcard only when it matches exactly the listed actions', () => {
    const getObjectAll = expandActionPattern('s3:GetObject*');
    const listed = [...getObjectAll, 's3:ListBucket', 's3:PutObject'];
    const compressed = compressActions(listed);
    assert.ok(compressed.includes('s3:GetObject*'), compressed.join());
    // Without one of them the wildcard would grant more: it must not be used (a narrower exact
    // one, s3:GetObjectVersion*, may).
    const withoutAcl = listed.filter((a) => a !== 's3:GetObjectAcl');
    const missingOne = compressActions(withoutAcl);
    assert.ok(!missingOne.includes('s3:GetObject*'), missingOne.join());
    for (const entry of missingOne) {
      for (const a of expandActionPattern(entry)) assert.ok(withoutAcl.includes(a), `${entry} grants ${a}`);
    }
    assert.deepEqual([...new Set(missingOne.flatMap((e) => [...expandActionPattern(e)]))].sort(), [...withoutAcl].sort());
    // Short lists stay explicit.
    assert.deepEqual(compressActions(['s3:GetObjectVersionAnnotation', 's3:GetObjectVersionAnnotationForReplication', 's3:GetObject']), [
      's3:GetObject',
      's3:GetObjectVersionAnnotation',
      's3:GetObjectVersionAnnotationForReplication',
    ]);
  });
});

/** A concrete ARN a pattern stands for (`bucket/*` → `bucket/x`). */
function instance(pattern: string): string {
  return pattern.replace(/\*/g, 'x').replace(/\?/g, 'y');
}

const POOL: string[] = Object.values(R);


describe('generatePolicy: property', () => {
  test('the policy allows exactly the granted actions on the requested resources, and nothing of another capability', () => {
    const request = fc.record({ capability: fc.constantFrom(...CAPABILITY_NAMES), resource: fc.constantFrom(...POOL) });
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 3 }), fc.boolean(), (requests, includeUnscoped) => {
        const result = generatePolicy(requests, { includeUnscoped });
        const valid = requests.filter((_, i) => !result.errors.some((e) => e.index === i));
        if (valid.length === 0) return;
        const policy = compilePolicy(result.document, { id: 'generated', layer: 'identity' });
        const decision = (action: string, resource: string) =>
          evaluate({ principal: `arn:aws:iam::${ACCOUNT}:user/app`, action, resource }, { identity: [policy], resource: DELEGATE_TO_ACCOUNT }).decision;

        // What should be granted: each request's grants, asked together per resource.
        const together = new Map<string, Capability[]>();
        for (const r of valid) together.set(r.resource, [...(together.get(r.resource) ?? []), r.capability]);
        const granted: { action: string; patterns: string[]; capability: Capability }[] = [];
        for (const r of valid) {
          for (const g of capabilityGrants(r.capability, r.resource, { together: together.get(r.resource) }).grants) {
            granted.push({ action: g.action, patterns: [...g.resources], capability: r.capability });
          }
        }
        const expected = (action: string, arn: string) =>
          granted.some((g) => g.action === action && g.patterns.some((p) => globMatch(p, arn)));

        // Every action of the services involved, on the resources and their sub-resources.
        const arns = new Set<string>();
        const services = new Set<string>();
        for (const g of granted) for (const p of g.patterns) arns.add(instance(p));
        for (const r of valid) {
          arns.add(instance(r.resource));
          const resolved = resolveResource(r.resource);
          if (!('code' in resolved)) for (const m of resolved.matches) services.add(m.service);
        }
        // Only where the action can act: GetItem beside `table/t/index/*` in one statement is
        // harmless, since no GetItem request names an index.
        for (const service of services) {
          for (const info of actionsOfService(service)) {
            if (info.resourceTypes.length === 0) continue;
            for (const arn of arns) {
              const types = resourceTypesForArn(service, arn).map((t) => t.name);
              if (!info.resourceTypes.some((rt) => types.includes(rt.name))) continue;
              const allowed = decision(info.action, arn) === 'Allow';
              assert.equal(allowed, expected(info.action, arn), `${info.action} on ${arn}`);
            }
          }
        }

        // An action of a capability not asked for on a resource (nor granted by a pattern covering
        // it, such as table/* for table/orders) is denied there.
        for (const resource of together.keys()) {
          const caps = granted.filter((g) => g.patterns.some((p) => globMatch(p, instance(resource)))).map((g) => g.capability);
          for (const other of CAPABILITY_NAMES.filter((c) => !caps.includes(c))) {
            const action = actionsForCapability(other, resource).find((a) => !capabilitiesOfAction(a).some((c) => caps.includes(c)));
            if (action) assert.notEqual(decision(action, instance(resource)), 'Allow', `${action} (${other}) on ${resource}`);
          }
        }
      }),
      { numRuns: 40, seed: 20240501 },
    );
  });
});

describe('generatePolicy: lint-clean', () => {
  test('no error, security or warning finding for every capability on a broad sample of resources', () => {
    const problems: string[] = [];
    const docs: PolicyDocument[] = [];
    for (const resource of POOL) {
      for (const capability of CAPABILITY_NAMES) {
        const result = generatePolicy([{ capability, resource }]);
        if (result.errors.length === 0) docs.push(result.document);
      }
    }
    // And a few combined policies, with the unscoped statement.
    docs.push(generatePolicy(POOL.map((resource, i) => ({ capability: CAPABILITY_NAMES[i % CAPABILITY_NAMES.length], resource }))).document);
    // Unscoped read-config (s3:ListAllMyBuckets...): no finding either. (Unscoped writes such as
    // kms:GenerateRandom get RISK-INFRA-MODIFICATION, which is why they are opt-in.)
    docs.push(generatePolicy([{ capability: 'read-config', resource: R.bucket }], { includeUnscoped: true }).document);
    assert.ok(docs.length > 60, `${docs.length} policies`);
    for (const doc of docs) {
      for (const f of lintPolicy(doc, { kind: 'identity' })) {
        if (f.severity !== 'suggestion') problems.push(`${f.severity} ${f.id} ${f.path}: ${f.message} in ${JSON.stringify(doc)}`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
