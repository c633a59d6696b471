/**
 * Which STS operations each kind of temporary credentials may call ("Compare AWS STS credentials",
 * IAM User Guide, and each operation's Permissions section in the STS API reference):
 * - AssumeRole sessions: anything but GetFederationToken and GetSessionToken;
 * - GetSessionToken sessions: only AssumeRole and GetCallerIdentity;
 * - GetFederationToken sessions: only GetCallerIdentity.
 * Long-term keys (IAM users, the root user) may call everything; AssumeRole refuses the root user
 * itself (assume-role.ts).
 */
import { awsError } from '../../core/errors/index.js';
import type { Principal } from '../../core/model/principal.js';

const ISSUER_OPERATION = { SessionToken: 'GetSessionToken', FederatedUser: 'GetFederationToken', AssumedRole: 'AssumeRole' } as const;

function allowed(kind: keyof typeof ISSUER_OPERATION, operation: string): boolean {
  if (operation === 'GetCallerIdentity') return true;
  switch (kind) {
    case 'AssumedRole':
      return operation !== 'GetSessionToken' && operation !== 'GetFederationToken';
    case 'SessionToken':
      return operation === 'AssumeRole';
    case 'FederatedUser':
      return false;
  }
}

/** Throws AccessDenied when temporary credentials of the caller's kind may not call `operation`. */
export function checkSessionMayCall(principal: Principal | undefined, operation: string): void {
  const session = principal?.session;
  if (!session || allowed(session.kind, operation)) return;
  // AWS-COMPAT: AWS's wording for these two ("Cannot call GetSessionToken with session credentials").
  if (operation === 'GetSessionToken' || operation === 'GetFederationToken') throw awsError('AccessDenied', `Cannot call ${operation} with session credentials`);
  // DIVERGENCE: AWS documents these refusals but not their wording; ours names the issuing operation.
  throw awsError('AccessDenied', `Cannot call ${operation} with session credentials from ${ISSUER_OPERATION[session.kind]}`);
}
