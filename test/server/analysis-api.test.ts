/**
 * The JSON analysis API on a standalone server, called with the CLI's live client: the account
 * export (imported without warnings, and the same account the IAM API describes), usage recorded
 * by /v1/authorize, lint, the settings, and who may call what.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetAccountAuthorizationDetailsCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserPolicyCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import { importAuthorizationDetails, type AccountModel } from '../../src/analysis/account/index.js';
import { loadAccount, loadUsage } from '../../src/cli/account-source.js';
import { createLiveClient, LiveApiError, type LiveClient } from '../../src/cli/live-client.js';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';
import { createNodeHandler } from '../../src/server/node-handler.js';
import { signServiceRequest } from '../e2e/region-harness.js';
import { startTestServer, type Credentials, type TestServer } from '../e2e/server-harness.js';

const io = { readFile: (p: string) => readFile(p, 'utf8') };
const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** A model without what only Gatehouse's export has, and with times as numbers (the two print them differently). */
function comparable(model: AccountModel) {
  const times = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => [k, /Date$/.test(k) ? Date.parse(v as string) : v]));
  return {
    accountId: model.accountId,
    users: model.users.map(({ accessKeys: _k, hasPassword: _h, mfaDevices: _m, passwordLastUsed: _p, ...u }) => times(u)),
    groups: model.groups.map((g) => times({ ...g })),
    roles: model.roles.map(({ description: _d, maxSessionDuration: _s, ...r }) => times(r)),
    policies: [...model.policies.values()].map((p) => times({ ...p, versions: p.versions.map((v) => times({ ...v })) })),
  };
}

