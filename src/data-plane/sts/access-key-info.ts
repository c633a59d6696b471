/**
 * GetAccessKeyInfo: the account an access key id belongs to. Temporary (`ASIA…`) ids carry their
 * account (core/ids.ts), so any region answers for any session without a lookup; long-term
 * (`AKIA…`) ids are looked up in the replica. It needs `sts:GetAccessKeyInfo` (an action of the
 * Service Authorization Reference, Resource `*`). It says nothing of the key's state.
 */
import { awsError } from '../../core/errors/index.js';
import { accountOfTemporaryAccessKeyId, ID_PREFIX } from '../../core/ids.js';
import type { Principal } from '../../core/model/principal.js';
import { authorize, callerContext, str, type StsContext } from './sts-context.js';

export function getAccessKeyInfo(ctx: StsContext, input: Record<string, unknown>, caller: Principal): { account: string } {
  authorize(caller, 'sts:GetAccessKeyInfo', '*', callerContext(ctx, caller), ctx.view.policySets(caller));
  const accessKeyId = str(input, 'accessKeyId') ?? '';
  const account = accessKeyId.startsWith(ID_PREFIX.temporaryAccessKey) ? accountOfTemporaryAccessKeyId(accessKeyId) : ctx.view.accessKeyAccount(accessKeyId);
  // DIVERGENCE: AWS documents only that a deleted key "might return an error that the key doesn't
  // exist"; its code and wording are not documented. A deleted key is unknown here too.
  if (account === undefined) throw awsError('InvalidParameterValue', `The access key ID ${accessKeyId} does not exist in our records.`);
  return { account };
}
