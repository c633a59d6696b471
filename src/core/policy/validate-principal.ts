/**
 * The forms a value of `Principal` / `NotPrincipal` may take, per principal type. This checks
 * form only: whether the account, role or provider exists is the control plane's business.
 */

export const PRINCIPAL_TYPES: ReadonlySet<string> = new Set(['AWS', 'Federated', 'Service', 'CanonicalUser']);

const PARTITIONS = '(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)';
const ACCOUNT = /^\d{12}$/;
const IAM_PRINCIPAL_ARN = new RegExp(`^arn:${PARTITIONS}:iam::\\d{12}:(?:root|user/\\S+|role/\\S+)$`);
const STS_PRINCIPAL_ARN = new RegExp(`^arn:${PARTITIONS}:sts::\\d{12}:(?:assumed-role/[^/\\s]+/\\S+|federated-user/\\S+)$`);
const PROVIDER_ARN = new RegExp(`^arn:${PARTITIONS}:iam::\\d{12}:(?:saml-provider|oidc-provider)/\\S+$`);
// AWS-COMPAT: when a principal is deleted IAM rewrites its ARN to the unique ID (AIDA…, AROA…),
// and such documents must still be accepted when written back.
const UNIQUE_ID = /^A(?:IDA|ROA)[A-Z0-9]{12,}$/;
const DNS_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;
const CANONICAL_USER = /^[0-9a-f]{64}$/i;

export type PrincipalVerdict =
  | { ok: true; warning?: string }
  | { ok: false; reason: string };

/** Whether `value` is a well-formed principal of `type` (`AWS`, `Service`, ...). */
export function checkPrincipalValue(type: string, value: string): PrincipalVerdict {
  if (value === '*') {
    if (type === 'AWS') return { ok: true };
    return { ok: true, warning: `A wildcard is documented only for "AWS" principals, not "${type}".` };
  }
  if (value.includes('*') || value.includes('?')) {
    return { ok: false, reason: 'Wildcards are not allowed in a principal, except a lone "*".' };
  }
  switch (type) {
    case 'AWS':
      if (ACCOUNT.test(value) || IAM_PRINCIPAL_ARN.test(value) || STS_PRINCIPAL_ARN.test(value) || UNIQUE_ID.test(value)) {
        return { ok: true };
      }
      return {
        ok: false,
        reason:
          'An AWS principal is a 12-digit account ID or the ARN of an account root, IAM user, IAM role, assumed-role session or federated user.',
      };
    case 'Federated':
      if (PROVIDER_ARN.test(value) || DNS_NAME.test(value)) return { ok: true };
      return { ok: false, reason: 'A federated principal is a SAML or OIDC provider ARN, or a web identity provider such as accounts.google.com.' };
    case 'Service':
      if (DNS_NAME.test(value)) return { ok: true };
      return { ok: false, reason: 'A service principal is a service name such as lambda.amazonaws.com.' };
    case 'CanonicalUser':
      if (CANONICAL_USER.test(value)) return { ok: true };
      return { ok: false, reason: 'A canonical user ID is 64 hexadecimal characters.' };
    default:
      return { ok: false, reason: 'Principal types are AWS, Federated, Service and CanonicalUser.' };
  }
}
