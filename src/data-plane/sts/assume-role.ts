/**
 * AssumeRole: credentials for a role session, decided by the policy engine on both sides at once
 * (the caller's identity policies, boundary and session policies, and the role's trust policy as
 * the resource policy; the engine applies AWS's same-account and cross-account rules and requires
 * the trust policy to allow explicitly).
 *
 * Order of checks: parameters (role ARN syntax, session policy, tags), MFA, authorization
 * (sts:AssumeRole, then sts:TagSession and sts:SetSourceIdentity when used), then what depends on
 * the role (duration, managed session policies, packed size). A missing role and a denial give the
 * same AccessDenied, so the answer does not reveal whether a role exists.
 */
import { parseArn } from '../../core/arn.js';
import { awsError, constraint, validationError, violation } from '../../core/errors/index.js';
import type { Principal } from '../../core/model/principal.js';
import { evaluate, type AuthzRequest, type ContextValue, type PolicySets } from '../../core/policy/index.js';
import type { ReplicaRole } from '../../replication/feed-types.js';
import { issueCredentials, type IssuedCredentials } from './credentials.js';
import { checkPolicyArnCount, checkPolicyArnsExist, packedPolicySize, readPolicyArns, validateSessionPolicy } from './session-policies.js';
import { assumeRoleTags } from './session-tags.js';
import { callerContext, int, iso, notAuthorized, requestTagContext, str, type StsContext } from './sts-context.js';

/** AssumeRole's default session length (one hour). */
export const DEFAULT_ROLE_SESSION_SECONDS = 3600;
/** Role chaining caps a session at one hour. */
export const CHAINED_SESSION_SECONDS = 3600;
const MIN_SESSION_SECONDS = 900;

export interface AssumeRoleOutput {
  credentials: IssuedCredentials;
  assumedRoleUser: { assumedRoleId: string; arn: string };
  packedPolicySize?: number;
  sourceIdentity?: string;
}

/** The role an ARN names, found by account and name (any path: role names are unique per account). */
function findRole(ctx: StsContext, roleArn: string): ReplicaRole | undefined {
  const a = parseArn(roleArn);
  if (!a || a.partition !== ctx.partition || a.service !== 'iam' || a.region !== '' || !a.resource.startsWith('role/')) return undefined;
  const name = a.resource.slice(a.resource.lastIndexOf('/') + 1);
  // AWS-COMPAT: the role is looked up by name; a path in the ARN that differs from the role's is
  // not refused (AWS resolves roles by account and name).
  return name ? ctx.view.role(a.account, name) : undefined;
}

function required(input: Record<string, unknown>, key: string): string {
  const v = str(input, key);
  if (v === undefined) throw validationError([violation(key, null, constraint.notNull())]);
  return v;
}

