/**
 * Whole-account views: GetAccountAuthorizationDetails (every principal with its policies, and the
 * managed policies in use) and GetAccountSummary (entity counts and IAM quotas).
 */
import { KIND, type GroupEntity, type InlinePolicies, type ManagedPolicyEntity, type MfaDeviceEntity, type RoleEntity, type UserEntity } from '../../core/model/iam-entities.js';
import { POLICY_SIZE_QUOTAS } from '../../core/policy/validate.js';
import { defineOperation } from '../context.js';
import { instanceProfilesByRole, listAll, type InstanceProfileEntity } from '../entities.js';
import { parseIamArn } from '../iam-arns.js';
import { paginate } from '../paging.js';
import { ACCESS_KEYS_PER_USER } from './access-keys.js';
import { ATTACHED_POLICIES_QUOTA } from './attachments.js';
import { boundaryOutput } from './boundaries.js';
import { GROUPS_PER_ACCOUNT, GROUPS_PER_USER } from './groups.js';
import { INSTANCE_PROFILES_PER_ACCOUNT, instanceProfileShape } from './instance-profiles.js';
import { policyOutput, POLICIES_PER_ACCOUNT, versionOutput, VERSIONS_PER_POLICY } from './policies.js';
import { accountPolicyUsage, accountPrincipals, type PolicyCounts } from './policy-usage.js';
import { ROLES_PER_ACCOUNT } from './roles.js';
import { USERS_PER_ACCOUNT } from './users.js';

type EntityType = 'User' | 'Role' | 'Group' | 'LocalManagedPolicy' | 'AWSManagedPolicy';

function inlineList(policies: InlinePolicies) {
  return Object.keys(policies)
    .sort()
    .map((policyName) => ({ policyName, policyDocument: policies[policyName] }));
}

function attachedList(arns: string[]) {
  return arns.map((arn) => ({ policyName: parseIamArn(arn)?.name ?? arn, policyArn: arn }));
}

function userDetail(user: UserEntity, groupNames: Map<string, string>) {
  return {
    path: user.path,
    userName: user.userName,
    userId: user.userId,
    arn: user.arn,
    createDate: user.createDate,
    userPolicyList: inlineList(user.inlinePolicies),
    // Users keep their groups' lowercased names; the detail shows each group's own spelling.
    groupList: user.groups.map((g) => groupNames.get(g) ?? g),
    attachedManagedPolicies: attachedList(user.attachedPolicies),
    permissionsBoundary: boundaryOutput(user.permissionsBoundary),
    tags: user.tags.length ? user.tags : undefined,
  };
}

function groupDetail(group: GroupEntity) {
  return {
    path: group.path,
    groupName: group.groupName,
    groupId: group.groupId,
    arn: group.arn,
    createDate: group.createDate,
    groupPolicyList: inlineList(group.inlinePolicies),
    attachedManagedPolicies: attachedList(group.attachedPolicies),
  };
}

/** `roleOf` finds a profile's roles among the account's (a profile's roles are never deleted first). */
function roleDetail(role: RoleEntity, profiles: InstanceProfileEntity[], roleOf: (name: string) => RoleEntity | undefined) {
  return {
    path: role.path,
    roleName: role.roleName,
    roleId: role.roleId,
    arn: role.arn,
    createDate: role.createDate,
    assumeRolePolicyDocument: role.assumeRolePolicyDocument,
    // The profiles that hold the role, each with its roles, without tags as in ListInstanceProfiles.
    instanceProfileList: profiles.map((p) => instanceProfileShape(p, p.roles.flatMap((n) => roleOf(n) ?? []), false)),
    rolePolicyList: inlineList(role.inlinePolicies),
    attachedManagedPolicies: attachedList(role.attachedPolicies),
    permissionsBoundary: boundaryOutput(role.permissionsBoundary),
    tags: role.tags.length ? role.tags : undefined,
    // AWS-COMPAT: as in GetRole, RoleLastUsed is present and empty for a role never used.
    roleLastUsed: role.roleLastUsed ? { ...role.roleLastUsed } : {},
  };
}

function policyDetail(policy: ManagedPolicyEntity, counts: PolicyCounts) {
  const { tags: _tags, ...rest } = policyOutput(policy, counts);
  return { ...rest, policyVersionList: policy.versions.map((v) => versionOutput(v, true)) };
}

type Detail =
  | { key: string; user: ReturnType<typeof userDetail> }
  | { key: string; group: ReturnType<typeof groupDetail> }
  | { key: string; role: ReturnType<typeof roleDetail> }
  | { key: string; policy: ReturnType<typeof policyDetail> };

