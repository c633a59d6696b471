/** Long-term access keys: issuing them (the secret is sealed at rest) and opening the secret to verify signatures. */
import { open, seal } from '../core/crypto/index.js';
import { newAccessKeyId, newSecretAccessKey } from '../core/ids.js';
import { KIND, type AccessKeyEntity, type UserEntity } from '../core/model/iam-entities.js';
import type { WriteTx } from '../store/ports.js';
import type { ControlPlaneEnv } from './context.js';

/** Creates an access key for `user` (the caller saves the user with the new key id). */
export async function issueAccessKey(tx: WriteTx, env: ControlPlaneEnv, account: string, user: UserEntity, now: Date): Promise<{ entity: AccessKeyEntity; secretAccessKey: string }> {
  const accessKeyId = newAccessKeyId('AKIA', env.random);
  const secretAccessKey = newSecretAccessKey(env.random);
  const entity: AccessKeyEntity = {
    accessKeyId,
    userKey: user.userName.toLowerCase(),
    userName: user.userName,
    status: 'Active',
    createDate: now.toISOString(),
    sealedSecret: seal(env.secretsKey, secretAccessKey, accessKeyId),
  };
  await tx.put(KIND.accessKey, accessKeyId, account, entity);
  user.accessKeys.push(accessKeyId);
  return { entity, secretAccessKey };
}

export function openSecret(env: ControlPlaneEnv, key: AccessKeyEntity): string {
  return open(env.secretsKey, key.sealedSecret, key.accessKeyId);
}
