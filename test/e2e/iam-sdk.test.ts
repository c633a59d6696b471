/** The IAM API end to end with the real AWS SDK v3 client against a running server. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddRoleToInstanceProfileCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  DeleteConflictException,
  DetachUserPolicyCommand,
  EntityAlreadyExistsException,
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetUserCommand,
  IAMServiceException,
  LimitExceededException,
  ListInstanceProfilesForRoleCommand,
  ListUsersCommand,
  NoSuchEntityException,
  paginateListUsers,
  PutUserPolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import { startTestServer, type TestServer } from './server-harness.js';

describe('IAM API with @aws-sdk/client-iam', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('answers GetUser for the administrator, with request id and revision headers', async () => {
    const out = await server.iam().send(new GetUserCommand({}));
    assert.equal(out.User?.UserName, 'admin');
    assert.match(out.User?.Arn ?? '', /^arn:aws:iam::\d{12}:user\/admin$/);
    assert.ok(out.User?.CreateDate instanceof Date);
    assert.match(out.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
  });

  it('runs a user lifecycle with AWS errors by exception class', async () => {
    const iam = server.iam();
    const created = await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'core' }] }));
    assert.match(created.User?.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
    assert.deepEqual(created.User?.Tags, [{ Key: 'team', Value: 'core' }]);
    await assert.rejects(iam.send(new CreateUserCommand({ UserName: 'alice' })), (err: unknown) => err instanceof EntityAlreadyExistsException && err.message === 'User with name alice already exists.');
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    await assert.rejects(iam.send(new DeleteUserCommand({ UserName: 'alice' })), (err: unknown) => err instanceof DeleteConflictException);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: key.AccessKey!.AccessKeyId! }));
    await iam.send(new DeleteUserCommand({ UserName: 'alice' }));
    await assert.rejects(iam.send(new GetUserCommand({ UserName: 'alice' })), (err: unknown) => err instanceof NoSuchEntityException && err.$metadata.httpStatusCode === 404);
  });

  it('rejects bad input with ValidationError', async () => {
    await assert.rejects(server.iam().send(new CreateUserCommand({ UserName: 'bad name' })), (err: unknown) => err instanceof IAMServiceException && err.name === 'ValidationError' && /regular expression pattern/.test(err.message));
  });

  it('paginates ListUsers with Marker and MaxItems', async () => {
    const iam = server.iam();
    for (let i = 0; i < 7; i++) await iam.send(new CreateUserCommand({ UserName: `page-${i}` }));
    const first = await iam.send(new ListUsersCommand({ MaxItems: 3, PathPrefix: '/' }));
    assert.equal(first.IsTruncated, true);
    const names: string[] = [];
    for await (const page of paginateListUsers({ client: iam, pageSize: 3 }, {})) names.push(...(page.Users ?? []).map((u) => u.UserName!));
    assert.deepEqual(names.filter((n) => n.startsWith('page-')), ['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'page-5', 'page-6']);
  });

  it('denies a user without permission, then allows once a policy is attached', async () => {
    const iam = server.iam();
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bob' }))).AccessKey!;
    const bob = server.iam({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const account = (await iam.send(new GetUserCommand({}))).User!.Arn!.split(':')[4];
    await assert.rejects(bob.send(new CreateUserCommand({ UserName: 'carol' })), (err: unknown) => {
      assert.ok(err instanceof IAMServiceException);
      assert.equal(err.name, 'AccessDenied');
      assert.equal(err.$metadata.httpStatusCode, 403);
      assert.equal(err.message, `User: arn:aws:iam::${account}:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${account}:user/carol because no identity-based policy allows the iam:CreateUser action`);
      return true;
    });
    const policy = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'create-users', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' }] }) }),
    );
    await iam.send(new AttachUserPolicyCommand({ UserName: 'bob', PolicyArn: policy.Policy!.Arn! }));
    const made = await bob.send(new CreateUserCommand({ UserName: 'carol' }));
    assert.equal(made.User?.UserName, 'carol');
    await iam.send(new DetachUserPolicyCommand({ UserName: 'bob', PolicyArn: policy.Policy!.Arn! }));
    await assert.rejects(bob.send(new CreateUserCommand({ UserName: 'dave' })), (err: unknown) => err instanceof IAMServiceException && err.name === 'AccessDenied');
  });

  it('keeps a role tagged as protected from an operator whose Deny names aws:ResourceTag', async () => {
    const iam = server.iam();
    await iam.send(new CreateUserCommand({ UserName: 'operator' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'operator' }))).AccessKey!;
    const operator = server.iam({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const statements = [
      { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:DeleteRole', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/protected': 'true' } } },
    ];
    await iam.send(new PutUserPolicyCommand({ UserName: 'operator', PolicyName: 'ops', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const guarded = await iam.send(new CreateRoleCommand({ RoleName: 'guarded', AssumeRolePolicyDocument: trust, Tags: [{ Key: 'protected', Value: 'true' }] }));
    await iam.send(new CreateRoleCommand({ RoleName: 'scratch', AssumeRolePolicyDocument: trust }));

    await assert.rejects(operator.send(new DeleteRoleCommand({ RoleName: 'guarded' })), (err: unknown) => {
      assert.ok(err instanceof IAMServiceException);
      assert.equal(err.name, 'AccessDenied');
      assert.match(err.message, new RegExp(`on resource: ${guarded.Role!.Arn!} with an explicit deny in an identity-based policy$`));
      return true;
    });
    await operator.send(new DeleteRoleCommand({ RoleName: 'scratch' }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'guarded' }))).Role?.RoleName, 'guarded');
  });

  it('runs an EC2 role through an instance profile, as Terraform does', async () => {
    const iam = server.iam();
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'ec2-app', AssumeRolePolicyDocument: trust }));
    const created = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'ec2-app', Path: '/apps/', Tags: [{ Key: 'team', Value: 'core' }] }));
    assert.match(created.InstanceProfile?.InstanceProfileId ?? '', /^AIPA[A-Z2-7]{17}$/);
    assert.match(created.InstanceProfile?.Arn ?? '', /^arn:aws:iam::\d{12}:instance-profile\/apps\/ec2-app$/);
    assert.deepEqual(created.InstanceProfile?.Roles, []);
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ec2-app', RoleName: 'ec2-app' }));

    const got = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'ec2-app' }))).InstanceProfile!;
    assert.deepEqual(got.Tags, [{ Key: 'team', Value: 'core' }]);
    assert.ok(got.CreateDate instanceof Date);
    assert.equal(got.Roles?.length, 1);
    assert.equal(got.Roles![0].RoleName, 'ec2-app');
    assert.equal(got.Roles![0].RoleId, role.Role!.RoleId);
    // URL-encoded, as in GetRole (the SDK does not decode it).
    assert.equal(got.Roles![0].AssumeRolePolicyDocument, encodeURIComponent(trust));
    const forRole = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'ec2-app' }));
    assert.deepEqual(forRole.InstanceProfiles?.map((p) => p.Arn), [created.InstanceProfile!.Arn]);

    await assert.rejects(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ec2-app', RoleName: 'ec2-app' })), (err: unknown) => err instanceof LimitExceededException && err.message === 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
    await assert.rejects(iam.send(new DeleteRoleCommand({ RoleName: 'ec2-app' })), (err: unknown) => err instanceof DeleteConflictException && err.message === 'Cannot delete entity, must remove roles from instance profile first.');
    await assert.rejects(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'ec2-app' })), (err: unknown) => err instanceof DeleteConflictException);
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'ec2-app', RoleName: 'ec2-app' }));
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'ec2-app' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'ec2-app' }));
    await assert.rejects(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'ec2-app' })), (err: unknown) => err instanceof NoSuchEntityException && err.message === 'Instance Profile ec2-app cannot be found.');
  });

  it('answers InvalidClientTokenId for an unknown key and SignatureDoesNotMatch for a wrong secret', async () => {
    await assert.rejects(server.iam({ accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' }).send(new GetUserCommand({})), (err: unknown) => err instanceof IAMServiceException && err.name === 'InvalidClientTokenId' && err.$metadata.httpStatusCode === 403);
    await assert.rejects(server.iam({ accessKeyId: server.admin.accessKeyId, secretAccessKey: 'wrong' }).send(new GetUserCommand({})), (err: unknown) => err instanceof IAMServiceException && err.name === 'SignatureDoesNotMatch');
  });
});
