import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  deriveSigningKey,
  deriveSigV4aKeyPair,
  parseSignature,
  signRequest,
  verifySigV4,
  verifySigV4a,
  type HttpRequestParts,
} from '../../../src/core/sigv4/index.js';
import { sha256Hex } from './fixtures.js';

/**
 * Two independent signers against the verifier: the JS SDK's own (@smithy/signature-v4, what
 * @aws-sdk/client-iam uses) and our signRequest helper.
 */

class NodeSha256 {
  private readonly hash;
  constructor(secret?: unknown) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret as Uint8Array);
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

interface SmithyRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: string;
}

/** RFC 3986 escaping as the SDK's query serialiser does it. */
function escape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** What the SDK's HTTP handler puts on the wire for a (signed) smithy request. */
function onTheWire(r: SmithyRequest): HttpRequestParts {
  const query = Object.entries(r.query)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${escape(k)}=${escape(x)}`))
    .join('&');
  return { method: r.method, path: r.path, query, headers: Object.entries(r.headers), bodySha256: sha256Hex(r.body ?? '') };
}

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLEDUMMY0001', secretAccessKey: 'dummySecretKeyForWireCapture/0000000000' };
const WITH_TOKEN = { ...CREDENTIALS, sessionToken: 'FwoGZXIvYXdzEB0aDP+/tok=en' };
const NOW = new Date('2026-11-21T14:36:24Z');

function smithy(region: string, service: string, credentials: typeof CREDENTIALS & { sessionToken?: string } = CREDENTIALS): SignatureV4 {
  return new SignatureV4({ credentials, region, service, sha256: NodeSha256 as never });
}

function verifiesWithDerivedKey(req: HttpRequestParts): boolean {
  const parsed = parseSignature(req);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.failure.message);
  const { info } = parsed;
  return verifySigV4(req, info, deriveSigningKey(CREDENTIALS.secretAccessKey, info.date, info.region ?? '', info.service));
}

const IAM_REQUEST: SmithyRequest = {
  method: 'POST',
  protocol: 'http:',
  hostname: '127.0.0.1',
  port: 18555,
  path: '/',
  query: {},
  headers: { host: '127.0.0.1:18555', 'content-type': 'application/x-www-form-urlencoded', 'content-length': '47' },
  body: 'Action=CreateUser&Version=2010-05-08&UserName=x',
};

describe('requests signed by @smithy/signature-v4 verify', () => {
  test('an IAM POST (x-amz-content-sha256 signed)', async () => {
    const signed = (await smithy('us-east-1', 'iam').sign(IAM_REQUEST as never, { signingDate: NOW })) as unknown as SmithyRequest;
    assert.ok(signed.headers['x-amz-content-sha256']);
    assert.equal(verifiesWithDerivedKey(onTheWire(signed)), true);
  });

  test('with a session token, in another region, with an empty region', async () => {
    for (const region of ['eu-west-1', '']) {
      const signed = (await smithy(region, 'sts', WITH_TOKEN).sign(IAM_REQUEST as never, { signingDate: NOW })) as unknown as SmithyRequest;
      const req = onTheWire(signed);
      const parsed = parseSignature(req);
      assert.ok(parsed.ok);
      assert.equal(parsed.info.sessionToken, WITH_TOKEN.sessionToken);
      assert.equal(parsed.info.region, region);
      assert.equal(verifiesWithDerivedKey(req), true);
    }
  });

  test('awkward paths, query parameters and header values', async () => {
    const request: SmithyRequest = {
      ...IAM_REQUEST,
      method: 'GET',
      path: '/some/prefix%20x/a+b/%E1%88%B4/',
      query: { 'k ey': 'v+al*ue (1)', ሴ: 'é', multi: ['2', '1', '10'], empty: '', 'X-Other': '~._-' },
      headers: { host: 'iam.example:8443', 'x-custom': '  a   b\tc  ', 'x-empty': '' },
      body: '',
    };
    const signed = (await smithy('us-east-1', 'iam').sign(request as never, { signingDate: NOW })) as unknown as SmithyRequest;
    assert.equal(verifiesWithDerivedKey(onTheWire(signed)), true);
  });

  test('a path the SDK normalises before signing (as botocore does)', async () => {
    const signed = (await smithy('us-east-1', 'iam').sign({ ...IAM_REQUEST, path: '/a//b/./c/../d/' } as never, { signingDate: NOW })) as unknown as SmithyRequest;
    const req = onTheWire(signed);
    assert.equal(req.path, '/a//b/./c/../d/');
    assert.equal(verifiesWithDerivedKey(req), true);
  });

  test('a presigned STS GetCallerIdentity URL (query form), with a session token', async () => {
    const presigned = (await smithy('us-east-1', 'sts', WITH_TOKEN).presign(
      { ...IAM_REQUEST, method: 'GET', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host: 'sts.example', 'x-k8s-aws-id': 'cluster-1' }, body: undefined } as never,
      { signingDate: NOW, expiresIn: 60 },
    )) as unknown as SmithyRequest;
    const req = onTheWire(presigned);
    const parsed = parseSignature(req);
    assert.ok(parsed.ok);
    assert.equal(parsed.info.form, 'query');
    assert.equal(parsed.info.expiresSeconds, 60);
    assert.equal(parsed.info.sessionToken, WITH_TOKEN.sessionToken);
    assert.deepEqual(parsed.info.signedHeaders, ['host', 'x-k8s-aws-id']);
    assert.equal(verifiesWithDerivedKey(req), true);
  });
});

describe('signRequest', () => {
  const base: HttpRequestParts = {
    method: 'POST',
    path: '/',
    query: '',
    headers: [
      ['host', '127.0.0.1:18555'],
      ['content-type', 'application/x-www-form-urlencoded'],
    ],
    bodySha256: sha256Hex(IAM_REQUEST.body ?? ''),
  };

  test('gives the same signature as the JS SDK for the same signed headers', async () => {
    const signed = (await smithy('us-east-1', 'iam').sign({ ...IAM_REQUEST, headers: { host: '127.0.0.1:18555', 'content-type': 'application/x-www-form-urlencoded' } } as never, {
      signingDate: NOW,
    })) as unknown as SmithyRequest;
    const ours = signRequest(base, CREDENTIALS, { now: NOW, region: 'us-east-1', service: 'iam', signContentSha256: true });
    const authorization = ours.headers.find(([n]) => n === 'Authorization')?.[1];
    assert.equal(authorization, signed.headers.authorization);
  });

  test('header and query forms, SigV4 and SigV4a, with and without a session token, verify', () => {
    const { privateKey, publicKey } = deriveSigV4aKeyPair(CREDENTIALS.accessKeyId, CREDENTIALS.secretAccessKey);
    for (const form of ['header', 'query'] as const) {
      for (const credentials of [CREDENTIALS, WITH_TOKEN]) {
        const v4 = signRequest(base, credentials, { now: NOW, region: 'us-east-1', service: 'sts', form });
        assert.equal(verifiesWithDerivedKey(v4), true);
        const v4a = signRequest(base, credentials, { now: NOW, region: 'us-east-1', service: 'sts', form, algorithm: 'AWS4-ECDSA-P256-SHA256', regionSet: ['*'], sigV4aPrivateKey: privateKey });
        const parsed = parseSignature(v4a);
        assert.ok(parsed.ok);
        assert.deepEqual(parsed.info.regionSet, ['*']);
        assert.equal(parsed.info.sessionToken, credentials === WITH_TOKEN ? WITH_TOKEN.sessionToken : undefined);
        assert.equal(verifySigV4a(v4a, parsed.info, publicKey), true);
      }
    }
  });

  test('unsignedHeaders are left out of SignedHeaders and may change', () => {
    const withAgent: HttpRequestParts = { ...base, headers: [...base.headers, ['User-Agent', 'aws-cli/1.45.11']] };
    const req = signRequest(withAgent, CREDENTIALS, {
      now: NOW,
      region: 'us-east-1',
      service: 'iam',
      unsignedHeaders: ['user-agent'],
    });
    const parsed = parseSignature(req);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.info.signedHeaders, ['content-type', 'host', 'x-amz-date']);
    const changed = { ...req, headers: req.headers.map(([n, v]): [string, string] => [n, n === 'User-Agent' ? 'other' : v]) };
    assert.equal(verifiesWithDerivedKey(changed), true);
  });
});
