/**
 * Access keys' last use lives in its own record kind: a usage flush writes it (never the key
 * record), GetAccessKeyLastUsed reads it (falling back to the `lastUsed` that older stores kept on
 * the key), and DeleteAccessKey deletes it with the key.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Authenticator } from '../../src/control-plane/authenticator.js';
import { KIND, type AccessKeyEntity, type AccessKeyUsageEntity } from '../../src/core/model/iam-entities.js';
import { ACCOUNT, createHarness, type Harness } from './harness.js';
import { signedIamRequest } from './session-helpers.js';

interface Key {
  accessKeyId: string;
  secretAccessKey: string;
}

async function setUp() {
  const h = await createHarness();
  const authenticator = new Authenticator(h.env, h.service);
  await h.call('CreateUser', { userName: 'alice' });
  const key = ((await h.call('CreateAccessKey', { userName: 'alice' })) as { accessKey: Key }).accessKey;
  /** A signed IAM call with `credentials` as the HTTP edge makes it: authenticated, then its use recorded. */
  const use = async (credentials: Key, region = 'us-east-1') => {
    const result = await authenticator.authenticate(signedIamRequest(credentials, h.clock.now, { region }), h.clock.now, 'iam');
    assert.ok(result.ok, 'authenticated');
    authenticator.recordUse(credentials.accessKeyId, h.clock.now, 'iam', region);
  };
  return { h, authenticator, key, use };
}

function stored<T>(h: Harness, kind: string, id: string) {
  return h.env.store.read((tx) => tx.get<T>(kind, id));
}

const lastUsedOf = (h: Harness, accessKeyId: string) => h.call('GetAccessKeyLastUsed', { accessKeyId });

describe('access key usage', () => {
  it('a flush writes the usage record and leaves the key record alone', async () => {
    const { h, authenticator, key, use } = await setUp();
    const before = await stored<AccessKeyEntity>(h, KIND.accessKey, key.accessKeyId);
    await use(key);
    h.clock.now = new Date('2026-11-21T12:00:05Z');
    await use(key, 'eu-west-1');
    // Pending until flushed: GetAccessKeyLastUsed shows what the store has, as AWS's lags too.
    assert.deepEqual(authenticator.pendingUse(key.accessKeyId), { lastUsedDate: '2026-11-21T12:00:05.000Z', serviceName: 'iam', region: 'eu-west-1' });
    assert.deepEqual(await lastUsedOf(h, key.accessKeyId), { userName: 'alice', accessKeyLastUsed: { lastUsedDate: undefined, serviceName: 'N/A', region: 'N/A' } });

    await authenticator.flushUsage();
    assert.equal(authenticator.pendingUse(key.accessKeyId), undefined);
    assert.deepEqual(await lastUsedOf(h, key.accessKeyId), {
      userName: 'alice',
      accessKeyLastUsed: { lastUsedDate: '2026-11-21T12:00:05.000Z', serviceName: 'iam', region: 'eu-west-1' },
    });
    // The key record is untouched: same data, same revision.
    assert.deepEqual(await stored<AccessKeyEntity>(h, KIND.accessKey, key.accessKeyId), before);
    const usage = await stored<AccessKeyUsageEntity>(h, KIND.accessKeyUsage, key.accessKeyId);
    assert.equal(usage?.account, ACCOUNT);
    assert.deepEqual(usage?.data, { lastUsedDate: '2026-11-21T12:00:05.000Z', serviceName: 'iam', region: 'eu-west-1' });
  });

  it('every flushed key is written in one unit of work', async () => {
    const { h, authenticator, key, use } = await setUp();
    await h.call('CreateUser', { userName: 'bob' });
    const bobKey = ((await h.call('CreateAccessKey', { userName: 'bob' })) as { accessKey: Key }).accessKey;
    await use(key);
    await use(bobKey);
    const revision = await h.env.store.revision();
    await authenticator.flushUsage();
    assert.equal(await h.env.store.revision(), revision + 1);
    const changes = await h.env.store.changesSince(revision, 100);
    assert.deepEqual(
      changes.map((c) => [c.op, c.kind, c.id]),
      [
        ['put', KIND.accessKeyUsage, key.accessKeyId],
        ['put', KIND.accessKeyUsage, bobKey.accessKeyId],
      ],
    );
    // Nothing pending: a flush writes nothing and makes no revision.
    await authenticator.flushUsage();
    assert.equal(await h.env.store.revision(), revision + 1);
  });

  it('falls back to the last use an older store kept on the key, until a flush writes a newer one', async () => {
    const { h, authenticator, key, use } = await setUp();
    const legacy = { lastUsedDate: '2026-11-20T08:00:00.000Z', serviceName: 'iam', region: 'us-west-2' };
    await h.env.store.write(async (tx) => {
      const rec = await tx.get<AccessKeyEntity>(KIND.accessKey, key.accessKeyId);
      await tx.put(KIND.accessKey, key.accessKeyId, ACCOUNT, { ...rec!.data, lastUsed: legacy });
    });
    assert.deepEqual(await lastUsedOf(h, key.accessKeyId), { userName: 'alice', accessKeyLastUsed: legacy });

    await use(key);
    await authenticator.flushUsage();
    assert.deepEqual(await lastUsedOf(h, key.accessKeyId), {
      userName: 'alice',
      accessKeyLastUsed: { lastUsedDate: '2026-11-21T12:00:00.000Z', serviceName: 'iam', region: 'us-east-1' },
    });
    // The old field is left as it was (rewriting the key would replicate it), and no longer read.
    assert.deepEqual((await stored<AccessKeyEntity>(h, KIND.accessKey, key.accessKeyId))?.data.lastUsed, legacy);
  });

  it('DeleteAccessKey deletes the usage in the same unit, and a later flush does not bring it back', async () => {
    const { h, authenticator, key, use } = await setUp();
    await use(key);
    await authenticator.flushUsage();
    await use(key);

    const revision = await h.env.store.revision();
    await h.call('DeleteAccessKey', { userName: 'alice', accessKeyId: key.accessKeyId });
    const changes = await h.env.store.changesSince(revision, 100);
    assert.equal(new Set(changes.map((c) => c.revision)).size, 1, 'one unit of work');
    assert.ok(changes.some((c) => c.op === 'delete' && c.kind === KIND.accessKey && c.id === key.accessKeyId));
    assert.ok(changes.some((c) => c.op === 'delete' && c.kind === KIND.accessKeyUsage && c.id === key.accessKeyId));

    // The use recorded before the delete is dropped: the key no longer exists.
    await authenticator.flushUsage();
    assert.equal(await stored(h, KIND.accessKeyUsage, key.accessKeyId), undefined);
    await assert.rejects(lastUsedOf(h, key.accessKeyId), { code: 'NoSuchEntity' });
    // With its key gone, DeleteUser goes through (AWS refuses while keys remain).
    await h.call('DeleteUser', { userName: 'alice' });
  });

  it('a key keeps authenticating across flushes, and deactivating it still takes effect at once', async () => {
    const { h, authenticator, key, use } = await setUp();
    await use(key);
    await authenticator.flushUsage();
    // Still verifies after the flush, and a deactivation (a key write) still takes effect at once.
    await use(key);
    await h.call('UpdateAccessKey', { userName: 'alice', accessKeyId: key.accessKeyId, status: 'Inactive' });
    const result = await authenticator.authenticate(signedIamRequest(key, h.clock.now), h.clock.now, 'iam');
    assert.equal(result.ok ? 'ok' : result.code, 'InvalidClientTokenId');
  });
});
