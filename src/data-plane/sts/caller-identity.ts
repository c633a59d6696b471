/**
 * GetCallerIdentity: who signed the request. AWS-COMPAT: it needs no permission, and an explicit
 * deny of sts:GetCallerIdentity does not stop it ("the same information is returned when access is
 * denied", STS API reference).
 */
import type { Principal } from '../../core/model/principal.js';

export function getCallerIdentity(principal: Principal): { userId: string; account: string; arn: string } {
  return { userId: principal.userId, account: principal.account, arn: principal.arn };
}
