/**
 * Access keys' last use, in its own record kind (`access-key-usage`, id = the key id) rather than
 * on the key: usage is written every few seconds of use, and a write to the key record would be a
 * key change that the replication feed sends (derived keys and all) to every region. The usage
 * kind is not replicated; regions do not need it.
 */
import { KIND, type AccessKeyEntity, type AccessKeyUsageEntity } from '../core/model/iam-entities.js';
import type { ReadTx, WriteTx } from '../store/ports.js';

/** The key's last use, or undefined when it was never used. */
export async function keyLastUsed(tx: ReadTx, key: AccessKeyEntity): Promise<AccessKeyUsageEntity | undefined> {
  const rec = await tx.get<AccessKeyUsageEntity>(KIND.accessKeyUsage, key.accessKeyId);
  // Stores written before the usage kind existed kept it on the key: read it there, so no
  // migration is needed. A usage record is always newer (nothing writes the old field now).
  return rec?.data ?? key.lastUsed;
}

/** Records a use of an existing key (one of `account`). */
export async function saveKeyUsage(tx: WriteTx, account: string, accessKeyId: string, usage: AccessKeyUsageEntity): Promise<void> {
  await tx.put(KIND.accessKeyUsage, accessKeyId, account, usage);
}

/** Forgets a key's usage: call in the unit of work that deletes the key. */
export async function deleteKeyUsage(tx: WriteTx, accessKeyId: string): Promise<void> {
  await tx.delete(KIND.accessKeyUsage, accessKeyId);
}
