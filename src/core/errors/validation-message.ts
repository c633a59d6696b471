/**
 * AWS's wording for `ValidationError` messages (the model constraints of a request), shared by the
 * protocol's model validation and by use cases that check the same things themselves:
 *
 *   1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint:
 *   Member must satisfy regular expression pattern: [\w+=,.@-]+
 *   2 validation errors detected: Value null at 'a' failed to satisfy constraint: Member must not
 *   be null; Value '' at 'b' failed to satisfy constraint: ...
 *
 * Wording, joiner ("; ") and paths (`tags.1.member.key`: list index from 1, then `member`) as
 * quoted from AWS responses in public issues and tests; see src/protocol/README.md for sources.
 */
import { AwsError } from './aws-error.js';

export const constraint = {
  notNull: () => 'Member must not be null',
  maxLength: (n: number) => `Member must have length less than or equal to ${n}`,
  minLength: (n: number) => `Member must have length greater than or equal to ${n}`,
  pattern: (javaPattern: string) => `Member must satisfy regular expression pattern: ${javaPattern}`,
  enumValues: (values: readonly string[]) => `Member must satisfy enum value set: [${values.join(', ')}]`,
  maxValue: (n: number) => `Member must have value less than or equal to ${n}`,
  minValue: (n: number) => `Member must have value greater than or equal to ${n}`,
} as const;

/** How the offending value appears: quoted text, `null` for a missing value, or hidden for secrets. */
export type ShownValue = { text: string } | null | 'hidden';

/**
 * One violation: `Value 'x' at 'path' failed to satisfy constraint: <constraint>`. A missing value
 * reads `Value null at`; a sensitive one reads `Value at`, as AWS prints secrets (passwords).
 */
export function violation(path: string, value: ShownValue, constraintText: string): string {
  const shown = value === null ? 'Value null' : value === 'hidden' ? 'Value' : `Value '${value.text}'`;
  return `${shown} at '${path}' failed to satisfy constraint: ${constraintText}`;
}

/** `N validation error(s) detected: v1; v2`. */
export function validationMessage(violations: readonly string[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`;
}

/** The ValidationError (HTTP 400, Sender) for one or more violations. */
export function validationError(violations: readonly string[]): AwsError {
  return new AwsError('ValidationError', validationMessage(violations));
}
