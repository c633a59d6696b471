/**
 * `AwsError`: the typed error of every expected failure. Use cases throw `awsError(code, message)`;
 * the edge turns it into AWS's error XML with the registry's status and fault. Anything else that
 * escapes a use case becomes InternalFailure through `toAwsError`, without its text.
 */
import { COMMON_ERRORS } from './common-errors.js';
import { errorInfo, type AwsErrorCode } from './error-registry.js';

export class AwsError extends Error {
  override readonly name = 'AwsError';
  readonly code: AwsErrorCode;
  readonly httpStatus: number;
  readonly senderFault: boolean;

  /** Throws for a code the registry doesn't have: that is a programming error, not a client's. */
  constructor(code: AwsErrorCode | AnyCode, message: string) {
    const info = errorInfo(code);
    super(message);
    this.code = info.code;
    this.httpStatus = info.httpStatus;
    this.senderFault = info.senderFault;
  }

  /** `Sender` or `Receiver`, as in `<Error><Type>`. */
  get faultType(): 'Sender' | 'Receiver' {
    return this.senderFault ? 'Sender' : 'Receiver';
  }
}

/**
 * Any string is accepted (codes often come from data, e.g. a validator's finding), and checked at
 * run time; `AwsErrorCode | AnyCode` still offers the registered codes for completion.
 */
type AnyCode = string & {};

/** Codes whose AWS wire message is fixed; for these the message may be left out. */
export type CodeWithDefaultMessage = {
  [K in keyof typeof COMMON_ERRORS]: (typeof COMMON_ERRORS)[K] extends { defaultMessage: string } ? K : never;
}[keyof typeof COMMON_ERRORS];

/** Creates the error for `code`; status and fault come from the registry (an unknown code throws). */
export function awsError(code: CodeWithDefaultMessage, message?: string): AwsError;
export function awsError(code: AwsErrorCode | AnyCode, message: string): AwsError;
export function awsError(code: AwsErrorCode | AnyCode, message?: string): AwsError {
  return new AwsError(code, message ?? errorInfo(code).defaultMessage ?? '');
}

export function isAwsError(value: unknown): value is AwsError {
  return value instanceof AwsError;
}

/**
 * The error to answer with: an AwsError as is, anything else as InternalFailure with AWS's generic
 * message, so that no internal text (paths, SQL, stack) reaches the client. Log the original.
 */
export function toAwsError(value: unknown): AwsError {
  return isAwsError(value) ? value : awsError('InternalFailure');
}
