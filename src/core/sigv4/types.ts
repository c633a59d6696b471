/** The two signing algorithms a request may name. */
export type SigningAlgorithm = 'AWS4-HMAC-SHA256' | 'AWS4-ECDSA-P256-SHA256';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const SIGV4A_ALGORITHM = 'AWS4-ECDSA-P256-SHA256';

/** A received HTTP request, as much of it as signature verification needs. */
export interface HttpRequestParts {
  method: string;
  /** Request target path as sent, without the query, e.g. '/' or '/some/prefix' (still percent-encoded as on the wire). */
  path: string;
  /** Raw query string as sent, without '?', '' when none. */
  query: string;
  /** Headers as [name, value] pairs in arrival order, original case (Node's req.rawHeaders paired). */
  headers: ReadonlyArray<readonly [string, string]>;
  /**
   * Lowercase hex SHA-256 of the body, computed by the caller. It is the payload hash of the canonical
   * request; an `x-amz-content-sha256` header must agree with it (see verifySigV4).
   */
  bodySha256: string;
}

/** What a request says about its own signature, read by parseSignature. */
export interface SignatureInfo {
  form: 'header' | 'query';
  algorithm: SigningAlgorithm;
  accessKeyId: string;
  /** YYYYMMDD from the credential scope. */
  date: string;
  /** Undefined for SigV4a (its scope has no region); '' is possible for SigV4 (the JS SDK sends it). */
  region: string | undefined;
  /** SigV4a: X-Amz-Region-Set split on ','. */
  regionSet?: string[];
  service: string;
  /** The credential scope as it goes into the string to sign: `date/region/service/aws4_request` (SigV4a: no region). */
  scope: string;
  /** SignedHeaders exactly as sent, in the sent order. */
  signedHeaders: string[];
  signature: string;
  /** X-Amz-Date (or the Date header) in ISO-8601 basic format, YYYYMMDDTHHMMSSZ. */
  amzDate: string;
  /** Query form only: X-Amz-Expires when present. */
  expiresSeconds?: number;
  /** X-Amz-Security-Token (the header for header signing, the query parameter for query signing). */
  sessionToken?: string;
}

export type AuthFailureCode = 'MissingAuthenticationToken' | 'IncompleteSignature' | 'InvalidClientTokenId' | 'SignatureDoesNotMatch';

/** An authentication failure with AWS's code and message, ready for the Query protocol's error mapper. */
export interface AuthFailure {
  code: AuthFailureCode;
  message: string;
}

export type ParseSignatureResult = { ok: true; info: SignatureInfo } | { ok: false; failure: AuthFailure };

export interface CanonicalizeOptions {
  /**
   * Remove dot segments and collapse repeated slashes in the path before encoding it (RFC 3986 5.2.4,
   * the non-S3 rule). Default true: botocore (AWS CLI) and the JS SDK both normalise the path they sign,
   * so a server that used the raw path would reject their requests for paths like `//a` or `/a/../b`.
   * For ordinary paths (`/`, `/some/prefix/`) both settings give the same canonical URI.
   */
  normalizePath?: boolean;
}
