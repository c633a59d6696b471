/**
 * The compiled policies that apply to a caller: its inline and attached policies, those of its
 * groups, and its permissions boundary. Compiled policies are cached by ARN and version, and a
 * caller's whole set until a write changes one of the records it was built from (the control
 * plane is the only writer, so it knows); so are the caller's tags, which every request's
 * `aws:PrincipalTag/…` keys need.
 *
 * A session (temporary credentials) gets the policies of what it was created from, as AWS gives
 * them: a role session the role's policies and boundary, plus its session policies as one more
 * layer; a federated user the calling user's policies plus the session policies; a
 * GetSessionToken session the user's own. Its set is cached per session.
 */
import { awsError } from '../core/errors/index.js';
import { entityId, KIND, type AccountEntity, type GroupEntity, type InlinePolicies, type ManagedPolicyEntity, type RoleEntity, type Tag, type UserEntity } from '../core/model/iam-entities.js';
import type { SessionClaims } from '../core/model/principal.js';
import { CompiledPolicy, compilePolicy, type PolicyLayer, type PolicySets } from '../core/policy/index.js';
import { MESSAGES, sha256Hex } from '../core/sigv4/index.js';
import type { ReadTx } from '../store/ports.js';
import { isStale, RecordingTx, type Caller, type ChangedRecords, type Dependencies } from './context.js';
import { findPolicy, findRole, loadUser } from './entities.js';

/** A principal's own policies, as stored: the input of the compiler. */
export interface PrincipalPolicies {
  inline: { id: string; document: string }[];
  managed: string[];
  boundary?: string;
}

/** Bounds on what many sessions, or many distinct session policies, can make the caches hold. */
const MAX_CACHED_SESSIONS = 10_000;
const MAX_CACHED_SESSION_POLICIES = 1_000;

const EMPTY_POLICY = { Version: '2012-10-17', Statement: [] };

/**
 * AWS-COMPAT: a role session whose role was deleted (or deleted and created again: a new role id)
 * keeps authenticating but has no permissions.
 */
const NO_PERMISSIONS: PolicySets = { identity: [] };

export class CallerPolicies {
  private readonly managed = new Map<string, CompiledPolicy>();
  private readonly callers = new Map<string, { sets: PolicySets; reads: Dependencies }>();
  private readonly sessions = new Map<string, { sets: PolicySets; reads: Dependencies }>();
  private readonly tags = new Map<string, { tags: Tag[]; reads: Dependencies }>();
  /** Compiled inline session policies by their text (they never change). */
  private readonly inlineSession = new Map<string, CompiledPolicy>();

  /**
   * Forgets what a change made stale: the sets and tags built from a changed record, or every
   * one when `changed` is undefined. Compiled managed versions stay: they never change.
   */
  invalidate(changed?: ChangedRecords): void {
    for (const cache of [this.callers, this.sessions, this.tags]) for (const [key, entry] of cache) if (isStale(entry.reads, changed)) cache.delete(key);
  }

  /**
   * The tags of the IAM user or role a caller is (`aws:PrincipalTag/…` before session tags):
   * a user's (NoSuchEntity when the user is gone), a role session's role's (none when the role is
   * gone); none for the root user and federated users.
   */
  async principalTags(tx: ReadTx, caller: Caller): Promise<Tag[]> {
    const session = caller.session;
    if (caller.type === 'AssumedRole') {
      if (!session?.roleName) return [];
      const key = `role|${caller.account}|${session.roleName}|${session.roleId ?? ''}`;
      return this.cachedTags(key, tx, async (recording) => {
        const role = await findRole(recording, caller.account, session.roleName as string);
        return role && role.roleId === session.roleId ? role.tags : [];
      });
    }
    if (caller.type !== 'IAMUser' || !caller.userName) return [];
    const userName = caller.userName;
    return this.cachedTags(caller.arn, tx, async (recording) => (await loadUser(recording, caller.account, userName)).tags);
  }

  private async cachedTags(key: string, tx: ReadTx, load: (tx: RecordingTx) => Promise<Tag[]>): Promise<Tag[]> {
    const cached = this.tags.get(key);
    if (cached) return cached.tags;
    const recording = new RecordingTx(tx);
    const tags = await load(recording);
    this.tags.set(key, { tags, reads: recording.reads });
    return tags;
  }

  async forCaller(tx: ReadTx, caller: Caller): Promise<PolicySets> {
    if (caller.session) return this.forSession(tx, caller, caller.session);
    const cached = this.callers.get(caller.arn);
    if (cached) return cached.sets;
    const recording = new RecordingTx(tx);
    const sets = caller.type === 'Root' ? rootPolicies() : await this.userSets(recording, caller);
    this.callers.set(caller.arn, { sets, reads: recording.reads });
    return sets;
  }

  private async userSets(tx: ReadTx, caller: Caller, userId?: string): Promise<PolicySets> {
    return this.compile(tx, await withAccountGrants(tx, caller, await userPolicies(tx, caller, userId)));
  }

