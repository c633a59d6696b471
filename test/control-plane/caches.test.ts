/**
 * The control plane's caches (a caller's compiled policies and tags, the authenticator's keys)
 * are dropped exactly when a write changes a record they were built from: a change takes effect
 * on the next request, and an unrelated write costs no rebuild.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it, mock } from 'node:test';
import { Authenticator } from '../../src/control-plane/authenticator.js';
import { bootstrap } from '../../src/control-plane/bootstrap.js';
import type { Caller, ControlPlaneEnv } from '../../src/control-plane/context.js';
import { IamService } from '../../src/control-plane/iam-service.js';
import { deriveKey } from '../../src/core/crypto/index.js';
import { signRequest } from '../../src/core/sigv4/index.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/ports.js';
import { ACCOUNT, REQUEST, seededRandom } from './harness.js';

const NOW = new Date('2026-11-21T12:00:00Z');

async function setUp() {
  const store = createMemoryStore({ now: () => NOW });
  let reads = 0;
  // Counts read units: the authenticator's key lookups are the only ones outside IamService.call.
  const counting: Store = {
    read: (work) => {
      reads++;
      return store.read(work);
    },
    write: (work) => store.write(work),
    revision: () => store.revision(),
    changesSince: (after, limit) => store.changesSince(after, limit),
    close: () => store.close(),
  };
  const env: ControlPlaneEnv = { store: counting, now: () => NOW, random: seededRandom(), secretsKey: deriveKey(Buffer.alloc(32, 7), 'secrets'), partition: 'aws', tokenRoot: deriveKey(Buffer.alloc(32, 7), 'sts-token-keys') };
  const boot = await bootstrap(env, { accountId: ACCOUNT });
  const service = new IamService(env);
  const authenticator = new Authenticator(env, service);
  const admin = boot.admin!;
  const sign = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
    const body = 'Action=GetUser&Version=2010-05-08';
    const bodySha256 = createHash('sha256').update(body).digest('hex');
    const signed = signRequest({ method: 'POST', path: '/', query: '', headers: [['Host', 'iam.amazonaws.com']], bodySha256 }, credentials, { now: NOW, region: 'us-east-1', service: 'iam' });
    return { method: 'POST', path: '/', query: '', headers: signed.headers, bodySha256 };
  };
  const authenticate = async (credentials: { accessKeyId: string; secretAccessKey: string }) => authenticator.authenticate(sign(credentials), NOW, 'iam');
  const adminCaller = async (): Promise<Caller> => {
    const result = await authenticate({ accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey });
    assert.ok(result.ok);
    return result.caller;
  };
  const call = async (operation: string, input: Record<string, unknown>, caller?: Caller) => (await service.call(operation, input, caller ?? (await adminCaller()), REQUEST)).output;
  return { service, admin, authenticate, adminCaller, call, reads: () => reads };
}

async function userWithKey(t: Awaited<ReturnType<typeof setUp>>, userName: string) {
  await t.call('CreateUser', { userName });
  const { accessKey } = (await t.call('CreateAccessKey', { userName })) as { accessKey: { accessKeyId: string; secretAccessKey: string } };
  return { accessKeyId: accessKey.accessKeyId, secretAccessKey: accessKey.secretAccessKey };
}

const allow = (action: string, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*', ...extra }] });

describe('control-plane caches', () => {
  it('a key works until it is deactivated or deleted, at once, and unrelated writes do not re-read it', async () => {
    const t = await setUp();
    const bob = await userWithKey(t, 'bob');
    assert.equal((await t.authenticate(bob)).ok, true);
    const reads = t.reads();
    assert.equal((await t.authenticate(bob)).ok, true);
    await t.call('CreateUser', { userName: 'carol' });
    await t.call('TagUser', { userName: 'carol', tags: [{ key: 'k', value: 'v' }] });
    assert.equal((await t.authenticate(bob)).ok, true);
    // Only the administrator's calls looked anything up (its key, once, was cached already).
    assert.equal(t.reads(), reads, 'an unrelated write dropped a cached key');

    await t.call('UpdateAccessKey', { userName: 'bob', accessKeyId: bob.accessKeyId, status: 'Inactive' });
    const inactive = await t.authenticate(bob);
    assert.equal(inactive.ok, false);
    assert.equal(!inactive.ok && inactive.code, 'InvalidClientTokenId');
    await t.call('UpdateAccessKey', { userName: 'bob', accessKeyId: bob.accessKeyId, status: 'Active' });
    assert.equal((await t.authenticate(bob)).ok, true);
    await t.call('DeleteAccessKey', { userName: 'bob', accessKeyId: bob.accessKeyId });
    assert.equal((await t.authenticate(bob)).ok, false);
  });

  it("a renamed user's key signs as the new name", async () => {
    const t = await setUp();
    const bob = await userWithKey(t, 'bob');
    const before = await t.authenticate(bob);
    assert.ok(before.ok);
    assert.equal(before.caller.userName, 'bob');
    await t.call('UpdateUser', { userName: 'bob', newUserName: 'robert' });
    const after = await t.authenticate(bob);
    assert.ok(after.ok);
    assert.equal(after.caller.userName, 'robert');
    assert.match(after.caller.arn, /:user\/robert$/);
  });

  it("a caller's policies follow its own, its groups' and its managed policies' changes, and are not rebuilt otherwise", async () => {
    const t = await setUp();
    const bobKey = await userWithKey(t, 'bob');
    const bobAuth = await t.authenticate(bobKey);
    assert.ok(bobAuth.ok);
    const bob = bobAuth.caller;
    const denied = (operation: string, input: Record<string, unknown> = {}) =>
      assert.rejects(t.call(operation, input, bob), (err: unknown) => (err as { code?: string }).code === 'AccessDenied');

    await denied('ListUsers');
    await t.call('PutUserPolicy', { userName: 'bob', policyName: 'list', policyDocument: allow('iam:ListUsers') });
    await t.call('ListUsers', {}, bob);

    const compile = mock.method(t.service.policies, 'compile');
    await t.call('ListUsers', {}, bob);
    await t.call('CreateUser', { userName: 'carol' });
    await t.call('ListUsers', {}, bob);
    assert.equal(compile.mock.callCount(), 0, 'an unrelated write made bob’s policies compile again');

    await t.call('DeleteUserPolicy', { userName: 'bob', policyName: 'list' });
    await denied('ListUsers');
    assert.equal(compile.mock.callCount(), 1);

    await t.call('CreateGroup', { groupName: 'readers' });
    await t.call('AddUserToGroup', { groupName: 'readers', userName: 'bob' });
    await t.call('PutGroupPolicy', { groupName: 'readers', policyName: 'list', policyDocument: allow('iam:ListUsers') });
    await t.call('ListUsers', {}, bob);
    await t.call('DeleteGroupPolicy', { groupName: 'readers', policyName: 'list' });
    await denied('ListUsers');

    const { policy } = (await t.call('CreatePolicy', { policyName: 'managed', policyDocument: allow('iam:ListUsers') })) as { policy: { arn: string } };
    await t.call('AttachUserPolicy', { userName: 'bob', policyArn: policy.arn });
    await t.call('ListUsers', {}, bob);
    await t.call('CreatePolicyVersion', { policyArn: policy.arn, policyDocument: allow('iam:ListGroups'), setAsDefault: true });
    await denied('ListUsers');
    await t.call('ListGroups', {}, bob);
    compile.mock.restore();
  });

  it("a caller's tags follow its own tag changes", async () => {
    const t = await setUp();
    const bobKey = await userWithKey(t, 'bob');
    const bobAuth = await t.authenticate(bobKey);
    assert.ok(bobAuth.ok);
    const bob = bobAuth.caller;
    await t.call('PutUserPolicy', { userName: 'bob', policyName: 'blue', policyDocument: allow('iam:ListUsers', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }) });
    await assert.rejects(t.call('ListUsers', {}, bob), (err: unknown) => (err as { code?: string }).code === 'AccessDenied');
    await t.call('TagUser', { userName: 'bob', tags: [{ key: 'team', value: 'blue' }] });
    await t.call('ListUsers', {}, bob);
    await t.call('UntagUser', { userName: 'bob', tagKeys: ['team'] });
    await assert.rejects(t.call('ListUsers', {}, bob), (err: unknown) => (err as { code?: string }).code === 'AccessDenied');
  });
});
