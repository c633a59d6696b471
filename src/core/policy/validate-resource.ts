/**
 * The Resource / NotResource checks IAM applies when a policy is written, in IAM's own terms
 * (see validate-messages.ts). Role trust policies name no resources at all.
 */
import { MSG } from './validate-messages.js';
import { keyPath } from './validate-text.js';
import { hasVariable, variableProblems } from './validate-values.js';
import { RANK, exclusiveLists, has, quote, type DocContext } from './validate-context.js';

// DIVERGENCE: IAM accepts only the partition it runs in; a Gatehouse deployment is not tied to
// one, so every known partition passes.
const PARTITIONS: ReadonlySet<string> = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']);
// AWS-COMPAT: the resource types IAM lists in its own error message; an iam ARN must start with one.
const IAM_RESOURCE_STARTS: readonly string[] = [
  'user/', 'federated-user/', 'role/', 'group/', 'instance-profile/', 'mfa/', 'server-certificate/', 'policy/',
  'sms-mfa/', 'saml-provider/', 'oidc-provider/', 'report/', 'access-report/',
];

/** Resource / NotResource of one statement: present (except in trust policies), one of them, well-formed. */
export function checkResources(ctx: DocContext, stmt: Record<string, unknown>, path: string): void {
  if (ctx.kind === 'trust') {
    for (const element of ['Resource', 'NotResource']) {
      if (has(stmt, element)) ctx.out.malformed('SYN-POLICY-TYPE', keyPath(path, element), MSG.trustResource(element), RANK.fields, 'A role trust policy applies to the role itself and names no resources.');
    }
    return;
  }
  for (const list of exclusiveLists(ctx, stmt, path, ['Resource', 'NotResource'], MSG.needResources, RANK.resources)) {
    for (let i = 0; i < list.items.length; i++) checkResource(ctx, list.items[i], list.paths[i]);
  }
}

/** Mirrors the checks IAM applies to each Resource entry, in the same terms (see validate-messages.ts). */
function checkResource(ctx: DocContext, resource: string, path: string): void {
  const { out } = ctx;
  if (ctx.variables && hasVariable(resource)) {
    for (const problem of variableProblems(resource)) out.warn('SYN-VARIABLE', path, problem);
  }
  if (resource === '*') return;
  const segments = resource.split(':');
  const colons = segments.length - 1;
  const formatError = resourceFormatError(segments, resource);
  if (formatError) {
    out.malformed('REF-ARN-FORMAT', path, formatError.message, RANK.resourceFormat, formatError.detail);
    return;
  }
  // AWS-COMPAT: IAM's older parser, run only on entries the format check let through, rejects
  // "::" in an ARN with too few segments, and an empty service.
  if ((colons < 5 && resource.includes('::')) || segments[2] === '') {
    out.malformed('REF-ARN-FORMAT', path, MSG.legacy, RANK.legacy, `${quote(resource)} is not a well-formed ARN (arn:partition:service:region:account-id:resource).`);
    return;
  }
  if (segments[0] !== 'arn') {
    out.warn('REF-ARN-FORMAT', path, `${quote(resource)} does not start with "arn:"; AWS reads it as an ARN anyway, but it matches no real resource.`);
  } else if (colons < 5) {
    out.warn('REF-ARN-FORMAT', path, `${quote(resource)} has ${colons + 1} of the 6 ARN segments (arn:partition:service:region:account-id:resource).`);
  }
}

/**
 * The first format problem IAM reports for a Resource entry. AWS-COMPAT: like IAM, the first
 * segment is not checked to be "arn", and the partition is read from the second.
 */
function resourceFormatError(segments: string[], resource: string): { message: string; detail?: string } | undefined {
  const colons = segments.length - 1;
  if (colons === 0) return { message: MSG.resourceArnFormat(resource) };
  const partition = segments[1];
  if (!PARTITIONS.has(partition)) {
    const rest = segments.slice(2);
    const seg = (i: number): string => (i < rest.length && (rest[i] !== '' || rest.length > 1) ? rest[i] : '*');
    const tail = rest.length > 3 ? rest.slice(3).join(':') : '*';
    return { message: MSG.resourcePartition(partition, `arn:${partition}:${seg(0)}:${seg(1)}:${seg(2)}:${tail}`) };
  }
  if (colons === 1) return { message: MSG.resourceVendor, detail: 'The ARN stops after the partition.' };
  const service = segments[2];
  if (/[*?]/.test(service)) return { message: MSG.resourceVendor, detail: 'The service segment of an ARN cannot contain wildcards.' };
  if ((service === 'iam' || service === 's3') && segments[3] !== '') {
    return { message: service === 'iam' ? MSG.iamRegion(resource) : MSG.s3Region(resource) };
  }
  if (service === 'iam') {
    const rest = segments.slice(5).join(':');
    const literal = rest.split(/[*?]/, 1)[0];
    const wildcarded = literal.length < rest.length;
    if (!IAM_RESOURCE_STARTS.some((s) => rest.startsWith(s) || (wildcarded && s.startsWith(literal)))) {
      return { message: MSG.iamResourcePath(IAM_RESOURCE_STARTS) };
    }
  }
  return undefined;
}