  private async forSession(tx: ReadTx, caller: Caller, session: SessionClaims): Promise<PolicySets> {
    // Sessions with the same issuer, issue time and session policies have the same set.
    const key = `${caller.arn}|${session.issuedAt}|${session.roleId ?? session.userId ?? ''}|${sha256Hex(JSON.stringify([session.policy ?? null, session.policyArns ?? []]))}`;
    const cached = this.sessions.get(key);
    if (cached) return cached.sets;
    const recording = new RecordingTx(tx);
    let sets: PolicySets;
    switch (session.kind) {
      case 'SessionToken':
        // The user itself (or the root user), with the user's own permissions.
        sets = caller.type === 'Root' ? rootPolicies() : await this.userSets(recording, caller, session.userId);
        break;
      case 'AssumedRole': {
        const role = session.roleName ? await findRole(recording, caller.account, session.roleName) : undefined;
        sets = role && role.roleId === session.roleId ? { ...(await this.compile(recording, rolePolicies(role))), session: await this.sessionLayer(recording, session) } : NO_PERMISSIONS;
        break;
      }
      case 'FederatedUser': {
        // The permissions of the user who called GetFederationToken, intersected with the session
        // policies (the engine denies a federated session that has none).
        const issuer = session.userName ? await this.compile(recording, await userPolicies(recording, { account: caller.account, userName: session.userName }, session.userId)) : rootPolicies();
        sets = { ...issuer, session: await this.sessionLayer(recording, session) };
        break;
      }
    }
    if (this.sessions.size >= MAX_CACHED_SESSIONS) this.sessions.clear();
    this.sessions.set(key, { sets, reads: recording.reads });
    return sets;
  }

  /**
   * The session policies as ONE policy (the inline one and the managed ones together grant what
   * any of them grants; the session layer then limits the identity's permissions), or no layer
   * when the session was given none. A managed session policy deleted since adds nothing.
   */
  private async sessionLayer(tx: ReadTx, session: SessionClaims): Promise<CompiledPolicy[]> {
    const arns = session.policyArns ?? [];
    if (session.policy === undefined && arns.length === 0) return [];
    const parts: CompiledPolicy[] = [];
    if (session.policy !== undefined) parts.push(this.compileInlineSession(session.policy));
    for (const arn of arns) {
      const compiled = await this.compileManaged(tx, arn, 'session');
      if (compiled) parts.push(compiled);
    }
    return [parts.length ? CompiledPolicy.merge('session-policies', parts) : compilePolicy(EMPTY_POLICY, { id: 'session-policies', layer: 'session' })];
  }

  private compileInlineSession(document: string): CompiledPolicy {
    let compiled = this.inlineSession.get(document);
    if (!compiled) {
      compiled = compilePolicy(document, { id: 'inline-session-policy', layer: 'session' });
      if (this.inlineSession.size >= MAX_CACHED_SESSION_POLICIES) this.inlineSession.clear();
      this.inlineSession.set(document, compiled);
    }
    return compiled;
  }

  /** Compiles a principal's policies into the engine's policy sets. */
  async compile(tx: ReadTx, policies: PrincipalPolicies): Promise<PolicySets> {
    const identity: CompiledPolicy[] = policies.inline.map((p) => compilePolicy(p.document, { id: p.id, layer: 'identity' }));
    for (const arn of policies.managed) {
      const compiled = await this.compileManaged(tx, arn, 'identity');
      if (compiled) identity.push(compiled);
    }
    const boundary = policies.boundary ? ((await this.compileManaged(tx, policies.boundary, 'boundary')) ?? compilePolicy(EMPTY_POLICY, { id: policies.boundary, layer: 'boundary' })) : null;
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

/**
 * A user's policies: its own, then each group's. `userId`, when given, must be the user's: a
 * session of a user deleted and created again under the same name is not the new user's.
 */
export async function userPolicies(tx: ReadTx, caller: Caller | { account: string; userName?: string }, userId?: string): Promise<PrincipalPolicies> {
  const user = caller.userName ? (await tx.get<UserEntity>(KIND.user, entityId(caller.account, caller.userName)))?.data : undefined;
  if (!user || (userId !== undefined && user.userId !== userId)) throw awsError('InvalidClientTokenId', MESSAGES.invalidClientTokenId);
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

/** A role's policies: its sessions' (before session policies), and for simulation. */
export function rolePolicies(role: RoleEntity): PrincipalPolicies {
  return { inline: inlineOf(role.arn, role.inlinePolicies), managed: [...role.attachedPolicies], boundary: role.permissionsBoundary };
}

/** The root user may do anything in its account (SCPs aside). */
function rootPolicies(): PolicySets {
  return { identity: [compilePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, { id: 'root', layer: 'identity' })] };
}

export type { ManagedPolicyEntity };
