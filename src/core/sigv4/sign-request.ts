import { createHmac, sign, type KeyObject } from 'node:crypto';
import { formatAmzDate } from './amz-date.js';
import { stringToSign } from './canonical-request.js';
import { uriEncode } from './percent-encoding.js';
import { deriveSigV4aKeyPair } from './sigv4a-key.js';
import { deriveSigningKey } from './signing-key.js';
import { SIGV4A_ALGORITHM, SIGV4_ALGORITHM, type HttpRequestParts, type SignatureInfo, type SigningAlgorithm } from './types.js';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignRequestOptions {
  now: Date;
  /** The scope's region ('' is allowed, as the JS SDK sometimes sends); ignored by SigV4a except as the default region set. */
  region: string;
  service: string;
  algorithm?: SigningAlgorithm;
  /** SigV4a: X-Amz-Region-Set entries; default [region]. */
  regionSet?: string[];
  form?: 'header' | 'query';
  /** Query form: X-Amz-Expires; default 900. */
  expiresSeconds?: number;
  /** Header form: add and sign x-amz-content-sha256 (the JS SDK does, the AWS CLI doesn't). */
  signContentSha256?: boolean;
  /** Lowercase names of headers to leave unsigned; every other header present is signed. */
  unsignedHeaders?: string[];
  /** SigV4: a precomputed signing key, to skip derivation (benchmarks). */
  signingKey?: Buffer;
  /** SigV4a: a precomputed private key, to skip derivation. */
  sigV4aPrivateKey?: KeyObject;
  normalizePath?: boolean;
}

/**
 * Signs a request the way AWS clients do, returning a copy with the signature added (Authorization
 * and X-Amz-* headers, or X-Amz-* query parameters for a presigned URL). For tests and benchmarks:
 * the server only verifies.
 */
export function signRequest(req: HttpRequestParts, credentials: SigningCredentials, options: SignRequestOptions): HttpRequestParts {
  const algorithm = options.algorithm ?? SIGV4_ALGORITHM;
  const sigV4a = algorithm === SIGV4A_ALGORITHM;
  const form = options.form ?? 'header';
  const amzDate = formatAmzDate(options.now.getTime());
  const date = amzDate.slice(0, 8);
  const scope = sigV4a ? `${date}/${options.service}/aws4_request` : `${date}/${options.region}/${options.service}/aws4_request`;
  const regionSet = (options.regionSet ?? [options.region]).join(',');

  const headers: Array<readonly [string, string]> = req.headers.filter(([name]) => name.toLowerCase() !== 'authorization');
  if (form === 'header') {
    headers.push(['X-Amz-Date', amzDate]);
    if (credentials.sessionToken !== undefined) headers.push(['X-Amz-Security-Token', credentials.sessionToken]);
    if (sigV4a) headers.push(['X-Amz-Region-Set', regionSet]);
    if (options.signContentSha256) headers.push(['x-amz-content-sha256', req.bodySha256]);
  }
  const unsigned = new Set(options.unsignedHeaders ?? []);
  const signedHeaders = [...new Set(headers.map(([name]) => name.toLowerCase()))].filter((name) => !unsigned.has(name)).sort();

  let query = req.query;
  if (form === 'query') {
    const params: Array<[string, string]> = [
      ['X-Amz-Algorithm', algorithm],
      ['X-Amz-Credential', `${credentials.accessKeyId}/${scope}`],
      ['X-Amz-Date', amzDate],
      ['X-Amz-Expires', String(options.expiresSeconds ?? 900)],
      ['X-Amz-SignedHeaders', signedHeaders.join(';')],
    ];
    if (credentials.sessionToken !== undefined) params.push(['X-Amz-Security-Token', credentials.sessionToken]);
    if (sigV4a) params.push(['X-Amz-Region-Set', regionSet]);
    const added = params.map(([k, v]) => `${k}=${uriEncode(v, false)}`).join('&');
    query = query === '' ? added : `${query}&${added}`;
  }

  const unsignedRequest: HttpRequestParts = { ...req, headers, query };
  const info: SignatureInfo = {
    form,
    algorithm,
    accessKeyId: credentials.accessKeyId,
    date,
    region: sigV4a ? undefined : options.region,
    service: options.service,
    scope,
    signedHeaders,
    signature: '',
    amzDate,
  };
  const toSign = stringToSign(unsignedRequest, info, { normalizePath: options.normalizePath });
  let signature: string;
  if (sigV4a) {
    const key = options.sigV4aPrivateKey ?? deriveSigV4aKeyPair(credentials.accessKeyId, credentials.secretAccessKey).privateKey;
    signature = sign('sha256', Buffer.from(toSign, 'utf8'), { key, dsaEncoding: 'der' }).toString('hex');
  } else {
    const key = options.signingKey ?? deriveSigningKey(credentials.secretAccessKey, date, options.region, options.service);
    signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  }

  if (form === 'query') return { ...unsignedRequest, query: `${query}&X-Amz-Signature=${signature}` };
  return {
    ...unsignedRequest,
    headers: [
      ...headers,
      ['Authorization', `${algorithm} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`],
    ],
  };
}