export const getAccountAuthorizationDetails = defineOperation({
  name: 'GetAccountAuthorizationDetails',
  write: false,
  // iam:GetAccountAuthorizationDetails has no resource type in the service authorization reference.
  resource: () => '*',
  async run(input: { filter?: EntityType[]; marker?: string; maxItems?: number }, ctx) {
    const { tx, account } = ctx;
    const want = (t: EntityType) => !input.filter?.length || input.filter.includes(t);
    const { users, groups, roles } = await accountPrincipals(tx, account);
    const groupNames = new Map(groups.map((g) => [g.groupName.toLowerCase(), g.groupName]));
    const usage = await accountPolicyUsage(tx, account);
    const profilesByRole = want('Role') ? await instanceProfilesByRole(tx, account) : new Map<string, InstanceProfileEntity[]>();
    const rolesByName = new Map(roles.map((r) => [r.roleName.toLowerCase(), r]));
    const roleOf = (name: string) => rolesByName.get(name.toLowerCase());
    // All of the account's own managed policies, and the AWS managed ones it uses.
    const policies: { policy: ManagedPolicyEntity; counts: PolicyCounts }[] = [];
    if (want('LocalManagedPolicy')) for (const p of await listAll<ManagedPolicyEntity>(tx, KIND.policy, account)) policies.push({ policy: p, counts: p });
    if (want('AWSManagedPolicy')) {
      for (const p of await listAll<ManagedPolicyEntity>(tx, KIND.policy, 'aws')) {
        const counts = usage.get(p.arn);
        if (counts) policies.push({ policy: p, counts });
      }
    }
    // One list (users, groups, roles, then policies, each by name) paged by one marker: a page
    // may end inside any of the four lists, and the next page continues where it stopped.
    const rows: Detail[] = [
      ...(want('User') ? users.map((u) => ({ key: `1/${u.userName.toLowerCase()}`, user: userDetail(u, groupNames) })) : []),
      ...(want('Group') ? groups.map((g) => ({ key: `2/${g.groupName.toLowerCase()}`, group: groupDetail(g) })) : []),
      ...(want('Role') ? roles.map((r) => ({ key: `3/${r.roleName.toLowerCase()}`, role: roleDetail(r, profilesByRole.get(r.roleName.toLowerCase()) ?? [], roleOf) })) : []),
      ...policies
        .map(({ policy, counts }) => ({ key: `4/${policy.policyName.toLowerCase()}\u0000${policy.arn}`, policy: policyDetail(policy, counts) }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    ];
    const page = paginate(rows, (r) => r.key, input.marker, input.maxItems);
    return {
      userDetailList: page.items.flatMap((r) => ('user' in r ? [r.user] : [])),
      groupDetailList: page.items.flatMap((r) => ('group' in r ? [r.group] : [])),
      roleDetailList: page.items.flatMap((r) => ('role' in r ? [r.role] : [])),
      policies: page.items.flatMap((r) => ('policy' in r ? [r.policy] : [])),
      isTruncated: page.isTruncated,
      marker: page.marker,
    };
  },
});

/** AWS quotas that GetAccountSummary reports and Gatehouse does not enforce elsewhere. */
const OTHER_QUOTAS = {
  PolicyVersionsInUseQuota: 10000,
  ServerCertificatesQuota: 20,
  SigningCertificatesPerUserQuota: 2,
};

export const getAccountSummary = defineOperation({
  name: 'GetAccountSummary',
  write: false,
  // iam:GetAccountSummary has no resource type in the service authorization reference.
  resource: () => '*',
  async run(_input: Record<string, never>, ctx) {
    const { tx, account } = ctx;
    const policies = await listAll<ManagedPolicyEntity>(tx, KIND.policy, account);
    const mfaDevices = (await tx.list<MfaDeviceEntity>(KIND.mfa, { account })).items.map((r) => r.data);
    const summaryMap: Record<string, number> = {
      Users: await tx.count(KIND.user, { account }),
      UsersQuota: USERS_PER_ACCOUNT,
      Groups: await tx.count(KIND.group, { account }),
      GroupsQuota: GROUPS_PER_ACCOUNT,
      Roles: await tx.count(KIND.role, { account }),
      RolesQuota: ROLES_PER_ACCOUNT,
      Policies: policies.length,
      PoliciesQuota: POLICIES_PER_ACCOUNT,
      // The versions the account's customer managed policies keep, against their own quota.
      PolicyVersionsInUse: policies.reduce((n, p) => n + p.versions.length, 0),
      VersionsPerPolicyQuota: VERSIONS_PER_POLICY,
      PolicySizeQuota: POLICY_SIZE_QUOTAS.managed,
      UserPolicySizeQuota: POLICY_SIZE_QUOTAS.user,
      GroupPolicySizeQuota: POLICY_SIZE_QUOTAS.group,
      RolePolicySizeQuota: POLICY_SIZE_QUOTAS.role,
      AssumeRolePolicySizeQuota: POLICY_SIZE_QUOTAS.trust,
      GroupsPerUserQuota: GROUPS_PER_USER,
      AccessKeysPerUserQuota: ACCESS_KEYS_PER_USER,
      AttachedPoliciesPerUserQuota: ATTACHED_POLICIES_QUOTA,
      AttachedPoliciesPerGroupQuota: ATTACHED_POLICIES_QUOTA,
      AttachedPoliciesPerRoleQuota: ATTACHED_POLICIES_QUOTA,
      MFADevices: mfaDevices.length,
      MFADevicesInUse: mfaDevices.filter((d) => d.userName !== undefined).length,
      InstanceProfiles: await tx.count(KIND.instanceProfile, { account }),
      InstanceProfilesQuota: INSTANCE_PROFILES_PER_ACCOUNT,
      // DIVERGENCE: the root user has no MFA device, access keys or signing certificates here,
      // and there are no server certificates or identity providers yet.
      AccountMFAEnabled: 0,
      AccountAccessKeysPresent: 0,
      AccountSigningCertificatesPresent: 0,
      ServerCertificates: 0,
      Providers: 0,
      GlobalEndpointTokenVersion: 1,
      ...OTHER_QUOTAS,
    };
    return { summaryMap };
  },
});

export const ACCOUNT_DETAIL_OPERATIONS = [getAccountAuthorizationDetails, getAccountSummary];