export function assumeRole(ctx: StsContext, input: Record<string, unknown>, caller: Principal): AssumeRoleOutput {
  const roleArn = required(input, 'roleArn');
  const sessionName = required(input, 'roleSessionName');
  // AWS-COMPAT: AWS's answer to the root user ("Roles may not be assumed by root accounts.", AccessDenied).
  if (caller.type === 'Root') throw awsError('AccessDenied', 'Roles may not be assumed by root accounts.');
  // AWS-COMPAT: an ARN that does not parse is a ValidationError "<arn> is invalid" (LocalStack's
  // reproduction of AWS's answer); a well-formed ARN of something else is simply not a role.
  if (!parseArn(roleArn)) throw awsError('ValidationError', `${roleArn} is invalid`);

  const policy = str(input, 'policy');
  const policyArns = readPolicyArns(input);
  validateSessionPolicy(policy);
  checkPolicyArnCount(policyArns);
  const claims = caller.session;
  const tags = assumeRoleTags(input, claims);

  const serialNumber = str(input, 'serialNumber');
  const tokenCode = str(input, 'tokenCode');
  let mfaAuthenticatedAt = claims?.mfaAuthenticatedAt;
  const mfaNow = serialNumber !== undefined || tokenCode !== undefined;
  if (mfaNow) {
    ctx.mfa.verify(ctx.view, caller, serialNumber, tokenCode, ctx.now);
    mfaAuthenticatedAt = iso(ctx.now);
  }

  const denied = (action: string) => awsError('AccessDenied', notAuthorized(caller, action, roleArn));
  const role = findRole(ctx, roleArn);
  const callerSets = ctx.view.policySets(caller);
  if (!role || !callerSets) throw denied('sts:AssumeRole');
  const roleAccount = parseArn(role.arn)?.account ?? '';

  // A source identity, once set, passes on to every chained session and cannot change.
  const inheritedSource = claims?.sourceIdentity;
  const requestedSource = str(input, 'sourceIdentity');
  if (inheritedSource !== undefined && requestedSource !== undefined && requestedSource !== inheritedSource) throw denied('sts:SetSourceIdentity');
  const sourceIdentity = inheritedSource ?? requestedSource;

  const context: Record<string, ContextValue> = callerContext(ctx, caller);
  if (mfaNow) {
    context['aws:MultiFactorAuthPresent'] = 'true';
    context['aws:MultiFactorAuthAge'] = '0';
  }
  context['sts:RoleSessionName'] = sessionName;
  const externalId = str(input, 'externalId');
  if (externalId !== undefined) context['sts:ExternalId'] = externalId;
  if (sourceIdentity !== undefined) context['sts:SourceIdentity'] = sourceIdentity;
  Object.assign(context, requestTagContext(tags.all));
  const transitiveTagKeys = tags.all.filter((t) => tags.transitiveKeys.includes(t.key.toLowerCase())).map((t) => t.key);
  if (transitiveTagKeys.length) context['sts:TransitiveTagKeys'] = transitiveTagKeys;
  for (const t of role.tags) {
    context[`aws:ResourceTag/${t.key}`] = t.value;
    context[`iam:ResourceTag/${t.key}`] = t.value;
  }

  const sets: PolicySets = { ...callerSets, resource: ctx.view.trustPolicy(role), resourceAccount: roleAccount };
  const allow = (action: string) => {
    const request: AuthzRequest = { principal: caller.arn, action, resource: role.arn, context };
    if (evaluate(request, sets).decision !== 'Allow') throw denied(action);
  };
  allow('sts:AssumeRole');
  if (tags.all.length) allow('sts:TagSession');
  if (sourceIdentity !== undefined) allow('sts:SetSourceIdentity');

  const chained = claims !== undefined;
  const duration = int(input, 'durationSeconds') ?? DEFAULT_ROLE_SESSION_SECONDS;
  if (duration < MIN_SESSION_SECONDS) throw validationError([violation('durationSeconds', { text: String(duration) }, constraint.minValue(MIN_SESSION_SECONDS))]);
  // AWS-COMPAT: AWS's ValidationError wording for both limits (kreuzwerker/awsu#27,
  // aws-vault#263, eks-anywhere#9485).
  if (duration > role.maxSessionDuration) throw awsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  if (chained && duration > CHAINED_SESSION_SECONDS) throw awsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');

  checkPolicyArnsExist(ctx.view, policyArns, roleAccount, ctx.partition);
  const packed = packedPolicySize(policy, policyArns, tags.all);

  const { credentials } = issueCredentials(
    ctx,
    {
      kind: 'AssumedRole',
      account: roleAccount,
      roleArn: role.arn,
      roleId: role.roleId,
      roleName: role.roleName,
      sessionName,
      sourceIdentity,
      mfaAuthenticatedAt,
      tags: tags.all.length ? tags.all : undefined,
      transitiveTagKeys: tags.transitiveKeys.length ? tags.transitiveKeys : undefined,
      policy,
      policyArns: policyArns.length ? policyArns : undefined,
      chained: chained || undefined,
    },
    duration,
  );
  return {
    credentials,
    assumedRoleUser: { assumedRoleId: `${role.roleId}:${sessionName}`, arn: `arn:${ctx.partition}:sts::${roleAccount}:assumed-role/${role.roleName}/${sessionName}` },
    packedPolicySize: packed,
    sourceIdentity,
  };
}
