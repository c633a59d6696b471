/**
 * AWS's codes and wording for authentication failures in the Query APIs (IAM, STS), in one place so
 * every caller answers exactly as AWS does. Sources, where the wording was seen in real responses:
 * - "Request is missing Authentication Token": STS ErrorResponse XML (amzn/selling-partner-api-docs#3081).
 * - "The security token included in the request is invalid" (no final period): IAM and STS ErrorResponse
 *   XML in botocore debug logs (aws-cli#8918, aws-azure-login#251).
 * - SignatureDoesNotMatch wording: IAM GetUser via the CLI (aws-cli#5166), STS (boto3#756).
 * - "Signature expired: ... is now earlier than ... (... - 15 min.)" under SignatureDoesNotMatch:
 *   STS GetCallerIdentity/AssumeRole via the CLI (aws-cli#6676, devsecops/bootcamp#101).
 * - "Credential should be scoped to a valid region, not '...'. " and "... to correct service: '...'. "
 *   (trailing space included) under SignatureDoesNotMatch: STS (cognitect-labs/aws-api#27),
 *   CloudFormation Query API (timkay/aws#111).
 * - IncompleteSignature "Authorization header requires ... Authorization=..." (SES, amazonka#316),
 *   "'...' not a valid key=value pair (missing equal-sign) in Authorization header: '...'." (STS via
 *   hadoop-aws docs; CloudFormation, aws-sdk-go#289), "Credential must have exactly 5 slash-delimited
 *   elements, ..." (resourcegroupstagging, yet-another-cloudwatch-exporter#169).
 * - The remaining texts (unsupported algorithm, query-string parameters, ISO-8601 date, host must be
 *   signed, terminator, scope date, not yet current) follow dacut/scratchstack-aws-signature, a
 *   server-side reimplementation written against AWS's observed error ordering and wording.
 */
import type { AuthFailure, AuthFailureCode } from './types.js';

export const MISSING_AUTHENTICATION_TOKEN = 'Request is missing Authentication Token';

// AWS-COMPAT: IAM and STS send this without a final period (the JSON services add one).
export const INVALID_CLIENT_TOKEN_ID = 'The security token included in the request is invalid';

export const SIGNATURE_DOES_NOT_MATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export const HOST_MUST_BE_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";

/** HTTP status AWS sends with each code (IAM and STS "Common Errors"). */
export const AUTH_FAILURE_HTTP_STATUS: Readonly<Record<AuthFailureCode, number>> = {
  MissingAuthenticationToken: 403,
  IncompleteSignature: 400,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
};

export function authFailure(code: AuthFailureCode, message: string): AuthFailure {
  return { code, message };
}

export function unsupportedAlgorithm(algorithm: string): string {
  return `Unsupported AWS 'algorithm': '${algorithm}'.`;
}

export function missingEqualSign(part: string, authorization: string): string {
  return `'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`;
}

export const AUTH_HEADER_REQUIRES_CREDENTIAL = "Authorization header requires 'Credential' parameter.";
export const AUTH_HEADER_REQUIRES_SIGNATURE = "Authorization header requires 'Signature' parameter.";
export const AUTH_HEADER_REQUIRES_SIGNED_HEADERS = "Authorization header requires 'SignedHeaders' parameter.";
export const AUTH_HEADER_REQUIRES_DATE = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.";

/** The missing pieces, in AWS's order, then the Authorization header as received. */
export function incompleteAuthorizationHeader(missing: readonly string[], authorization: string): string {
  return `${missing.join(' ')} Authorization=${authorization}`;
}

export function queryMustInclude(parameter: string): string {
  return `AWS query-string parameters must include '${parameter}'.`;
}

export const REEXAMINE_QUERY_PARAMETERS = 'Re-examine the query-string parameters.';

export function incompleteQueryParameters(missingParameters: readonly string[]): string {
  return `${missingParameters.map(queryMustInclude).join(' ')} ${REEXAMINE_QUERY_PARAMETERS}`;
}

