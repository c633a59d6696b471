/**
 * The one registry of AWS error codes: every exception of the IAM and STS models (generated) plus
 * the common errors the models leave out. A code's HTTP status and fault come from here and
 * nowhere else, so a use case names only the code.
 */
import { COMMON_ERRORS } from './common-errors.js';
import { MODEL_ERRORS } from './generated/model-errors.js';

export type ModelErrorCode = keyof typeof MODEL_ERRORS;
export type CommonErrorCode = keyof typeof COMMON_ERRORS;
/** Every code the service may put in `<Error><Code>`. */
export type AwsErrorCode = ModelErrorCode | CommonErrorCode;

export interface ErrorInfo {
  code: AwsErrorCode;
  httpStatus: number;
  /** `<Type>Sender</Type>` when true, `Receiver` otherwise. */
  senderFault: boolean;
  /** AWS's fixed wire message, when it has one. */
  defaultMessage?: string;
  /** The exception shape per service, for codes that come from the models. */
  shapes?: { iam?: string; sts?: string };
}

const REGISTRY: ReadonlyMap<string, ErrorInfo> = build();

function build(): Map<string, ErrorInfo> {
  const map = new Map<string, ErrorInfo>();
  for (const [code, e] of Object.entries(MODEL_ERRORS)) {
    map.set(code, { code: code as AwsErrorCode, httpStatus: e.httpStatus, senderFault: e.senderFault, shapes: e.shapes });
  }
  for (const [code, e] of Object.entries(COMMON_ERRORS)) {
    // The models are the authority for their codes; a common row repeating one would be a second truth.
    if (map.has(code)) throw new Error(`error code ${code} is both in the models and in common-errors.ts`);
    const info: ErrorInfo = { code: code as AwsErrorCode, httpStatus: e.httpStatus, senderFault: e.senderFault };
    if ('defaultMessage' in e) info.defaultMessage = e.defaultMessage;
    map.set(code, info);
  }
  return map;
}

/** The registry entry of a code, or undefined for a code AWS doesn't use here. */
export function lookupError(code: string): ErrorInfo | undefined {
  return REGISTRY.get(code);
}

export function isAwsErrorCode(code: string): code is AwsErrorCode {
  return REGISTRY.has(code);
}

/** The registry entry of a code; an unknown code is a programming error and throws. */
export function errorInfo(code: string): ErrorInfo {
  const info = REGISTRY.get(code);
  if (!info) throw new Error(`unknown AWS error code "${String(code)}": add it to src/core/errors/common-errors.ts or the models`);
  return info;
}

/** Every registered code, sorted. */
export function listErrorCodes(): AwsErrorCode[] {
  return [...REGISTRY.keys()].sort() as AwsErrorCode[];
}