async function rejectsWith(work: Promise<unknown>, status: number, code: string, message?: RegExp) {
  await assert.rejects(work, (err: unknown) => {
    assert.ok(err instanceof LiveApiError, String(err));
    assert.equal(err.status, status, err.message);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('analysis API', () => {
  let server: TestServer;
  let credentials: string;
  let account: string;
  let admin: LiveClient;
  let dev: Credentials;
  let devClient: LiveClient;
  const devArn = () => `arn:aws:iam::${account}:user/dev`;

  before(async () => {
    server = await startTestServer();
    account = server.gatehouse.accountId;
    credentials = join(server.dataDir, 'admin-credentials.json');
    admin = createLiveClient({ endpoint: server.gatehouse.url, credentialsFile: credentials }, io);
    const iam = server.iam();
    await iam.send(new CreateUserCommand({ UserName: 'dev', Tags: [{ Key: 'team', Value: 'reports' }] }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'reports', PolicyDocument: doc({ Sid: 'Read', Effect: 'Allow', Action: 'reports:GetReport', Resource: `arn:aws:reports:*:${account}:report/*` }) }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'dev' }));
    dev = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    devClient = createLiveClient({ endpoint: server.gatehouse.url, env: { AWS_ACCESS_KEY_ID: dev.accessKeyId, AWS_SECRET_ACCESS_KEY: dev.secretAccessKey } }, io);
    await iam.send(new CreateGroupCommand({ GroupName: 'Readers' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'Readers', UserName: 'dev' }));
    const policy = await iam.send(new CreatePolicyCommand({ PolicyName: 'read-reports', Path: '/app/', PolicyDocument: doc({ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*'] }) }));
    await iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: devArn() }, Action: 'sts:AssumeRole' }), Description: 'the app', MaxSessionDuration: 7200 }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: policy.Policy!.Arn! }));
  });
  after(async () => {
    await server?.stop();
  });

  it('exports the account as the AWS CLI prints it, with Gatehouse extras', async () => {
    const json = await admin.getJson<Record<string, unknown>>('/v1/analysis/account-authorization-details');
    assert.deepEqual(Object.keys(json).sort(), ['AccountId', 'GroupDetailList', 'IsTruncated', 'Policies', 'RoleDetailList', 'UserDetailList']);
    assert.equal(json.AccountId, account);
    assert.equal(json.IsTruncated, false);
    const user = (json.UserDetailList as Record<string, unknown>[]).find((u) => u.UserName === 'dev')!;
    assert.match(user.CreateDate as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.deepEqual(user.UserPolicyList, [{ PolicyName: 'reports', PolicyDocument: JSON.parse(doc({ Sid: 'Read', Effect: 'Allow', Action: 'reports:GetReport', Resource: `arn:aws:reports:*:${account}:report/*` })) }]);
    assert.deepEqual(user.GroupList, ['Readers']);
    assert.deepEqual(user.Tags, [{ Key: 'team', Value: 'reports' }]);
    assert.deepEqual(user.AccessKeys, [{ AccessKeyId: dev.accessKeyId, Status: 'Active', CreateDate: (user.AccessKeys as { CreateDate: string }[])[0].CreateDate }]);
    assert.equal(user.HasPassword, false);
    assert.equal(user.MfaDevices, 0);
    const role = (json.RoleDetailList as Record<string, unknown>[]).find((r) => r.RoleName === 'app')!;
    assert.equal(typeof role.AssumeRolePolicyDocument, 'object');
    assert.deepEqual(role.AttachedManagedPolicies, [{ PolicyName: 'read-reports', PolicyArn: `arn:aws:iam::${account}:policy/app/read-reports` }]);
    assert.equal(role.Description, 'the app');
    assert.equal(role.MaxSessionDuration, 7200);
  });

  it('imports without warnings, and describes the account the IAM API describes', async () => {
    const progress: string[] = [];
    const { model, warnings, source } = await loadAccount({ endpoint: server.gatehouse.url, credentials }, io, (e) => progress.push(`${e.phase} ${e.done}/${e.total}`));
    assert.deepEqual(warnings, []);
    assert.equal(source, server.gatehouse.url);
    assert.equal(model.accountId, account);
    assert.ok(progress.includes('download 1/1') && progress.some((p) => p.startsWith('import ')), progress.join(', '));

    // Entity by entity, against the IAM API's own reads.
    const iam = server.iam();
    assert.deepEqual(model.users.map((u) => u.name), (await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName));
    assert.deepEqual(model.roles.map((r) => r.name), (await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName));
    const inline = await iam.send(new GetUserPolicyCommand({ UserName: 'dev', PolicyName: 'reports' }));
    assert.deepEqual(model.users.find((u) => u.name === 'dev')!.inlinePolicies, [{ name: 'reports', document: JSON.parse(decodeURIComponent(inline.PolicyDocument!)) }]);
    const role = await iam.send(new GetRoleCommand({ RoleName: 'app' }));
    const imported = model.roles.find((r) => r.name === 'app')!;
    assert.deepEqual(imported.trustPolicy, JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)));
    assert.equal(imported.arn, role.Role!.Arn);
    const policyArn = `arn:aws:iam::${account}:policy/app/read-reports`;
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v1' }));
    assert.deepEqual(model.policies.get(policyArn)?.defaultDocument, JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!)));
    assert.deepEqual(model.users.find((u) => u.name === 'dev')!.accessKeys?.map((k) => [k.accessKeyId, k.status]), [[dev.accessKeyId, 'Active']]);

    // And as a whole: the same model as the paged Query API's answer, imported.
    const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 2, Marker: marker }));
      pages.push(page);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    assert.ok(pages.length > 2);
    const viaQuery = importAuthorizationDetails(pages);
    assert.deepEqual(viaQuery.warnings, []);
    assert.deepEqual(comparable(model), comparable(viaQuery.model));
  });

  it('records usage from /v1/authorize and serves it', async () => {
    const resource = `arn:aws:reports:us-east-1:${account}:report/q1`;
    for (let i = 0; i < 2; i++) {
      const request = await signServiceRequest({ credentials: dev, service: 'reports', region: 'us-east-1', method: 'GET', url: 'https://reports.internal/reports/q1' });
      const res = await fetch(`${server.gatehouse.url}/v1/authorize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request, action: 'reports:GetReport', resource }) });
      assert.equal(((await res.json()) as { decision: string }).decision, 'Allow');
    }
    const { entries } = await admin.getJson<{ entries: Record<string, unknown>[] }>('/v1/analysis/usage', { principal: devArn() });
    assert.equal(entries.length, 1);
    const { firstSeen, lastSeen, ...entry } = entries[0];
    assert.deepEqual(entry, { principal: devArn(), action: 'reports:GetReport', resource, count: 2, allowedBy: [{ policyId: `${devArn()}:inline/reports`, statementIndex: 0, sid: 'Read' }] });
    assert.ok(Date.parse(firstSeen as string) <= Date.parse(lastSeen as string));

    // The CLI's loader reads the same; `since` in the future leaves nothing.
    const loaded = await loadUsage({ endpoint: server.gatehouse.url, credentials, principal: devArn() }, io);
    assert.deepEqual(loaded.warnings, []);
    assert.deepEqual(loaded.records.map((r) => [r.principal, r.action, r.count]), [[devArn(), 'reports:GetReport', 2]]);
    assert.deepEqual(await admin.getJson('/v1/analysis/usage', { since: new Date(Date.now() + 3_600_000).toISOString() }), { entries: [] });
    await rejectsWith(admin.getJson('/v1/analysis/usage', { since: 'yesterday' }), 400, 'ValidationError', /since must be an ISO 8601 time/);
  });

  it('lints with references checked against the account', async () => {
    const typo = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObjekt', Resource: '*' }] };
    const { findings } = await admin.postJson<{ findings: { id: string; severity: string; path: string }[] }>('/v1/analysis/lint', { policy: typo, kind: 'identity' });
    assert.deepEqual(findings.map((f) => [f.id, f.severity, f.path]), [['REF-ACTION', 'error', '$.Statement[0].Action']]);
    const trust = (user: string) => doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:user/${user}` }, Action: 'sts:AssumeRole' });
    const ghost = await admin.postJson<{ findings: { id: string; path: string }[] }>('/v1/analysis/lint', { policy: trust('ghost'), kind: 'trust' });
    assert.deepEqual(ghost.findings.map((f) => [f.id, f.path]), [['REF-ENTITY', '$.Statement[0].Principal.AWS']]);
    assert.deepEqual(await admin.postJson('/v1/analysis/lint', { policy: trust('dev'), kind: 'trust' }), { findings: [] });
    await rejectsWith(admin.postJson('/v1/analysis/lint', { policy: typo, kind: 'bucket' }), 400, 'ValidationError', /kind must be one of identity, resource/);
    await rejectsWith(admin.postJson('/v1/analysis/lint', { kind: 'identity' }), 400, 'ValidationError', /policy is required/);
    await rejectsWith(admin.postJson('/v1/analysis/lint', 'x'.repeat(600 * 1024)), 413, 'RequestEntityTooLarge');
  });

  it('keeps the account setting', async () => {
    assert.deepEqual(await admin.getJson('/v1/analysis/settings'), { policyLint: 'off' });
    assert.deepEqual(await admin.putJson('/v1/analysis/settings', { policyLint: 'warn' }), { policyLint: 'warn' });
    assert.deepEqual(await admin.getJson('/v1/analysis/settings'), { policyLint: 'warn' });
    await rejectsWith(admin.putJson('/v1/analysis/settings', { policyLint: 'loud' }), 400, 'ValidationError', /policyLint must be one of off, warn, reject/);
    await rejectsWith(admin.postJson('/v1/analysis/settings', { policyLint: 'off' }), 405, 'MethodNotAllowed', /Use GET or PUT/);
    assert.deepEqual(await admin.putJson('/v1/analysis/settings', { policyLint: 'off' }), { policyLint: 'off' });
  });

  it('authorizes each call with the caller\'s policies', async () => {
    await rejectsWith(devClient.getJson('/v1/analysis/account-authorization-details'), 403, 'AccessDenied', /not authorized to perform: iam:GetAccountAuthorizationDetails/);
    await rejectsWith(devClient.postJson('/v1/analysis/lint', { policy: '{}' }), 403, 'AccessDenied', /access-analyzer:ValidatePolicy/);
    await rejectsWith(devClient.putJson('/v1/analysis/settings', { policyLint: 'off' }), 403, 'AccessDenied', /gatehouse:PutAnalysisSettings/);
    await rejectsWith(devClient.getJson('/v1/analysis/usage', { principal: devArn() }), 403, 'AccessDenied', new RegExp(`iam:GenerateServiceLastAccessedDetails on resource: ${devArn()}`));

    // Allowed on its own ARN only: its own usage, not everyone's.
    await server.iam().send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'own-usage', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GenerateServiceLastAccessedDetails', Resource: devArn() }) }));
    const own = await devClient.getJson<{ entries: { principal: string }[] }>('/v1/analysis/usage', { principal: devArn() });
    assert.deepEqual([...new Set(own.entries.map((e) => e.principal))], [devArn()]);
    await rejectsWith(devClient.getJson('/v1/analysis/usage'), 403, 'AccessDenied', /on resource: \*/);
  });

  it('refuses unsigned and badly signed requests as IAM does', async () => {
    const res = await fetch(`${server.gatehouse.url}/v1/analysis/settings`);
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'MissingAuthenticationToken');
    const wrong = createLiveClient({ endpoint: server.gatehouse.url, env: { AWS_ACCESS_KEY_ID: dev.accessKeyId, AWS_SECRET_ACCESS_KEY: 'not-the-secret' } }, io);
    await rejectsWith(wrong.getJson('/v1/analysis/settings'), 403, 'SignatureDoesNotMatch');
    await rejectsWith(admin.getJson('/v1/analysis/nothing'), 404, 'NotFound');
  });
});

describe('analysis API on a data-plane node', () => {
  it('is not there: a JSON 404 that says where it is', async () => {
    const handler = createNodeHandler({
      role: 'data-plane',
      now: () => new Date(),
      limits: DEFAULT_LIMITS,
      homeRegion: 'eu-west-1',
      regions: [],
      planeFor: () => {
        throw new Error('no plane in this test');
      },
      queryBackend: () => undefined,
    });
    const server = createServer(handler);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/v1/analysis/settings`);
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { error: { code: 'NotFound', message: 'The analysis API is served by the control plane (or a standalone node), not by a data-plane node.' } });
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });
});