export function credentialParts(credential: string, sigV4a: boolean): string {
  // DIVERGENCE: AWS's SigV4a wording is unknown; this mirrors the SigV4 text with its 4-part scope.
  return sigV4a
    ? `Credential must have exactly 4 slash-delimited elements, e.g. keyid/date/service/term, got '${credential}'`
    : `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`;
}

export function dateNotIso8601(value: string): string {
  return `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`;
}

export function headerMustBeSigned(name: string): string {
  return `'${name}' must be a 'SignedHeader' in the AWS Authorization.`;
}

// DIVERGENCE: AWS's wording for a SigV4a request without X-Amz-Region-Set is unknown; modelled on the Date text.
export const AUTH_HEADER_REQUIRES_REGION_SET = "Authorization header requires existence of a 'X-Amz-Region-Set' header.";

// AWS-COMPAT: AWS ends each credential-scope complaint with ". " and concatenates them, so the message
// keeps a trailing space (seen in real STS and CloudFormation responses).
export function scopeWrongRegion(region: string): string {
  return `Credential should be scoped to a valid region, not '${region}'. `;
}

export function scopeWrongService(expectedService: string): string {
  return `Credential should be scoped to correct service: '${expectedService}'. `;
}

export function scopeWrongTerminator(terminator: string): string {
  return `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `;
}

export function scopeWrongDate(scopeDate: string, expectedDate: string, amzDate: string): string {
  return `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${expectedDate}', from '${amzDate}'. `;
}

export function signatureExpired(requestTime: string, earliest: string, now: string, window: string): string {
  return `Signature expired: ${requestTime} is now earlier than ${earliest} (${now} - ${window})`;
}

export function signatureNotYetCurrent(requestTime: string, latest: string, now: string, window: string): string {
  return `Signature not yet current: ${requestTime} is still later than ${latest} (${now} + ${window})`;
}

// DIVERGENCE: S3 answers these under AuthorizationQueryParametersError, which the Query APIs don't have;
// we send S3's wording under IncompleteSignature.
export const EXPIRES_NOT_A_NUMBER = 'X-Amz-Expires should be a number';
export const EXPIRES_NEGATIVE = 'X-Amz-Expires must be non-negative';
export const EXPIRES_TOO_LARGE =
  'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds';

/**
 * SignatureDoesNotMatch with the canonical request and string to sign appended, as STS used to answer
 * (boto3#756). Only for callers that choose to help clients debug; the plain message is the default.
 */
export function signatureDoesNotMatchWithDetails(canonicalRequest: string, stringToSign: string): string {
  return `${SIGNATURE_DOES_NOT_MATCH}\n\nThe Canonical String for this request should have been\n'${canonicalRequest}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`;
}

/** Every text above in one object, for callers that prefer `MESSAGES.invalidClientTokenId`. */
export const MESSAGES = {
  missingAuthenticationToken: MISSING_AUTHENTICATION_TOKEN,
  invalidClientTokenId: INVALID_CLIENT_TOKEN_ID,
  signatureDoesNotMatch: SIGNATURE_DOES_NOT_MATCH,
  signatureDoesNotMatchWithDetails,
  hostMustBeSigned: HOST_MUST_BE_SIGNED,
  headerMustBeSigned,
  unsupportedAlgorithm,
  missingEqualSign,
  incompleteAuthorizationHeader,
  incompleteQueryParameters,
  credentialParts,
  dateNotIso8601,
  wrongRegion: scopeWrongRegion,
  wrongService: scopeWrongService,
  wrongTerminator: scopeWrongTerminator,
  wrongScopeDate: scopeWrongDate,
  signatureExpired,
  signatureNotYetCurrent,
  expiresNotANumber: EXPIRES_NOT_A_NUMBER,
  expiresNegative: EXPIRES_NEGATIVE,
  expiresTooLarge: EXPIRES_TOO_LARGE,
} as const;
