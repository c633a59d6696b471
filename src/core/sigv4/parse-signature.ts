import { parseAmzDate } from './amz-date.js';
import { splitQuery, type RawQueryParameter } from './canonical-query.js';
import {
  AUTH_HEADER_REQUIRES_CREDENTIAL,
  AUTH_HEADER_REQUIRES_DATE,
  AUTH_HEADER_REQUIRES_REGION_SET,
  AUTH_HEADER_REQUIRES_SIGNATURE,
  AUTH_HEADER_REQUIRES_SIGNED_HEADERS,
  EXPIRES_NEGATIVE,
  EXPIRES_NOT_A_NUMBER,
  EXPIRES_TOO_LARGE,
  HOST_MUST_BE_SIGNED,
  MISSING_AUTHENTICATION_TOKEN,
  SIGNATURE_DOES_NOT_MATCH,
  authFailure,
  credentialParts,
  dateNotIso8601,
  headerMustBeSigned,
  incompleteAuthorizationHeader,
  incompleteQueryParameters,
  missingEqualSign,
  scopeWrongDate,
  scopeWrongTerminator,
  unsupportedAlgorithm,
} from './messages.js';
import { canonicalQueryComponent, percentDecode } from './percent-encoding.js';
import { firstHeader } from './request-headers.js';
import {
  SIGV4A_ALGORITHM,
  SIGV4_ALGORITHM,
  type AuthFailureCode,
  type HttpRequestParts,
  type ParseSignatureResult,
  type SignatureInfo,
  type SigningAlgorithm,
} from './types.js';

const PARAMETER_SEPARATOR = /[\s,]+/;

/** A presigned URL may live at most 7 days: the signing key is only good that long. */
export const MAX_EXPIRES_SECONDS = 604800;

function fail(code: AuthFailureCode, message: string): ParseSignatureResult {
  return { ok: false, failure: authFailure(code, message) };
}

function isAlgorithm(value: string): value is SigningAlgorithm {
  return value === SIGV4_ALGORITHM || value === SIGV4A_ALGORITHM;
}

/** The decoded value of the first query parameter whose (decoded) name is `name`. */
function queryParam(params: readonly RawQueryParameter[], name: string): string | undefined {
  for (const { key, value } of params) {
    if (key === name || (key.indexOf('%') >= 0 && canonicalQueryComponent(key) === name)) return percentDecode(value);
  }
  return undefined;
}

/** What both forms have read before the checks they share. */
interface RawSignature {
  form: 'header' | 'query';
  algorithm: SigningAlgorithm;
  credential: string;
  signature: string;
  signedHeaders: string;
  amzDate: string;
  sessionToken: string | undefined;
  regionSet: string | undefined;
  expiresSeconds: number | undefined;
}

/**
 * Reads the signature a request carries (Authorization header, or X-Amz-* query parameters for a
 * presigned URL) and checks everything that needs no key and no clock, in AWS's order: which form,
 * required parts, Host signed, date format, credential shape, scope terminator and date. Never throws.
 */
export function parseSignature(req: HttpRequestParts): ParseSignatureResult {
  const rawAuthorization = firstHeader(req, 'authorization');
  // An empty Authorization header authenticates nothing; treat it as absent.
  const authorization = rawAuthorization === undefined ? '' : rawAuthorization.trim();
  const params = req.query === '' ? [] : splitQuery(req.query);
  const queryAlgorithm = params.length === 0 ? undefined : queryParam(params, 'X-Amz-Algorithm');

  if (authorization !== '' && queryAlgorithm !== undefined) {
    // AWS-COMPAT: AWS refuses a request signed both ways with the plain SignatureDoesNotMatch.
    return fail('SignatureDoesNotMatch', SIGNATURE_DOES_NOT_MATCH);
  }
  if (authorization !== '') return parseHeaderForm(req, authorization);
  if (queryAlgorithm !== undefined) return parseQueryForm(params, queryAlgorithm);
  return fail('MissingAuthenticationToken', MISSING_AUTHENTICATION_TOKEN);
}

function parseHeaderForm(req: HttpRequestParts, authorization: string): ParseSignatureResult {
  const space = authorization.search(/\s/);
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (!isAlgorithm(algorithm)) return fail('IncompleteSignature', unsupportedAlgorithm(algorithm));

  let credential: string | undefined;
  let signature: string | undefined;
  let signedHeaders: string | undefined;
  if (space >= 0) {
    // AWS-COMPAT: parameters are separated by commas and/or whitespace: STS answers a credential with a
    // stray space, "Credential=not valid/...", with "'valid/...' not a valid key=value pair".
    for (const part of authorization.slice(space + 1).split(PARAMETER_SEPARATOR)) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      if (eq < 0) return fail('IncompleteSignature', missingEqualSign(part, authorization));
      const key = part.slice(0, eq);
      // A repeated key: the last one wins, as in AWS.
      if (key === 'Credential') credential = part.slice(eq + 1);
      else if (key === 'Signature') signature = part.slice(eq + 1);
      else if (key === 'SignedHeaders') signedHeaders = part.slice(eq + 1);
    }
  }
  const amzDate = firstHeader(req, 'x-amz-date') ?? firstHeader(req, 'date');

  const missing: string[] = [];
  if (credential === undefined) missing.push(AUTH_HEADER_REQUIRES_CREDENTIAL);
  if (signature === undefined) missing.push(AUTH_HEADER_REQUIRES_SIGNATURE);
  if (signedHeaders === undefined) missing.push(AUTH_HEADER_REQUIRES_SIGNED_HEADERS);
  if (amzDate === undefined) missing.push(AUTH_HEADER_REQUIRES_DATE);
  if (credential === undefined || signature === undefined || signedHeaders === undefined || amzDate === undefined) {
    return fail('IncompleteSignature', incompleteAuthorizationHeader(missing, authorization));
  }

  return checkShared({
    form: 'header',
    algorithm,
    credential,
    signature,
    signedHeaders,
    amzDate: amzDate.trim(),
    sessionToken: firstHeader(req, 'x-amz-security-token')?.trim(),
    regionSet: firstHeader(req, 'x-amz-region-set'),
    expiresSeconds: undefined,
  });
}

