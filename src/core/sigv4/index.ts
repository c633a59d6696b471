export type {
  AuthFailure,
  AuthFailureCode,
  CanonicalizeOptions,
  HttpRequestParts,
  ParseSignatureResult,
  SignatureInfo,
  SigningAlgorithm,
} from './types.js';
export { SIGV4A_ALGORITHM, SIGV4_ALGORITHM } from './types.js';
export { MAX_EXPIRES_SECONDS, parseSignature } from './parse-signature.js';
export { ALLOWED_SKEW_SECONDS, checkRequestTime } from './check-request-time.js';
export { checkCredentialScope, regionSetIncludes } from './credential-scope.js';
export { canonicalHeaders, canonicalRequest, payloadHash, payloadHashMatchesBody, sha256Hex, stringToSign } from './canonical-request.js';
export { canonicalUri, normalizeUriPath } from './canonical-uri.js';
export { canonicalQuery } from './canonical-query.js';
export { deriveRegionKey, deriveSigningKey, signingKeyFromRegionKey } from './signing-key.js';
export { verifySigV4 } from './verify-sigv4.js';
export { deriveSigV4aKeyPair, deriveSigV4aPublicPoint, sigV4aPublicKeyFromXY, type SigV4aKeyPair } from './sigv4a-key.js';
export { verifySigV4a } from './verify-sigv4a.js';
export { signRequest, type SignRequestOptions, type SigningCredentials } from './sign-request.js';
export { formatAmzDate, parseAmzDate } from './amz-date.js';
export { AUTH_FAILURE_HTTP_STATUS, MESSAGES } from './messages.js';
