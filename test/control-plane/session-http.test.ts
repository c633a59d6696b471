/**
 * Temporary credentials against the IAM API over HTTP, with the AWS SDK's client (which sends the
 * session token as X-Amz-Security-Token): the standalone server opens tokens sealed with the
 * day keys of its master key's token root, as its data planes' STS will seal them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRoleCommand, CreateUserCommand, GetUserCommand, IAMServiceException, ListUsersCommand, PutRolePolicyCommand, PutUserPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { deriveKey } from '../../src/core/crypto/index.js';
import type { SessionKind } from '../../src/core/model/principal.js';
import { loadMasterKey } from '../../src/server/master-key.js';
import { startTestServer, type TestServer } from '../e2e/server-harness.js';
import { allowDoc, mintSession, roleSession, TRUST_ACCOUNT, userSession, type SessionFacts } from './session-helpers.js';

async function awsErrorOf(promise: Promise<unknown>): Promise<{ code: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof IAMServiceException, String(err));
    return { code: err.name, message: err.message, status: err.$metadata.httpStatusCode };
  }
  assert.fail('the call succeeded');
}

describe('IAM API with temporary credentials (@aws-sdk/client-iam)', () => {
  let server: TestServer;
  let tokenRoot: Buffer;
  let account: string;
  let role: { Arn: string; RoleId: string; RoleName: string };
  let user: { Arn: string; UserId: string; UserName: string };

  before(async () => {
    server = await startTestServer();
    tokenRoot = deriveKey((await loadMasterKey(server.dataDir, { env: {} })).key, 'sts-token-keys');
    account = server.gatehouse.accountId;
    const admin = server.iam();
    role = (await admin.send(new CreateRoleCommand({ RoleName: 'deployer', AssumeRolePolicyDocument: TRUST_ACCOUNT(account) }))).Role as typeof role;
    await admin.send(new PutRolePolicyCommand({ RoleName: 'deployer', PolicyName: 'p', PolicyDocument: allowDoc('iam:ListUsers') }));
    user = (await admin.send(new CreateUserCommand({ UserName: 'alice' }))).User as typeof user;
    await admin.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'p', PolicyDocument: allowDoc(['iam:GetUser', 'iam:ListUsers']) }));
  });
  after(async () => {
    await server?.stop();
  });

  const client = (kind: SessionKind, facts: SessionFacts): IAMClient => server.iam(mintSession(tokenRoot, account, kind, new Date(), facts).credentials);
  const deployer = () => roleSession({ arn: role.Arn, roleId: role.RoleId, roleName: role.RoleName }, 'ci');
  const alice = () => userSession({ arn: user.Arn, userId: user.UserId, userName: user.UserName });

  it("a role session calls IAM with the role's permissions", async () => {
    const out = await client('AssumedRole', deployer()).send(new ListUsersCommand({}));
    assert.ok(out.Users?.some((u) => u.UserName === 'alice'));
  });

  it('AccessDenied where the session policy does not allow, naming the assumed-role ARN', async () => {
    const err = await awsErrorOf(client('AssumedRole', { ...deployer(), policy: allowDoc('iam:ListRoles') }).send(new ListUsersCommand({})));
    assert.equal(err.code, 'AccessDenied');
    assert.equal(err.status, 403);
    assert.match(err.message, new RegExp(`^User: arn:aws:sts::${account}:assumed-role/deployer/ci is not authorized to perform: iam:ListUsers on resource: .* because no session policy allows the iam:ListUsers action$`));
  });

  it('an expired token is ExpiredToken; a tampered one InvalidClientTokenId', async () => {
    const expired = await awsErrorOf(client('AssumedRole', { ...deployer(), issuedAt: new Date(Date.now() - 7_200_000), durationSeconds: 3600 }).send(new ListUsersCommand({})));
    assert.deepEqual(expired, { code: 'ExpiredToken', message: 'The security token included in the request is expired', status: 403 });

    const { credentials } = mintSession(tokenRoot, account, 'AssumedRole', new Date(), deployer());
    const bytes = Buffer.from(credentials.sessionToken, 'base64');
    bytes[bytes.length - 1] ^= 0x40;
    const tampered = await awsErrorOf(server.iam({ ...credentials, sessionToken: bytes.toString('base64') } as typeof credentials).send(new ListUsersCommand({})));
    assert.deepEqual(tampered, { code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid', status: 403 });
  });

  it('GetSessionToken credentials need MFA; federated users are refused', async () => {
    const noMfa = await awsErrorOf(client('SessionToken', alice()).send(new ListUsersCommand({})));
    assert.deepEqual(noMfa, { code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid', status: 403 });

    const withMfa = await client('SessionToken', { ...alice(), mfaAuthenticatedAt: new Date().toISOString() }).send(new GetUserCommand({}));
    assert.equal(withMfa.User?.UserName, 'alice');

    const federated = await awsErrorOf(client('FederatedUser', { ...alice(), federatedName: 'bob', policy: allowDoc('iam:*') }).send(new ListUsersCommand({})));
    assert.equal(federated.code, 'InvalidClientTokenId');
  });
});
