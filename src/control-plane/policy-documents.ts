/**
 * Policy documents written through the API: validated by the engine's validator exactly as IAM
 * does, answering the first error with AWS's code (MalformedPolicyDocument, LimitExceeded) and
 * wording.
 */
import { awsError } from '../core/errors/index.js';
import { validatePolicy, type PolicyKind } from '../core/policy/index.js';
import { firstError, type ValidatePolicyOptions } from '../core/policy/validate.js';

export function checkPolicyDocument(document: string, kind: PolicyKind, options: ValidatePolicyOptions = {}): void {
  const error = firstError(validatePolicy(document, kind, options));
  if (error) throw awsError(error.code, error.message);
}