function parseQueryForm(params: readonly RawQueryParameter[], algorithm: string): ParseSignatureResult {
  // AWS-COMPAT: an unknown X-Amz-Algorithm means "no signature here", not a malformed one.
  if (!isAlgorithm(algorithm)) return fail('MissingAuthenticationToken', MISSING_AUTHENTICATION_TOKEN);

  const credential = queryParam(params, 'X-Amz-Credential');
  const signature = queryParam(params, 'X-Amz-Signature');
  const signedHeaders = queryParam(params, 'X-Amz-SignedHeaders');
  const amzDate = queryParam(params, 'X-Amz-Date');
  const regionSet = algorithm === SIGV4A_ALGORITHM ? queryParam(params, 'X-Amz-Region-Set') : undefined;

  const missing: string[] = [];
  if (credential === undefined) missing.push('X-Amz-Credential');
  if (signature === undefined) missing.push('X-Amz-Signature');
  if (signedHeaders === undefined) missing.push('X-Amz-SignedHeaders');
  if (amzDate === undefined) missing.push('X-Amz-Date');
  // DIVERGENCE: AWS's wording for a presigned SigV4a URL without its region set is unknown; same pattern.
  if (algorithm === SIGV4A_ALGORITHM && regionSet === undefined) missing.push('X-Amz-Region-Set');
  if (credential === undefined || signature === undefined || signedHeaders === undefined || amzDate === undefined || missing.length > 0) {
    return fail('IncompleteSignature', incompleteQueryParameters(missing));
  }

  let expiresSeconds: number | undefined;
  const expires = queryParam(params, 'X-Amz-Expires');
  if (expires !== undefined) {
    if (/^-\d+$/.test(expires)) return fail('IncompleteSignature', EXPIRES_NEGATIVE);
    if (!/^\d{1,16}$/.test(expires)) return fail('IncompleteSignature', EXPIRES_NOT_A_NUMBER);
    expiresSeconds = Number(expires);
    if (expiresSeconds > MAX_EXPIRES_SECONDS) return fail('IncompleteSignature', EXPIRES_TOO_LARGE);
  }

  return checkShared({
    form: 'query',
    algorithm,
    credential,
    signature,
    signedHeaders,
    amzDate,
    sessionToken: queryParam(params, 'X-Amz-Security-Token'),
    regionSet,
    expiresSeconds,
  });
}

function checkShared(raw: RawSignature): ParseSignatureResult {
  const sigV4a = raw.algorithm === SIGV4A_ALGORITHM;
  const signedHeaders = raw.signedHeaders.split(';');

  let hostSigned = false;
  let regionSetSigned = false;
  for (const name of signedHeaders) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === ':authority') hostSigned = true;
    else if (lower === 'x-amz-region-set') regionSetSigned = true;
  }
  if (!hostSigned) return fail('SignatureDoesNotMatch', HOST_MUST_BE_SIGNED);

  let regionSet: string[] | undefined;
  if (sigV4a) {
    // The region set decides where a SigV4a signature is valid, so it must be covered by it. In the
    // query form it is a query parameter and therefore always signed.
    if (raw.form === 'header' && !regionSetSigned) return fail('SignatureDoesNotMatch', headerMustBeSigned('X-Amz-Region-Set'));
    regionSet = (raw.regionSet ?? '').split(',').map((r) => r.trim()).filter((r) => r !== '');
    if (regionSet.length === 0) return fail('IncompleteSignature', raw.form === 'header' ? AUTH_HEADER_REQUIRES_REGION_SET : incompleteQueryParameters(['X-Amz-Region-Set']));
  }

  if (parseAmzDate(raw.amzDate) === undefined) return fail('IncompleteSignature', dateNotIso8601(raw.amzDate));

  const parts = raw.credential.split('/');
  if (parts.length !== (sigV4a ? 4 : 5)) return fail('IncompleteSignature', credentialParts(raw.credential, sigV4a));
  const [accessKeyId, date] = parts;
  const region = sigV4a ? undefined : parts[2];
  const service = sigV4a ? parts[2] : parts[3];
  const terminator = parts[parts.length - 1];

  // AWS reports every scope complaint at once; region and service are the caller's (checkCredentialScope).
  let scopeProblems = '';
  if (terminator !== 'aws4_request') scopeProblems += scopeWrongTerminator(terminator);
  const amzDay = raw.amzDate.slice(0, 8);
  if (date !== amzDay) scopeProblems += scopeWrongDate(date, amzDay, raw.amzDate);
  if (scopeProblems !== '') return fail('SignatureDoesNotMatch', scopeProblems);

  const info: SignatureInfo = {
    form: raw.form,
    algorithm: raw.algorithm,
    accessKeyId,
    date,
    region,
    service,
    scope: raw.credential.slice(accessKeyId.length + 1),
    signedHeaders,
    signature: raw.signature,
    amzDate: raw.amzDate,
  };
  if (regionSet !== undefined) info.regionSet = regionSet;
  if (raw.expiresSeconds !== undefined) info.expiresSeconds = raw.expiresSeconds;
  if (raw.sessionToken !== undefined) info.sessionToken = raw.sessionToken;
  return { ok: true, info };
}
