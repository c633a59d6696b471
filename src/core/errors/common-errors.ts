/**
 * AWS errors that IAM and STS return but that their models don't list: authentication, routing,
 * parameter and throttling errors shared by every Query service. Each row says where its HTTP status
 * (and default message, when there is one) comes from. A code also in the models is taken from the
 * models (generated/model-errors.ts); error-registry.ts refuses a row here that repeats one.
 *
 * Sources:
 * - [common] AWS "Common Errors" / "Common Error Types" pages, e.g. IAM's
 *   https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html and the older shared page
 *   (https://docs.aws.amazon.com/emr/latest/APIReference/CommonErrors.html) that also lists
 *   InvalidAction, InvalidClientTokenId, NotAuthorized and OptInRequired. The pages give statuses,
 *   not wire messages.
 * - [wire] error bodies and client messages from real IAM/STS responses quoted in public issues:
 *   aws/aws-cli#37 (InvalidAction, Type Sender, "Could not find operation ... for version ..."),
 *   fog/fog-aws#368 (same for IAM 2010-05-08), pulumi/pulumi-aws#2560 (STS ExpiredToken, HTTP 403),
 *   cfn-sphere/cfn-sphere#55 (IAM ExpiredToken body, HTTP 403).
 * - [clients] CLIENTS.md in the conformance pack: botocore retries IAM `Throttling` (400); IAM bodies
 *   in nccgroup/Scout2#17 and legion-platform/legion#807 show `Throttling`, Sender, "Rate exceeded", 400.
 */

export interface CommonErrorInfo {
  httpStatus: number;
  senderFault: boolean;
  /** AWS's wire message, when it is fixed and known. */
  defaultMessage?: string;
  /** Where the status (and message) come from. */
  source: string;
}

export const COMMON_ERRORS = {
  // IAM and STS answer authorization failures with `AccessDenied` (the CLI prints "An error occurred
  // (AccessDenied) when calling ..."); the common page documents the JSON services' AccessDeniedException.
  AccessDenied: { httpStatus: 403, senderFault: true, source: '[common] AccessDeniedException 403; [wire] code AccessDenied' },
  AccessDeniedException: { httpStatus: 403, senderFault: true, source: '[common] 403 (older page: 400)' },
  // AWS-COMPAT: an expired session token is `ExpiredToken` with HTTP 403 on IAM and STS, not the
  // STS model's `ExpiredTokenException` (400), which is for expired web identity tokens.
  ExpiredToken: {
    httpStatus: 403,
    senderFault: true,
    defaultMessage: 'The security token included in the request is expired',
    source: '[wire] pulumi-aws#2560, cfn-sphere#55; [common] ExpiredTokenException 403',
  },
  IncompleteSignature: { httpStatus: 400, senderFault: true, source: '[common] 400 (some pages: 403)' },
  InternalFailure: {
    httpStatus: 500,
    senderFault: false,
    defaultMessage: 'The request processing has failed because of an unknown error, exception or failure.',
    source: '[common] 500; message is the common page description',
  },
  InvalidAction: { httpStatus: 400, senderFault: true, source: '[common] 400; [wire] aws-cli#37 Type Sender' },
  InvalidClientTokenId: {
    httpStatus: 403,
    senderFault: true,
    defaultMessage: 'The security token included in the request is invalid.',
    source: '[common] 403; [wire] IAM and STS error bodies',
  },
  InvalidParameterCombination: { httpStatus: 400, senderFault: true, source: '[common] 400' },
  InvalidParameterValue: { httpStatus: 400, senderFault: true, source: '[common] 400' },
  InvalidQueryParameter: { httpStatus: 400, senderFault: true, source: '[common] 400' },
  // AWS-COMPAT: 404 is what the common page says for a query string with a syntax error.
  MalformedQueryString: { httpStatus: 404, senderFault: true, source: '[common] 404' },
  MissingAction: { httpStatus: 400, senderFault: true, source: '[common] 400' },
  MissingAuthenticationToken: {
    httpStatus: 403,
    senderFault: true,
    defaultMessage: 'Request is missing Authentication Token',
    source: '[common] 403; [wire] STS error body',
  },
  MissingParameter: { httpStatus: 400, senderFault: true, source: '[common] 400' },
  NotAuthorized: { httpStatus: 400, senderFault: true, source: '[common] 400 (some pages: 401)' },
  OptInRequired: { httpStatus: 403, senderFault: true, source: '[common] 403' },
  RequestExpired: { httpStatus: 400, senderFault: true, source: '[common] 400' },
  // DIVERGENCE: no AWS page gives IAM's answer to an oversized request; 413 is HTTP's own status
  // for it, and clients don't retry it.
  RequestEntityTooLarge: { httpStatus: 413, senderFault: true, source: 'HTTP 413 (no AWS source)' },
  ServiceUnavailable: { httpStatus: 503, senderFault: false, source: '[common] 503' },
  SignatureDoesNotMatch: {
    httpStatus: 403,
    senderFault: true,
    defaultMessage:
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    source: '[wire] IAM/STS error bodies, HTTP 403',
  },
  Throttling: { httpStatus: 400, senderFault: true, defaultMessage: 'Rate exceeded', source: '[wire] Scout2#17, legion#807; [clients]' },
  ThrottlingException: { httpStatus: 400, senderFault: true, source: '[common] 400' },
  ValidationError: { httpStatus: 400, senderFault: true, source: '[common] 400; [wire] Type Sender' },
} as const satisfies Record<string, CommonErrorInfo>;
