import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, createHarness } from './harness.js';

describe('credentials and providers Gatehouse does not issue', () => {
  it('lists none of them, for an existing user or the account', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    assert.deepEqual(await h.call('ListSSHPublicKeys', { userName: 'alice' }), { sSHPublicKeys: [], isTruncated: false });
    assert.deepEqual(await h.call('ListSigningCertificates', { userName: 'alice' }), { certificates: [], isTruncated: false });
    assert.deepEqual(await h.call('ListServiceSpecificCredentials', { userName: 'alice' }), { serviceSpecificCredentials: [], isTruncated: false });
    assert.deepEqual(await h.call('ListServiceSpecificCredentials', { allUsers: true }), { serviceSpecificCredentials: [], isTruncated: false });
    // Without a user name: the caller's own (the administrator).
    assert.deepEqual(await h.call('ListSigningCertificates'), { certificates: [], isTruncated: false });
    assert.deepEqual(await h.call('ListServerCertificates', { pathPrefix: '/cloudfront/' }), { serverCertificateMetadataList: [], isTruncated: false });
    assert.deepEqual(await h.call('ListOpenIDConnectProviders'), { openIDConnectProviderList: [] });
    assert.deepEqual(await h.call('ListSAMLProviders'), { sAMLProviderList: [] });
  });

  it('answers NoSuchEntity for a user that does not exist, and AccessDenied without permission', async () => {
    const h = await createHarness();
    for (const operation of ['ListSSHPublicKeys', 'ListSigningCertificates', 'ListServiceSpecificCredentials']) {
      await assert.rejects(h.call(operation, { userName: 'nobody' }), { code: 'NoSuchEntity', message: 'The user with name nobody cannot be found.' });
    }
    await h.call('CreateUser', { userName: 'alice' });
    const alice = await h.userCaller('alice');
    await assert.rejects(h.call('ListSigningCertificates', {}, alice), {
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: iam:ListSigningCertificates on resource: arn:aws:iam::${ACCOUNT}:user/alice because no identity-based policy allows the iam:ListSigningCertificates action`,
    });
    await assert.rejects(h.call('ListOpenIDConnectProviders', {}, alice), { code: 'AccessDenied' });
  });
});
