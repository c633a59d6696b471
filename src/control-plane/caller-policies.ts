/**
 * The compiled policies that apply to a caller: its inline and attached policies, those of its
 * groups, and its permissions boundary. Compiled policies are cached by ARN and version, and a
 * caller's whole set until a write changes one of the records it was built from (the control
 * plane is the only writer, so it knows); so are the caller's tags, which every request's
 * `aws:PrincipalTag/…` keys need.
 */
import { awsError } from '../core/errors/index.js';
import { entityId, KIND, type AccountEntity, type GroupEntity, type InlinePolicies, type ManagedPolicyEntity, type RoleEntity, type Tag, type UserEntity } from '../core/model/iam-entities.js';
import { CompiledPolicy, compilePolicy, type PolicyLayer, type PolicySets } from '../core/policy/index.js';
import type { ReadTx } from '../store/ports.js';
import { isStale, RecordingTx, type Caller, type ChangedRecords, type Dependencies } from './context.js';
import { findPolicy, loadUser } from './entities.js';

/** A principal's own policies, as stored: the input of the compiler. */
export interface PrincipalPolicies {
  inline: { id: string; document: string }[];
  managed: string[];
  boundary?: string;
}

export class CallerPolicies {
  private readonly managed = new Map<string, CompiledPolicy>();
  private readonly callers = new Map<string, { sets: PolicySets; reads: Dependencies }>();
  private readonly tags = new Map<string, { tags: Tag[]; reads: Dependencies }>();

  /**
   * Forgets what a change made stale: the sets and tags built from a changed record, or every
   * one when `changed` is undefined. Compiled managed versions stay: they never change.
   */
  invalidate(changed?: ChangedRecords): void {
    for (const [arn, entry] of this.callers) if (isStale(entry.reads, changed)) this.callers.delete(arn);
    for (const [arn, entry] of this.tags) if (isStale(entry.reads, changed)) this.tags.delete(arn);
  }

  /** The tags of the IAM user a caller signs as (NoSuchEntity when the user is gone); none for the root user. */
  async principalTags(tx: ReadTx, caller: Caller): Promise<Tag[]> {
    if (!caller.userName) return [];
    const cached = this.tags.get(caller.arn);
    if (cached) return cached.tags;
    const recording = new RecordingTx(tx);
    const { tags } = await loadUser(recording, caller.account, caller.userName);
    this.tags.set(caller.arn, { tags, reads: recording.reads });
    return tags;
  }

  async forCaller(tx: ReadTx, caller: Caller): Promise<PolicySets> {
    const cached = this.callers.get(caller.arn);
    if (cached) return cached.sets;
    const recording = new RecordingTx(tx);
    const sets = caller.type === 'Root' ? rootPolicies() : await this.compile(recording, await withAccountGrants(recording, caller, await userPolicies(recording, caller)));
    this.callers.set(caller.arn, { sets, reads: recording.reads });
    return sets;
  }

  /** Compiles a principal's policies into the engine's policy sets. */
  async compile(tx: ReadTx, policies: PrincipalPolicies): Promise<PolicySets> {
    const identity: CompiledPolicy[] = policies.inline.map((p) => compilePolicy(p.document, { id: p.id, layer: 'identity' }));
    for (const arn of policies.managed) {
      const compiled = await this.compileManaged(tx, arn, 'identity');
      if (compiled) identity.push(compiled);
    }
    const boundary = policies.boundary ? ((await this.compileManaged(tx, policies.boundary, 'boundary')) ?? compilePolicy({ Version: '2012-10-17', Statement: [] }, { id: policies.boundary, layer: 'boundary' })) : null;
    return { identity: identity.length ? [CompiledPolicy.merge('identity', identity)] : [], boundary };
  }

  private async compileManaged(tx: ReadTx, arn: string, layer: PolicyLayer): Promise<CompiledPolicy | undefined> {
    const policy = await findPolicy(tx, arn);
    if (!policy) return undefined;
    const version = defaultVersion(policy);
    const key = `${layer}|${arn}|${version.versionId}|${policy.createDate}`;
    let compiled = this.managed.get(key);
    if (!compiled) {
      compiled = compilePolicy(version.document, { id: arn, layer });
      this.managed.set(key, compiled);
    }
    return compiled;
  }
}

export function defaultVersion(policy: ManagedPolicyEntity) {
  const version = policy.versions.find((v) => v.versionId === policy.defaultVersionId) ?? policy.versions[0];
  if (!version) throw new Error(`policy ${policy.arn} has no versions`);
  return version;
}

function inlineOf(ownerArn: string, policies: InlinePolicies) {
  return Object.entries(policies).map(([name, document]) => ({ id: `${ownerArn}:inline/${name}`, document }));
}

/** A user's policies: its own, then each group's. */
export async function userPolicies(tx: ReadTx, caller: Caller | { account: string; userName?: string }): Promise<PrincipalPolicies> {
  const user = caller.userName ? (await tx.get<UserEntity>(KIND.user, entityId(caller.account, caller.userName)))?.data : undefined;
  if (!user) throw awsError('InvalidClientTokenId', 'The security token included in the request is invalid.');
  const out: PrincipalPolicies = { inline: inlineOf(user.arn, user.inlinePolicies), managed: [...user.attachedPolicies], boundary: user.permissionsBoundary };
  for (const name of user.groups) {
    const group = (await tx.get<GroupEntity>(KIND.group, entityId(caller.account, name)))?.data;
    if (!group) continue;
    out.inline.push(...inlineOf(group.arn, group.inlinePolicies));
    out.managed.push(...group.attachedPolicies);
  }
  return out;
}

/**
 * AWS-COMPAT: a password policy with AllowUsersToChangePassword lets every user call
 * iam:ChangePassword on itself and iam:GetAccountPasswordPolicy; AWS applies this at the account
 * level without attaching a policy, so it shows up here as an extra identity statement.
 */
async function withAccountGrants(tx: ReadTx, caller: Caller, policies: PrincipalPolicies): Promise<PrincipalPolicies> {
  const account = (await tx.get<AccountEntity>(KIND.account, caller.account))?.data;
  if (!account?.passwordPolicy?.allowUsersToChangePassword) return policies;
  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iam:ChangePassword', Resource: caller.arn },
      { Effect: 'Allow', Action: 'iam:GetAccountPasswordPolicy', Resource: '*' },
    ],
  });
  return { ...policies, inline: [...policies.inline, { id: 'account-password-policy', document }] };
}

/** A role's policies (for simulation; sessions arrive with the data planes). */
export function rolePolicies(role: RoleEntity): PrincipalPolicies {
  return { inline: inlineOf(role.arn, role.inlinePolicies), managed: [...role.attachedPolicies], boundary: role.permissionsBoundary };
}

/** The root user may do anything in its account (SCPs aside). */
function rootPolicies(): PolicySets {
  return { identity: [compilePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, { id: 'root', layer: 'identity' })] };
}

export type { ManagedPolicyEntity };
