import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { DataPlaneAuthenticator, type AuthOutcome } from '../../src/data-plane/authenticator.js';
import type { HttpRequestParts } from '../../src/core/sigv4/index.js';
import { ACCOUNT, allow, DAY_MS, NOW, REGION, ReplicaFixture, sha256Hex, signedParts, type Credentials } from './replica-fixture.js';

function setup(options: ConstructorParameters<typeof ReplicaFixture>[0] = {}) {
  const f = new ReplicaFixture(options);
  f.accountRecord();
  const read = f.policy('Read', allow('s3:GetObject'));
  f.user('alice', { attached: [read] });
  f.role('Reader', { attached: [read] });
  const alice = f.accessKey('alice');
  return { f, alice };
}

function failed(outcome: AuthOutcome): Extract<AuthOutcome, { ok: false }> {
  assert.equal(outcome.ok, false, 'expected the request to be refused');
  return outcome as Extract<AuthOutcome, { ok: false }>;
}

function succeeded(outcome: AuthOutcome): Extract<AuthOutcome, { ok: true }> {
  assert.ok(outcome.ok, outcome.ok ? '' : `${outcome.code}: ${outcome.message}`);
  return outcome;
}

describe('long-term keys (AKIA) with region keys only', () => {
  test('a SigV4 request authenticates as the key’s user', () => {
    const { f, alice } = setup();
    const auth = new DataPlaneAuthenticator(f.index());
    const out = succeeded(auth.authenticate(signedParts(alice), NOW, 's3'));
    assert.equal(out.principal.type, 'IAMUser');
    assert.equal(out.principal.arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
    assert.equal(out.principal.account, ACCOUNT);
    assert.equal(out.principal.userName, 'alice');
    assert.equal(out.principal.accessKeyId, alice.accessKeyId);
    assert.equal(out.info.service, 's3');
    // Again (cached signing key), and presigned.
    assert.ok(auth.authenticate(signedParts(alice, { body: 'x' }), NOW, 's3').ok);
    assert.ok(auth.authenticate(signedParts(alice, { form: 'query' }), NOW, 's3').ok);
  });

  test('the replica holds no secret: only kRegion per date, and a wrong secret fails', () => {
    const { f, alice } = setup();
    const text = JSON.stringify(f.state());
    assert.ok(!text.includes(alice.secretAccessKey));
    const auth = new DataPlaneAuthenticator(f.index());
    const out = failed(auth.authenticate(signedParts({ ...alice, secretAccessKey: alice.secretAccessKey.replace(/.$/, '#') }), NOW, 's3'));
    assert.equal(out.code, 'SignatureDoesNotMatch');
    assert.equal(out.status, 403);
  });

  test('a request signed by the AWS SDK’s signer (@smithy/signature-v4) authenticates', async () => {
    const { f, alice } = setup();
    const signer = new SignatureV4({
      credentials: alice,
      region: REGION,
      service: 'execute-api',
      sha256: class {
        private readonly h;
        constructor(secret?: unknown) {
          this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret as Uint8Array);
        }
        update(data: string | Uint8Array) {
          this.h.update(data);
        }
        async digest() {
          return new Uint8Array(this.h.digest());
        }
      } as never,
    });
    const body = '{"orderId":42}';
    const signed = (await signer.sign(
      { method: 'POST', protocol: 'https:', hostname: 'api.example.com', path: '/orders', query: { page: '2' }, headers: { host: 'api.example.com', 'content-type': 'application/json' }, body } as never,
      { signingDate: NOW },
    )) as unknown as { method: string; path: string; headers: Record<string, string> };
    const parts: HttpRequestParts = { method: signed.method, path: signed.path, query: 'page=2', headers: Object.entries(signed.headers), bodySha256: sha256Hex(body) };
    const out = succeeded(new DataPlaneAuthenticator(f.index()).authenticate(parts, NOW, 'execute-api'));
    assert.equal(out.principal.userName, 'alice');
  });

  test('an inactive or unknown key: InvalidClientTokenId', () => {
    const { f } = setup();
    const inactive = f.accessKey('alice', { status: 'Inactive' });
    const auth = new DataPlaneAuthenticator(f.index());
    for (const creds of [inactive, { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) }]) {
      const out = failed(auth.authenticate(signedParts(creds), NOW, 's3'));
      assert.equal(out.code, 'InvalidClientTokenId');
      assert.equal(out.message, 'The security token included in the request is invalid');
      assert.equal(out.status, 403);
      assert.equal(out.accessKeyId, creds.accessKeyId);
    }
  });

  test('a key whose user is gone: InvalidClientTokenId', () => {
    const { f } = setup();
    const bob = f.accessKey('bob');
    const out = failed(new DataPlaneAuthenticator(f.index()).authenticate(signedParts(bob), NOW, 's3'));
    assert.equal(out.code, 'InvalidClientTokenId');
  });

  test('a key deactivated by a change stops at once', () => {
    const { f, alice } = setup();
    const index = f.index();
    const auth = new DataPlaneAuthenticator(index);
    assert.ok(auth.authenticate(signedParts(alice), NOW, 's3').ok);
    const record = f.record<{ status: string }>('access-key', alice.accessKeyId);
    index.apply(f.changes([{ op: 'put', record: { ...record, data: { ...record.data, status: 'Inactive' } } as never }]));
    assert.equal(failed(auth.authenticate(signedParts(alice), NOW, 's3')).code, 'InvalidClientTokenId');
  });

  test('a request scoped to another region gets AWS’s credential-scope error', () => {
    const { f, alice } = setup();
    const out = failed(new DataPlaneAuthenticator(f.index()).authenticate(signedParts(alice, { region: 'us-east-1' }), NOW, 's3'));
    assert.equal(out.code, 'SignatureDoesNotMatch');
    assert.equal(out.message, "Credential should be scoped to a valid region, not 'us-east-1'. ");
  });

  test('the endpoint’s service is checked unless any service is accepted', () => {
    const { f, alice } = setup();
    const auth = new DataPlaneAuthenticator(f.index());
    const out = failed(auth.authenticate(signedParts(alice, { service: 's3' }), NOW, 'sts'));
    assert.equal(out.message, "Credential should be scoped to correct service: 'sts'. ");
    assert.ok(auth.authenticate(signedParts(alice, { service: 's3' }), NOW, '*').ok);
  });

  test('the clock is checked before the key', () => {
    const { f } = setup();
    const out = failed(new DataPlaneAuthenticator(f.index()).authenticate(signedParts({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' }, { now: new Date(NOW.getTime() - 3600_000) }), NOW, 's3'));
    assert.equal(out.code, 'SignatureDoesNotMatch');
    assert.match(out.message, /^Signature expired/);
  });

  test('when the key window has run out (region cut off too long): 503 ServiceUnavailable saying why', () => {
    const { f, alice } = setup();
    const auth = new DataPlaneAuthenticator(f.index());
    const later = new Date(NOW.getTime() + 9 * DAY_MS);
    const out = failed(auth.authenticate(signedParts(alice, { now: later }), later, 's3'));
    assert.equal(out.code, 'ServiceUnavailable');
    assert.equal(out.status, 503);
    assert.equal(out.message, `This region has no key material for 20260319: it has not received updates from the control plane since ${NOW.toISOString()}. Retry later or use another region.`);
    // The last day of the window still works.
    const last = new Date(NOW.getTime() + 7 * DAY_MS);
    assert.ok(auth.authenticate(signedParts(alice, { now: last }), last, 's3').ok);
  });

  test('SigV4a needs only the public key: it works with no key window left', () => {
    const { f, alice } = setup();
    const auth = new DataPlaneAuthenticator(f.index());
    const later = new Date(NOW.getTime() + 30 * DAY_MS);
    const out = succeeded(auth.authenticate(signedParts(alice, { algorithm: 'AWS4-ECDSA-P256-SHA256', now: later }), later, 's3'));
    assert.equal(out.principal.userName, 'alice');
    assert.ok(auth.authenticate(signedParts(alice, { algorithm: 'AWS4-ECDSA-P256-SHA256', regionSet: ['*'] }), NOW, 's3').ok);
    assert.ok(auth.authenticate(signedParts(alice, { algorithm: 'AWS4-ECDSA-P256-SHA256', regionSet: ['us-east-1', 'eu-*'] }), NOW, 's3').ok);
  });

  test('a SigV4a region set without this region is refused', () => {
    const { f, alice } = setup();
    const out = failed(new DataPlaneAuthenticator(f.index()).authenticate(signedParts(alice, { algorithm: 'AWS4-ECDSA-P256-SHA256', regionSet: ['us-east-1'] }), NOW, 's3'));
    assert.equal(out.code, 'SignatureDoesNotMatch');
    assert.equal(out.message, "Credential should be scoped to a valid region, not 'us-east-1'. ");
  });

  test('a long-term key sent with a session token is refused', () => {
    const { f, alice } = setup();
    const out = failed(new DataPlaneAuthenticator(f.index()).authenticate(signedParts({ ...alice, sessionToken: 'abc' }), NOW, 's3'));
    assert.equal(out.code, 'InvalidClientTokenId');
  });
});

describe('temporary credentials (ASIA) with sealed session tokens', () => {
  function role(f: ReplicaFixture): Credentials & { sessionToken: string } {
    return f.session({ kind: 'AssumedRole', roleName: 'Reader', sessionName: 'build-42', sourceIdentity: 'alice' });
  }

  test('a role session authenticates as the assumed role, with its claims', () => {
    const { f } = setup();
    const creds = role(f);
    const auth = new DataPlaneAuthenticator(f.index());
    const out = succeeded(auth.authenticate(signedParts(creds), NOW, 's3'));
    const r = f.record<{ roleId: string }>('role', `${ACCOUNT}/reader`).data;
    assert.equal(out.principal.type, 'AssumedRole');
    assert.equal(out.principal.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/Reader/build-42`);
    assert.equal(out.principal.userId, `${r.roleId}:build-42`);
    assert.equal(out.principal.accessKeyId, creds.accessKeyId);
    assert.equal(out.principal.session?.sourceIdentity, 'alice');
    // Presigned (token as a query parameter) and SigV4a.
    assert.ok(auth.authenticate(signedParts(creds, { form: 'query' }), NOW, 's3').ok);
    assert.ok(auth.authenticate(signedParts(creds, { algorithm: 'AWS4-ECDSA-P256-SHA256' }), NOW, 's3').ok);
  });

  test('GetSessionToken and GetFederationToken sessions', () => {
    const { f } = setup();
    const auth = new DataPlaneAuthenticator(f.index());
    const user = succeeded(auth.authenticate(signedParts(f.session({ kind: 'SessionToken', userName: 'alice' })), NOW, 's3')).principal;
    assert.equal(user.type, 'IAMUser');
    assert.equal(user.arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
    assert.equal(user.session?.kind, 'SessionToken');
    const fed = succeeded(auth.authenticate(signedParts(f.session({ kind: 'FederatedUser', userName: 'alice', federatedName: 'bob' })), NOW, 's3')).principal;
    assert.equal(fed.type, 'FederatedUser');
    assert.equal(fed.arn, `arn:aws:sts::${ACCOUNT}:federated-user/bob`);
    assert.equal(fed.userId, `${ACCOUNT}:bob`);
  });

  test('an expired token: ExpiredToken', () => {
    const { f } = setup();
    const creds = role(f);
    const later = new Date(NOW.getTime() + 3600_000);
    const out = failed(new DataPlaneAuthenticator(f.index()).authenticate(signedParts(creds, { now: later }), later, 's3'));
    assert.equal(out.code, 'ExpiredToken');
    assert.equal(out.message, 'The security token included in the request is expired');
    assert.equal(out.status, 403);
  });

  test('a tampered, foreign or missing token: InvalidClientTokenId', () => {
    const { f } = setup();
    const creds = role(f);
    const bytes = Buffer.from(creds.sessionToken, 'base64');
    bytes[bytes.length - 1] ^= 1;
    const tampered = { ...creds, sessionToken: bytes.toString('base64') };
    const other = f.session({ kind: 'AssumedRole', roleName: 'Reader', sessionName: 'other' });
    const auth = new DataPlaneAuthenticator(f.index());
    for (const c of [tampered, { ...creds, sessionToken: 'not-a-token' }, { ...other, sessionToken: creds.sessionToken }, { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }]) {
      const out = failed(auth.authenticate(signedParts(c), NOW, 's3'));
      assert.equal(out.code, 'InvalidClientTokenId', JSON.stringify(c).slice(0, 60));
    }
  });

  test('a token sealed with a key the region does not have: InvalidClientTokenId', () => {
    const { f } = setup();
    // Issued 5 days ago: its key verifies until issue day + 1 day + 36 h.
    const old = f.session({ kind: 'AssumedRole', roleName: 'Reader', issuedAt: new Date(NOW.getTime() - 5 * DAY_MS), durationSeconds: 43200 * 100 });
    const out = failed(new DataPlaneAuthenticator(f.index()).authenticate(signedParts(old), NOW, 's3'));
    assert.equal(out.code, 'InvalidClientTokenId');
  });

  test('the wrong secret for a valid token: SignatureDoesNotMatch', () => {
    const { f } = setup();
    const creds = role(f);
    const out = failed(new DataPlaneAuthenticator(f.index()).authenticate(signedParts({ ...creds, secretAccessKey: 'y'.repeat(40) }), NOW, 's3'));
    assert.equal(out.code, 'SignatureDoesNotMatch');
  });
});
