import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KIND, type AccountEntity } from '../../src/core/model/iam-entities.js';
import { createHarness } from './harness.js';

const aliases = (out: unknown) => (out as { accountAliases: string[] }).accountAliases;

describe('account aliases', () => {
  it('creates, replaces, lists and deletes the one alias', async () => {
    const h = await createHarness();
    assert.deepEqual(await h.call('ListAccountAliases'), { accountAliases: [], isTruncated: false, marker: undefined });
    await h.call('CreateAccountAlias', { accountAlias: 'acme-prod' });
    assert.deepEqual(aliases(await h.call('ListAccountAliases')), ['acme-prod']);
    await assert.rejects(h.call('CreateAccountAlias', { accountAlias: 'acme-prod' }), { code: 'EntityAlreadyExists', message: 'The account alias acme-prod already exists.' });

    // A second alias replaces the first.
    await h.call('CreateAccountAlias', { accountAlias: 'acme-production' });
    assert.deepEqual(aliases(await h.call('ListAccountAliases')), ['acme-production']);

    const revision = await h.env.store.revision();
    await assert.rejects(h.call('DeleteAccountAlias', { accountAlias: 'acme-prod' }), { code: 'NoSuchEntity', message: 'The account alias acme-prod cannot be found.' });
    assert.equal(await h.env.store.revision(), revision);
    await h.call('DeleteAccountAlias', { accountAlias: 'acme-production' });
    assert.deepEqual(aliases(await h.call('ListAccountAliases')), []);
  });

  it('keeps aliases unique across the accounts of the store', async () => {
    const h = await createHarness();
    const other: AccountEntity = { accountId: '210987654321', alias: 'taken', createDate: '2026-01-01T00:00:00.000Z' };
    await h.env.store.write((tx) => tx.put(KIND.account, other.accountId, other.accountId, other));
    await assert.rejects(h.call('CreateAccountAlias', { accountAlias: 'taken' }), { code: 'EntityAlreadyExists', message: 'The account alias taken already exists.' });
    assert.deepEqual(aliases(await h.call('ListAccountAliases')), []);
    await assert.rejects(h.call('CreateAccountAlias', { accountAlias: '123456789012' }), { code: 'InvalidInput' });
  });

  it('needs a policy that allows the alias actions', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    const alice = await h.userCaller('alice');
    await assert.rejects(h.call('CreateAccountAlias', { accountAlias: 'acme' }, alice), {
      code: 'AccessDenied',
      message:
        'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateAccountAlias on resource: * because no identity-based policy allows the iam:CreateAccountAlias action',
    });
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:CreateAccountAlias', 'iam:ListAccountAliases'], Resource: '*' }] });
    await h.call('PutUserPolicy', { userName: 'alice', policyName: 'Aliases', policyDocument: document });
    await h.call('CreateAccountAlias', { accountAlias: 'acme' }, alice);
    assert.deepEqual(aliases(await h.call('ListAccountAliases', {}, alice)), ['acme']);
    await assert.rejects(h.call('DeleteAccountAlias', { accountAlias: 'acme' }, alice), { code: 'AccessDenied' });
  });
});
