import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openSecret } from '../../src/control-plane/access-key-secrets.js';
import { KIND, type AccessKeyEntity, type UserEntity } from '../../src/core/model/iam-entities.js';
import { ACCOUNT, createHarness, type Harness } from './harness.js';

interface AccessKeyOut {
  accessKey: { userName: string; accessKeyId: string; status: string; secretAccessKey: string; createDate: string };
}
interface ListOut {
  accessKeyMetadata: Record<string, unknown>[];
  isTruncated: boolean;
}

async function storedKey(h: Harness, id: string) {
  return h.env.store.read((tx) => tx.get<AccessKeyEntity>(KIND.accessKey, id));
}

async function storedUser(h: Harness, name: string) {
  return (await h.env.store.read((tx) => tx.get<UserEntity>(KIND.user, `${ACCOUNT}/${name}`)))?.data;
}

describe('access keys', () => {
  it('returns the secret once, lists only metadata and stores the secret sealed', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    const out = (await h.call('CreateAccessKey', { userName: 'alice' })) as AccessKeyOut;
    const { accessKeyId, secretAccessKey } = out.accessKey;
    assert.match(accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(secretAccessKey.length, 40);
    assert.deepEqual(out.accessKey, { userName: 'alice', accessKeyId, status: 'Active', createDate: '2026-11-21T12:00:00.000Z', secretAccessKey });

    const listed = (await h.call('ListAccessKeys', { userName: 'alice' })) as ListOut;
    assert.deepEqual(listed, { accessKeyMetadata: [{ userName: 'alice', accessKeyId, status: 'Active', createDate: '2026-11-21T12:00:00.000Z' }], isTruncated: false, marker: undefined });
    assert.ok(!JSON.stringify(listed).includes(secretAccessKey));

    const rec = await storedKey(h, accessKeyId);
    assert.ok(rec);
    assert.ok(!JSON.stringify(rec).includes(secretAccessKey), 'the stored record must not hold the secret');
    assert.equal(openSecret(h.env, rec.data), secretAccessKey, 'the sealed value opens to the secret');
    const changes = await h.env.store.changesSince(0, 100_000);
    assert.ok(!JSON.stringify(changes).includes(secretAccessKey), 'the change log must not hold the secret');
  });

  it('allows two keys per user, active or not, and writes nothing past the quota', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    const first = (await h.call('CreateAccessKey', { userName: 'alice' })) as AccessKeyOut;
    await h.call('CreateAccessKey', { userName: 'alice' });
    await h.call('UpdateAccessKey', { userName: 'alice', accessKeyId: first.accessKey.accessKeyId, status: 'Inactive' });
    const revision = await h.env.store.revision();
    await assert.rejects(h.call('CreateAccessKey', { userName: 'alice' }), { code: 'LimitExceeded', message: 'Cannot exceed quota for AccessKeysPerUser: 2' });
    assert.equal(await h.env.store.revision(), revision);
    assert.equal((await storedUser(h, 'alice'))?.accessKeys.length, 2);
  });

  it('updates and deletes only the named user’s keys', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    await h.call('CreateUser', { userName: 'bob' });
    const key = ((await h.call('CreateAccessKey', { userName: 'alice' })) as AccessKeyOut).accessKey.accessKeyId;

    await h.call('UpdateAccessKey', { userName: 'alice', accessKeyId: key, status: 'Inactive' });
    const listed = (await h.call('ListAccessKeys', { userName: 'alice' })) as ListOut;
    assert.equal(listed.accessKeyMetadata[0].status, 'Inactive');

    const missing = { code: 'NoSuchEntity', message: `The Access Key with id ${key} cannot be found.` };
    await assert.rejects(h.call('UpdateAccessKey', { userName: 'bob', accessKeyId: key, status: 'Active' }), missing);
    await assert.rejects(h.call('DeleteAccessKey', { userName: 'bob', accessKeyId: key }), missing);
    await assert.rejects(h.call('DeleteAccessKey', { userName: 'alice', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' }), {
      code: 'NoSuchEntity',
      message: 'The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.',
    });
    await assert.rejects(h.call('ListAccessKeys', { userName: 'nobody' }), { code: 'NoSuchEntity', message: 'The user with name nobody cannot be found.' });

    await h.call('DeleteAccessKey', { userName: 'alice', accessKeyId: key });
    assert.deepEqual(((await h.call('ListAccessKeys', { userName: 'alice' })) as ListOut).accessKeyMetadata, []);
    assert.equal(await storedKey(h, key), undefined);
  });

  it('refuses DeleteUser while the user has keys', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    const key = ((await h.call('CreateAccessKey', { userName: 'alice' })) as AccessKeyOut).accessKey.accessKeyId;
    await assert.rejects(h.call('DeleteUser', { userName: 'alice' }), { code: 'DeleteConflict', message: 'Cannot delete entity, must delete access keys first.' });
    await h.call('DeleteAccessKey', { userName: 'alice', accessKeyId: key });
    await h.call('DeleteUser', { userName: 'alice' });
  });

  it('reports last use, with N/A for a key never used', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    const key = ((await h.call('CreateAccessKey', { userName: 'alice' })) as AccessKeyOut).accessKey.accessKeyId;
    assert.deepEqual(await h.call('GetAccessKeyLastUsed', { accessKeyId: key }), {
      userName: 'alice',
      accessKeyLastUsed: { lastUsedDate: undefined, serviceName: 'N/A', region: 'N/A' },
    });

    // As stores from before the usage kind kept it, on the key (key-usage.test.ts covers flushes).
    const lastUsed = { lastUsedDate: '2026-11-21T12:30:00.000Z', serviceName: 'iam', region: 'us-east-1' };
    await h.env.store.write(async (tx) => {
      const rec = await tx.get<AccessKeyEntity>(KIND.accessKey, key);
      await tx.put(KIND.accessKey, key, ACCOUNT, { ...rec!.data, lastUsed });
    });
    assert.deepEqual(await h.call('GetAccessKeyLastUsed', { accessKeyId: key }), { userName: 'alice', accessKeyLastUsed: lastUsed });
    await assert.rejects(h.call('GetAccessKeyLastUsed', { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' }), { code: 'NoSuchEntity' });
  });

  it('lets a user manage its own keys under an ${aws:username} policy, and no one else’s', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    await h.call('CreateUser', { userName: 'bob' });
    const alice = await h.userCaller('alice');

    // No policy: denied.
    await assert.rejects(h.call('CreateAccessKey', {}, alice), {
      code: 'AccessDenied',
      message:
        'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateAccessKey on resource: arn:aws:iam::123456789012:user/alice because no identity-based policy allows the iam:CreateAccessKey action',
    });

    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iam:CreateAccessKey', Resource: 'arn:aws:iam::*:user/${aws:username}' }],
    });
    const policy = (await h.call('CreatePolicy', { policyName: 'OwnKeys', policyDocument: document })) as { policy: { arn: string } };
    await h.call('AttachUserPolicy', { userName: 'alice', policyArn: policy.policy.arn });

    // Without UserName the key is the caller's own.
    const own = (await h.call('CreateAccessKey', {}, alice)) as AccessKeyOut;
    assert.equal(own.accessKey.userName, 'alice');
    await h.call('CreateAccessKey', { userName: 'alice' }, alice);
    await assert.rejects(h.call('CreateAccessKey', { userName: 'bob' }, alice), {
      code: 'AccessDenied',
      message:
        'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateAccessKey on resource: arn:aws:iam::123456789012:user/bob because no identity-based policy allows the iam:CreateAccessKey action',
    });
    assert.equal((await storedUser(h, 'bob'))?.accessKeys.length, 0);
    // The policy allows only CreateAccessKey.
    await assert.rejects(h.call('ListAccessKeys', {}, alice), { code: 'AccessDenied' });
  });
});
