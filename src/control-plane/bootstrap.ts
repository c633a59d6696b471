/**
 * First start: the organization's management account, the AWS managed policies and an
 * administrator user with one access key, in one unit of work. Later starts check that the
 * master key opens the store and refresh the AWS managed policies.
 */
import { open, seal } from '../core/crypto/index.js';
import { ID_PREFIX, newAccountId, newUniqueId } from '../core/ids.js';
import { entityId, KIND, type AccountEntity, type ManagedPolicyEntity, type UserEntity } from '../core/model/iam-entities.js';
import { issueAccessKey } from './access-key-secrets.js';
import { awsManagedPolicies } from './aws-managed-policies.js';
import type { ControlPlaneEnv } from './context.js';
import { iamArn } from './iam-arns.js';

export const ADMIN_USER_NAME = 'admin';
const KEY_CHECK = { kind: 'meta', id: 'master-key-check', plaintext: 'gatehouse master key check' };

export class WrongMasterKeyError extends Error {
  override name = 'WrongMasterKeyError';
}

export interface BootstrapResult {
  accountId: string;
  /** Present only on the very first start: the administrator's new credentials. */
  admin?: { userName: string; arn: string; accessKeyId: string; secretAccessKey: string };
}

export async function bootstrap(env: ControlPlaneEnv, options: { accountId?: string } = {}): Promise<BootstrapResult> {
  const { result } = await env.store.write(async (tx) => {
    const check = await tx.get<{ sealed: string }>(KEY_CHECK.kind, KEY_CHECK.id);
    if (check) {
      try {
        open(env.secretsKey, check.data.sealed, KEY_CHECK.id);
      } catch {
        throw new WrongMasterKeyError('the master key does not open this store (wrong GATEHOUSE_MASTER_KEY or master.key?)');
      }
    }
    for (const policy of awsManagedPolicies(env.partition)) {
      const id = entityId('aws', policy.policyName);
      const existing = await tx.get<ManagedPolicyEntity>(KIND.policy, id);
      const next = existing ? { ...policy, attachmentCount: existing.data.attachmentCount, permissionsBoundaryUsageCount: existing.data.permissionsBoundaryUsageCount } : policy;
      if (!existing || JSON.stringify(existing.data) !== JSON.stringify(next)) await tx.put(KIND.policy, id, 'aws', next);
    }
    const accounts = await tx.list<AccountEntity>(KIND.account, { limit: 1 });
    if (accounts.items.length) return { accountId: accounts.items[0].data.accountId };

    const now = env.now();
    const accountId = options.accountId ?? newAccountId(env.random);
    await tx.put(KEY_CHECK.kind, KEY_CHECK.id, '', { sealed: seal(env.secretsKey, KEY_CHECK.plaintext, KEY_CHECK.id) });
    const account: AccountEntity = { accountId, managementAccount: true, createDate: now.toISOString() };
    await tx.put(KIND.account, accountId, accountId, account);
    const adminPolicy = `arn:${env.partition}:iam::aws:policy/AdministratorAccess`;
    const user: UserEntity = {
      userName: ADMIN_USER_NAME,
      userId: newUniqueId(ID_PREFIX.user, env.random),
      path: '/',
      arn: iamArn(env.partition, accountId, 'user', '/', ADMIN_USER_NAME),
      createDate: now.toISOString(),
      tags: [],
      attachedPolicies: [adminPolicy],
      inlinePolicies: {},
      groups: [],
      accessKeys: [],
      mfaDevices: [],
    };
    const key = await issueAccessKey(tx, env, accountId, user, now);
    await tx.put(KIND.user, entityId(accountId, user.userName), accountId, user);
    const policy = await tx.get<ManagedPolicyEntity>(KIND.policy, entityId('aws', 'AdministratorAccess'));
    if (policy) await tx.put(KIND.policy, policy.id, 'aws', { ...policy.data, attachmentCount: policy.data.attachmentCount + 1 });
    return { accountId, admin: { userName: user.userName, arn: user.arn, accessKeyId: key.entity.accessKeyId, secretAccessKey: key.secretAccessKey } };
  });
  return result;
}
