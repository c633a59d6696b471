/**
 * Session policies (`Policy`, `PolicyArns`) and the packed size of policies and tags.
 *
 * - `Policy` is validated as a session policy (MalformedPolicyDocument with IAM's wording; more
 *   than 2,048 characters is a ValidationError on `policy`, as AWS answers).
 * - `PolicyArns`: at most 10, each a managed policy of the session's own account or an AWS managed
 *   policy that the replica has.
 * - PackedPolicySize: AWS compresses the inline policy, the policy ARNs and the session tags into a
 *   "packed binary format that has a separate limit" and reports how much of it the request uses.
 *   DIVERGENCE: AWS's format and limit are not published. We deflate the same inputs and count
 *   them against a budget of PACKED_BUDGET_BYTES, so the percentage is stable and grows with the
 *   same things as AWS's, but is not AWS's number (AWS's is usually higher for policies with many
 *   distinct actions).
 */
import { deflateRawSync } from 'node:zlib';
import { parseArn } from '../../core/arn.js';
import { awsError, constraint, validationError, violation } from '../../core/errors/index.js';
import type { Tag } from '../../core/model/iam-entities.js';
import { validatePolicy } from '../../core/policy/index.js';
import type { ReplicaView } from '../replica-view.js';

/** AWS's quota of managed session policies per request. */
export const MAX_POLICY_ARNS = 10;
/** The packed budget (deflated bytes) that PackedPolicySize reports a percentage of. */
export const PACKED_BUDGET_BYTES = 1024;

/** `PolicyArns` in domain form (`[{arn}]`) as a list of ARNs. */
export function readPolicyArns(input: Record<string, unknown>): string[] {
  const list = input.policyArns;
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const item of list) {
    const arn = item && typeof item === 'object' ? (item as { arn?: unknown }).arn : undefined;
    if (typeof arn === 'string') out.push(arn);
  }
  return out;
}

/** Refuses an inline session policy that AWS would refuse, with the first error AWS reports. */
export function validateSessionPolicy(policy: string | undefined): void {
  if (policy === undefined) return;
  const error = validatePolicy(policy, 'session').find((f) => f.severity === 'error');
  if (error) throw awsError(error.code, error.message);
}

/** Refuses more than ten `PolicyArns` (checked with the other parameters, before authorization). */
export function checkPolicyArnCount(arns: readonly string[]): void {
  if (arns.length <= MAX_POLICY_ARNS) return;
  // DIVERGENCE: the model has no list limit; AWS's wording for an eleventh ARN is not documented.
  throw validationError([violation('policyArns', { text: `[${arns.map((a) => `{arn=${a}}`).join(', ')}]` }, constraint.maxLength(MAX_POLICY_ARNS))]);
}

/**
 * Checks that each of `PolicyArns` is a managed policy the replica has, of `account` (the role's
 * for AssumeRole, the user's for GetFederationToken) or AWS managed.
 */
export function checkPolicyArnsExist(view: ReplicaView, arns: readonly string[], account: string, partition: string): void {
  for (const arn of arns) {
    const a = parseArn(arn);
    const ok = a !== undefined && a.partition === partition && a.service === 'iam' && a.region === '' && (a.account === account || a.account === 'aws') && a.resource.startsWith('policy/') && view.policy(arn) !== undefined;
    // DIVERGENCE: IAM's wording for a policy that cannot be attached; STS's code and wording for
    // a missing managed session policy are not documented.
    if (!ok) throw awsError('InvalidParameterValue', `Policy ${arn} does not exist or is not attachable.`);
  }
}

/** JSON text without insignificant white space (a validated policy parses). */
function minified(policy: string): string {
  try {
    return JSON.stringify(JSON.parse(policy));
  } catch {
    return policy;
  }
}

/**
 * The PackedPolicySize percentage of a request's session policies and session tags (undefined when
 * it passed none); PackedPolicyTooLarge above 100, with AWS's wording.
 */
export function packedPolicySize(policy: string | undefined, arns: readonly string[], tags: readonly Tag[]): number | undefined {
  if (policy === undefined && arns.length === 0 && tags.length === 0) return undefined;
  const text = [policy === undefined ? '' : minified(policy), arns.join('\n'), tags.map((t) => `${t.key}\t${t.value}`).join('\n')].join('\u0000');
  const bytes = deflateRawSync(Buffer.from(text, 'utf8'), { level: 9 }).length;
  const percent = Math.ceil((bytes * 100) / PACKED_BUDGET_BYTES);
  if (percent > 100) throw awsError('PackedPolicyTooLarge', `Packed policy consumes ${percent}% of allotted space`);
  return percent;
}
