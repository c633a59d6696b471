/**
 * STS in two regions with the real AWS SDK v3, over HTTP: roles assumed in one region work in the
 * other and against IAM, chaining is capped at an hour, session policies restrict, revocation by
 * aws:TokenIssueTime works, and x-gatehouse-min-revision gives read-your-writes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRoleCommand, GetRoleCommand, ListRolesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { sessionCredentials, startRegionServer, type Credentials, type RegionServer } from './region-harness.js';

type AwsError = Error & { $metadata?: { httpStatusCode?: number } };

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

describe('STS in two regions through the AWS SDK', () => {
  let s: RegionServer;
  let account: string;
  const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`;

  /** A role the account's principals may assume, with one inline policy. */
  async function createRole(name: string, permissions: string): Promise<void> {
    const iam = s.iam('us-east-1');
    const trust = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' });
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, MaxSessionDuration: 7200 }));
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'permissions', PolicyDocument: permissions }));
  }

  async function assume(region: 'us-east-1' | 'eu-west-1', name: string, session: string, extra: { Policy?: string; DurationSeconds?: number } = {}, as?: Credentials): Promise<Credentials> {
    const out = await s.sts(region, as).send(new AssumeRoleCommand({ RoleArn: roleArn(name), RoleSessionName: session, ...extra }));
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${account}:assumed-role/${name}/${session}`);
    return sessionCredentials(out.Credentials);
  }

  before(async () => {
    s = await startRegionServer();
    account = s.accountId;
    await createRole('Reader', policy({ Effect: 'Allow', Action: ['iam:ListRoles', 'iam:GetRole'], Resource: '*' }, { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${account}:role/Chained` }));
    await createRole('Chained', policy({ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }));
    await s.propagated();
  });
  after(async () => {
    await s?.stop();
  });

  it('assumes a role in eu-west-1 and uses the session against IAM and against STS in us-east-1', async () => {
    const creds = await assume('eu-west-1', 'Reader', 'eu-session');
    assert.match(creds.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    const roles = await s.iam('eu-west-1', creds).send(new ListRolesCommand({}));
    assert.deepEqual(roles.Roles?.map((r) => r.RoleName).sort(), ['Chained', 'Reader']);
    const who = await s.sts('us-east-1', creds).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${account}:assumed-role/Reader/eu-session`);
    assert.equal(who.Account, account);
    assert.match(who.UserId ?? '', /^AROA[A-Z0-9]{17}:eu-session$/);
    // The role's policy allows reads only.
    await assert.rejects(s.iam('us-east-1', creds).send(new CreateRoleCommand({ RoleName: 'Nope', AssumeRolePolicyDocument: policy({ Effect: 'Allow', Principal: { AWS: account }, Action: 'sts:AssumeRole' }) })), (err: AwsError) => {
      assert.equal(err.name, 'AccessDenied');
      assert.match(err.message, new RegExp(`^User: arn:aws:sts::${account}:assumed-role/Reader/eu-session is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::${account}:role/Nope because no identity-based policy allows the iam:CreateRole action$`));
      assert.equal(err.$metadata?.httpStatusCode, 403);
      return true;
    });
  });

  it('chains roles with the first session, at most one hour', async () => {
    const first = await assume('eu-west-1', 'Reader', 'first');
    await assert.rejects(s.sts('us-east-1', first).send(new AssumeRoleCommand({ RoleArn: roleArn('Chained'), RoleSessionName: 'second', DurationSeconds: 3601 })), (err: AwsError) => {
      assert.equal(err.name, 'ValidationError');
      assert.equal(err.message, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
      assert.equal(err.$metadata?.httpStatusCode, 400);
      return true;
    });
    const second = await assume('us-east-1', 'Chained', 'second', { DurationSeconds: 3600 }, first);
    const who = await s.sts('eu-west-1', second).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${account}:assumed-role/Chained/second`);
    assert.equal((await s.iam('eu-west-1', second).send(new GetRoleCommand({ RoleName: 'Reader' }))).Role?.RoleName, 'Reader');
    // The first role may chain only to Chained.
    await assert.rejects(s.sts('eu-west-1', first).send(new AssumeRoleCommand({ RoleArn: roleArn('Reader'), RoleSessionName: 'loop' })), (err: AwsError) => {
      assert.equal(err.name, 'AccessDenied');
      assert.equal(err.message, `User: arn:aws:sts::${account}:assumed-role/Reader/first is not authorized to perform: sts:AssumeRole on resource: ${roleArn('Reader')}`);
      return true;
    });
  });

  it('denies what the session policy does not allow, naming the assumed role', async () => {
    const limited = await assume('eu-west-1', 'Reader', 'limited', { Policy: policy({ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }) });
    assert.equal((await s.iam('eu-west-1', limited).send(new GetRoleCommand({ RoleName: 'Chained' }))).Role?.RoleName, 'Chained');
    await assert.rejects(s.iam('eu-west-1', limited).send(new ListRolesCommand({})), (err: AwsError) => {
      assert.equal(err.name, 'AccessDenied');
      assert.match(err.message, new RegExp(`^User: arn:aws:sts::${account}:assumed-role/Reader/limited is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::${account}:role/ because no session policy allows the iam:ListRoles action$`));
      return true;
    });
  });

  it('issues session tokens and federation tokens that work in the other region', async () => {
    const token = await s.sts('us-east-1').send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const tokenCreds = sessionCredentials(token.Credentials);
    assert.equal((await s.sts('eu-west-1', tokenCreds).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${account}:user/admin`);
    // AWS-COMPAT: IAM refuses GetSessionToken credentials obtained without MFA.
    await assert.rejects(s.iam('us-east-1', tokenCreds).send(new ListRolesCommand({})), { name: 'InvalidClientTokenId' });

    const fed = await s.sts('eu-west-1').send(new GetFederationTokenCommand({ Name: 'fed-bob', Policy: policy({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }) }));
    assert.equal(fed.FederatedUser?.Arn, `arn:aws:sts::${account}:federated-user/fed-bob`);
    assert.equal(fed.FederatedUser?.FederatedUserId, `${account}:fed-bob`);
    const fedCreds = sessionCredentials(fed.Credentials);
    const who = await s.sts('us-east-1', fedCreds).send(new GetCallerIdentityCommand({}));
    assert.deepEqual({ Arn: who.Arn, UserId: who.UserId }, { Arn: `arn:aws:sts::${account}:federated-user/fed-bob`, UserId: `${account}:fed-bob` });
    // A federated user may call no other STS operation.
    await assert.rejects(s.sts('us-east-1', fedCreds).send(new AssumeRoleCommand({ RoleArn: roleArn('Reader'), RoleSessionName: 'fed-chain' })), { name: 'AccessDenied' });
  });

  it('sees an IAM write at once with x-gatehouse-min-revision', async () => {
    const iam = s.iam('us-east-1');
    const before = s.lastRevision;
    const trust = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' });
    await iam.send(new CreateRoleCommand({ RoleName: 'Fresh', AssumeRolePolicyDocument: trust }));
    // The harness's clients note each answer's x-gatehouse-revision: the write's is the newest.
    const revision = s.lastRevision;
    assert.ok(Number.isInteger(revision) && revision > before, `x-gatehouse-revision: ${revision} after ${before}`);

    const sts = s.sts('eu-west-1');
    const sent: string[] = [];
    sts.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers['x-gatehouse-min-revision'] = String(revision);
        return next(args);
      },
      { step: 'build', name: 'minRevision' },
    );
    sts.middlewareStack.add(
      (next) => (args) => {
        sent.push((args.request as { headers: Record<string, string> }).headers['x-gatehouse-min-revision']);
        return next(args);
      },
      { step: 'finalizeRequest', name: 'seeMinRevision', priority: 'low' },
    );
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('Fresh'), RoleSessionName: 'ryw' }));
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${account}:assumed-role/Fresh/ryw`);
    assert.deepEqual(sent, [String(revision)]);
    assert.ok(s.gatehouse.regions.get('eu-west-1')!.follower.revision >= revision);
  });

  it("revokes a role's older sessions with a deny on aws:TokenIssueTime", async () => {
    await createRole('Revocable', policy({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }));
    await s.propagated();
    const old = await assume('eu-west-1', 'Revocable', 'old');
    await s.iam('us-east-1', old).send(new ListRolesCommand({}));

    // As the console's "Revoke active sessions" does: deny everything to tokens issued before now.
    // The cut-off is the next whole second (token issue times have whole seconds); then the clock
    // moves past it.
    const cutoff = new Date(Math.floor(s.now().getTime() / 1000) * 1000 + 1000);
    const revoke = policy({ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff.toISOString() } } });
    await s.iam('us-east-1').send(new PutRolePolicyCommand({ RoleName: 'Revocable', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revoke }));
    await s.propagated();
    s.advanceClock(2_000);

    await assert.rejects(s.iam('eu-west-1', old).send(new ListRolesCommand({})), (err: AwsError) => {
      assert.equal(err.name, 'AccessDenied');
      assert.match(err.message, new RegExp(`^User: arn:aws:sts::${account}:assumed-role/Revocable/old is not authorized to perform: iam:ListRoles on resource: .* with an explicit deny in an identity-based policy`));
      return true;
    });
    const fresh = await assume('us-east-1', 'Revocable', 'new');
    await s.iam('eu-west-1', fresh).send(new ListRolesCommand({}));
  });

  it('refuses a session once it has expired (the clock moved forward)', async () => {
    const creds = await assume('eu-west-1', 'Reader', 'short', { DurationSeconds: 900 });
    await s.sts('eu-west-1', creds).send(new GetCallerIdentityCommand({}));
    s.advanceClock(901_000);
    await assert.rejects(s.sts('eu-west-1', creds).send(new GetCallerIdentityCommand({})), (err: AwsError) => {
      // AWS answers ExpiredToken (not the model's ExpiredTokenException) for a request signed with an expired token.
      assert.equal(err.name, 'ExpiredToken');
      assert.equal(err.message, 'The security token included in the request is expired');
      assert.equal(err.$metadata?.httpStatusCode, 403);
      return true;
    });
    await assert.rejects(s.iam('us-east-1', creds).send(new ListRolesCommand({})), { message: 'The security token included in the request is expired' });
  });
});
