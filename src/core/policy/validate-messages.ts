/**
 * The wording and error codes AWS returns for policy documents it refuses, so that the API layer
 * can hand a finding's `message` straight back to an SDK.
 *
 * Where each message comes from (observed responses quoted in public issue trackers and in
 * emulators that record real AWS answers, e.g. getmoto/moto tests/test_iam/test_iam_policies.py):
 *
 * | message                                                            | seen from                          |
 * |--------------------------------------------------------------------|------------------------------------|
 * | Syntax errors in policy.                                           | CreatePolicy, PutRolePolicy        |
 * | This policy contains invalid Json                                  | CreateRole (trust policy)          |
 * | Policy document must be version 2012-10-17 or greater.            | CreatePolicy (Version missing/2008)|
 * | The policy failed legacy parsing                                   | CreatePolicy, PutGroupPolicy       |
 * | Statement IDs (SID) in a single policy must be unique.             | CreatePolicy, PutRolePolicy        |
 * | Statement IDs (SID) must be alpha-numeric. Check that ... [0-9A-Za-z]* | CloudFormation ManagedPolicy   |
 * | Policy statement must contain actions. / ... resources.            | PutRolePolicy via CloudFormation   |
 * | Actions/Conditions must be prefaced by a vendor, e.g., iam, ...    | CreatePolicy                       |
 * | Actions/Condition can contain only one colon.                      | CreatePolicy                       |
 * | Vendor {v} is not valid                                            | CreatePolicy                       |
 * | Resource {r} must be in ARN format or "*".                         | CreatePolicy, PutRolePolicy        |
 * | Partition "{p}" is not valid for resource "arn:...".               | CreatePolicy                       |
 * | Resource vendor must be fully qualified and cannot contain regexes.| CreatePolicy                       |
 * | IAM resource path must either be "*" or start with ...             | CreatePolicy                       |
 * | IAM resource {r} cannot contain region information.                | CreatePolicy                       |
 * | Resource {r} can not contain region information.                   | CreatePolicy (s3)                  |
 * | Policy document should not specify a principal.                    | PutRolePolicy, CreatePolicy        |
 * | Missing required field Principal                                   | CreateRole, S3 PutBucketPolicy     |
 * | Missing required field Principal cannot be empty!                  | CreateRole                         |
 * | Could not parse the policy: Statement is empty!                    | CreateRole                         |
 * | Has prohibited field Resource                                      | CreateRole                         |
 * | AssumeRole policy must not contain resources.                      | CreateRole (NotResource)           |
 * | AssumeRole policy may only specify STS AssumeRole actions.         | CreateRole                         |
 * | Allow with NotPrincipal is not allowed.                            | CreateRole                         |
 * | Invalid principal in policy: "AWS":"arn:..."                       | CreateRole, UpdateAssumeRolePolicy |
 * | Cannot exceed quota for PolicySize: 6144                           | CreatePolicy (LimitExceeded)       |
 * | Maximum policy size of N bytes exceeded for user/role/group NAME   | Put*Policy (LimitExceeded)         |
 * | Cannot exceed quota for ACLSizePerRole: 2048                       | CreateRole (LimitExceeded)         |
 * | The provided policy document does not meet the requirements of ... | Organizations CreatePolicy (SCP)   |
 * | You have exceeded the maximum policy size.                         | Organizations UpdatePolicy (SCP)   |
 * | 1 validation error detected: Value at '...' failed to satisfy ...  | Query-protocol parameter checks    |
 *
 * Warnings carry our own wording: AWS accepts those documents, so it has no message for them.
 */
import type { PolicyKind } from './types.js';

export const MSG = {
  syntax: 'Syntax errors in policy.',
  trustInvalidJson: 'This policy contains invalid Json',
  version: 'Policy document must be version 2012-10-17 or greater.',
  legacy: 'The policy failed legacy parsing',
  sidUnique: 'Statement IDs (SID) in a single policy must be unique.',
  sidAlnum: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  needActions: 'Policy statement must contain actions.',
  needResources: 'Policy statement must contain resources.',
  actionVendor: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  actionColons: 'Actions/Condition can contain only one colon.',
  vendorInvalid: (vendor: string) => `Vendor ${vendor} is not valid`,
  resourceArnFormat: (resource: string) => `Resource ${resource} must be in ARN format or "*".`,
  resourcePartition: (partition: string, arn: string) => `Partition "${partition}" is not valid for resource "${arn}".`,
  resourceVendor: 'Resource vendor must be fully qualified and cannot contain regexes.',
  iamResourcePath: (starts: readonly string[]) => `IAM resource path must either be "*" or start with ${starts.join(', ')}.`,
  iamRegion: (resource: string) => `IAM resource ${resource} cannot contain region information.`,
  s3Region: (resource: string) => `Resource ${resource} can not contain region information.`,
  noPrincipal: 'Policy document should not specify a principal.',
  missingPrincipal: 'Missing required field Principal',
  emptyPrincipal: 'Missing required field Principal cannot be empty!',
  trustEmptyStatement: 'Could not parse the policy: Statement is empty!',
  trustResource: (element: string) => element === 'Resource' ? 'Has prohibited field Resource' : 'AssumeRole policy must not contain resources.',
  trustActions: 'AssumeRole policy may only specify STS AssumeRole actions.',
  allowNotPrincipal: 'Allow with NotPrincipal is not allowed.',
  invalidPrincipal: (type: string | undefined, value: string) =>
    type === undefined ? `Invalid principal in policy: "${value}"` : `Invalid principal in policy: "${type}":"${value}"`,
  scp: 'The provided policy document does not meet the requirements of the specified policy type.',
  scpSize: 'You have exceeded the maximum policy size.',
  charset:
    "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
  sessionSize: (limit: number) =>
    `1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to ${limit}`,
  managedSize: (limit: number) => `Cannot exceed quota for PolicySize: ${limit}`,
  inlineSize: (limit: number, entity: string, name: string | undefined) =>
    `Maximum policy size of ${limit} bytes exceeded for ${entity}${name ? ` ${name}` : ''}`,
  trustSize: (limit: number) => `Cannot exceed quota for ACLSizePerRole: ${limit}`,
  resourceSize: (limit: number) => `Policy document exceeds the maximum size of ${limit} characters.`,
} as const;

/** Error codes by family. SCPs are refused by AWS Organizations, which names its errors differently. */
export interface KindCodes {
  malformed: string;
  size: string;
}

export function codesFor(kind: PolicyKind): KindCodes {
  switch (kind) {
    case 'scp':
      // AWS-COMPAT: Organizations (JSON protocol) answers with its own exception names.
      return { malformed: 'MalformedPolicyDocumentException', size: 'ConstraintViolationException' };
    case 'session':
      // The plaintext limit is a parameter-length constraint on AssumeRole*/GetFederationToken.
      return { malformed: 'MalformedPolicyDocument', size: 'ValidationError' };
    default:
      return { malformed: 'MalformedPolicyDocument', size: 'LimitExceeded' };
  }
}
