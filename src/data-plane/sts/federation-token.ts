/**
 * GetFederationToken: a federated-user session for a proxy application signing with an IAM user's
 * long-term key. The session may do only what both the user's policies and the session policies
 * allow (the engine denies a federated session that was given no session policy, as AWS does).
 * Sessions may not call it (caller-rules.ts). The root user may, as AWS allows (not recommended).
 */
import { constraint, validationError, violation } from '../../core/errors/index.js';
import type { Tag } from '../../core/model/iam-entities.js';
import type { Principal } from '../../core/model/principal.js';
import { issueCredentials, type IssuedCredentials } from './credentials.js';
import { checkDuration } from './durations.js';
import { checkPolicyArnCount, checkPolicyArnsExist, packedPolicySize, readPolicyArns, validateSessionPolicy } from './session-policies.js';
import { checkDuplicateKeys, readTags } from './session-tags.js';
import { authorize, callerContext, int, ownTags, requestTagContext, str, type StsContext } from './sts-context.js';

/** 12 hours by default, 15 minutes to 36 hours; the root user's sessions last at most an hour. */
export const FEDERATION_TOKEN_DURATION = { min: 900, max: 129_600, default: 43_200, root: 3600 } as const;

export interface GetFederationTokenOutput {
  credentials: IssuedCredentials;
  federatedUser: { federatedUserId: string; arn: string };
  packedPolicySize?: number;
}

/** The user's tags with the session tags over them (keys compare case-insensitively). */
function withUserTags(userTags: readonly Tag[], sessionTags: readonly Tag[]): Tag[] {
  const byKey = new Map<string, Tag>();
  for (const t of userTags) byKey.set(t.key.toLowerCase(), t);
  for (const t of sessionTags) byKey.set(t.key.toLowerCase(), t);
  return [...byKey.values()];
}

export function getFederationToken(ctx: StsContext, input: Record<string, unknown>, caller: Principal): GetFederationTokenOutput {
  const name = str(input, 'name');
  if (name === undefined) throw validationError([violation('name', null, constraint.notNull())]);
  const policy = str(input, 'policy');
  const policyArns = readPolicyArns(input);
  validateSessionPolicy(policy);
  checkPolicyArnCount(policyArns);
  const tags = readTags(input);
  checkDuplicateKeys(tags);

  const arn = `arn:${ctx.partition}:sts::${caller.account}:federated-user/${name}`;
  if (caller.type !== 'Root') {
    const sets = ctx.view.policySets(caller);
    const context = { ...callerContext(ctx, caller), ...requestTagContext(tags) };
    authorize(caller, 'sts:GetFederationToken', arn, context, sets);
    if (tags.length && sets) authorize(caller, 'sts:TagSession', arn, context, sets);
  }

  const duration = checkDuration(int(input, 'durationSeconds'), FEDERATION_TOKEN_DURATION, caller.type === 'Root');
  checkPolicyArnsExist(ctx.view, policyArns, caller.account, ctx.partition);
  const packed = packedPolicySize(policy, policyArns, tags);
  // AWS-COMPAT: "the session's principal tags include the user's tags and the passed session tags"
  // (IAM User Guide). They are taken when the session is created and travel in the token.
  const principalTags = withUserTags(ownTags(ctx.view, caller), tags);

  const { credentials } = issueCredentials(
    ctx,
    {
      kind: 'FederatedUser',
      account: caller.account,
      userArn: caller.arn,
      userId: caller.userId,
      userName: caller.userName,
      federatedName: name,
      tags: principalTags.length ? principalTags : undefined,
      policy,
      policyArns: policyArns.length ? policyArns : undefined,
    },
    duration,
  );
  return { credentials, federatedUser: { federatedUserId: `${caller.account}:${name}`, arn }, packedPolicySize: packed };
}
