import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHarness } from './harness.js';

describe('users', () => {
  it('creates, reads, lists, renames and deletes a user', async () => {
    const h = await createHarness();
    const created = (await h.call('CreateUser', { userName: 'alice', path: '/eng/', tags: [{ key: 'team', value: 'core' }] })) as { user: { arn: string; userId: string } };
    assert.equal(created.user.arn, 'arn:aws:iam::123456789012:user/eng/alice');
    assert.match(created.user.userId, /^AIDA[A-Z2-7]{17}$/);
    await assert.rejects(h.call('CreateUser', { userName: 'ALICE' }), { code: 'EntityAlreadyExists', message: 'User with name ALICE already exists.' });
    const listed = (await h.call('ListUsers', { pathPrefix: '/eng/' })) as { users: { userName: string }[]; isTruncated: boolean };
    assert.deepEqual(listed.users.map((u) => u.userName), ['alice']);
    await h.call('UpdateUser', { userName: 'alice', newUserName: 'alicia' });
    await assert.rejects(h.call('GetUser', { userName: 'alice' }), { code: 'NoSuchEntity', message: 'The user with name alice cannot be found.' });
    await h.call('DeleteUser', { userName: 'alicia' });
    await assert.rejects(h.call('DeleteUser', { userName: 'alicia' }), { code: 'NoSuchEntity' });
  });

  it('paginates with Marker and MaxItems', async () => {
    const h = await createHarness();
    for (let i = 0; i < 5; i++) await h.call('CreateUser', { userName: `u${i}` });
    const first = (await h.call('ListUsers', { maxItems: 2 })) as { users: { userName: string }[]; isTruncated: boolean; marker?: string };
    assert.equal(first.isTruncated, true);
    const names = first.users.map((u) => u.userName);
    let marker = first.marker;
    while (marker) {
      const page = (await h.call('ListUsers', { maxItems: 2, marker })) as typeof first;
      names.push(...page.users.map((u) => u.userName));
      marker = page.marker;
    }
    assert.deepEqual(names, ['admin', 'u0', 'u1', 'u2', 'u3', 'u4']);
  });

  it('denies a user without permissions, in AWS wording', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'bob' });
    const bob = await h.userCaller('bob');
    await assert.rejects(h.call('CreateUser', { userName: 'carol' }, bob), {
      code: 'AccessDenied',
      message: 'User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/carol because no identity-based policy allows the iam:CreateUser action',
    });
  });
});
