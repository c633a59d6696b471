/**
 * STS operations whose identity providers Gatehouse does not have yet, and those it does not offer.
 *
 * AssumeRoleWithWebIdentity and AssumeRoleWithSAML arrive with OIDC and SAML providers (a later
 * issue). Until then no account has a provider, and they answer what AWS answers for a provider
 * that does not exist. Like AWS, they are called without AWS credentials.
 */
import { awsError } from '../../core/errors/index.js';
import { str } from './sts-context.js';

/** The `iss` claim of a JWT, without verifying it (only to name the provider in the error). */
function issuer(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const iss = payload && typeof payload === 'object' ? (payload as { iss?: unknown }).iss : undefined;
    return typeof iss === 'string' && iss.length > 0 && iss.length <= 2048 ? iss : undefined;
  } catch {
    return undefined;
  }
}

export function assumeRoleWithWebIdentity(input: Record<string, unknown>): never {
  const iss = issuer(str(input, 'webIdentityToken') ?? '');
  // DIVERGENCE: AWS's wording for a token that is not a JWT is not documented.
  if (iss === undefined) throw awsError('InvalidIdentityToken', 'The web identity token is not a valid JWT.');
  // AWS-COMPAT: AWS's answer when the account has no OIDC provider for the token's issuer
  // (InvalidIdentityToken, HTTP 400), as quoted in many public reports.
  throw awsError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${iss}`);
}

export function assumeRoleWithSaml(): never {
  // AWS-COMPAT: AWS's answer for a PrincipalArn that names no SAML provider (observed against AWS
  // by jenkinsci/pipeline-aws-plugin's tests).
  throw awsError('InvalidIdentityToken', "Specified provider doesn't exist");
}

/** DIVERGENCE: operations Gatehouse does not offer; each answers with a clear error of its own. */
export function unsupported(operation: string): never {
  switch (operation) {
    case 'GetWebIdentityToken':
      // AWS's own answer when outbound web identity federation is not enabled, which it never is here.
      throw awsError(
        'OutboundWebIdentityFederationDisabledException',
        'The outbound web identity federation feature is not enabled for this account. Gatehouse does not issue web identity tokens.',
      );
    case 'AssumeRoot':
      throw awsError('InvalidAction', 'AssumeRoot is not supported by Gatehouse: it needs AWS Organizations centralized root access, which Gatehouse does not have.');
    default:
      throw awsError('InvalidAction', `${operation} is not supported by Gatehouse.`);
  }
}
