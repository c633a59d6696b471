/**
 * An EntityResolver over an account model (an imported `get-account-authorization-details`
 * document, or the live store's export): users, groups, roles and customer managed policies of
 * that account. It cannot tell for identity providers (the export does not list them) or for
 * other accounts, and says so with `undefined`.
 */
import type { AccountModel } from '../account/index.js';
import type { EntityResolver } from './lint-types.js';

export function accountResolver(model: AccountModel): EntityResolver {
  const lower = (arns: Iterable<string>): Set<string> => new Set([...arns].map((a) => a.toLowerCase()));
  const sets = {
    user: lower(model.users.map((u) => u.arn)),
    group: lower(model.groups.map((g) => g.arn)),
    role: lower(model.roles.map((r) => r.arn)),
    policy: lower(model.policies.keys()),
  };
  return {
    exists(kind, arn) {
      const account = arn.split(':')[4];
      if (account !== model.accountId) return undefined;
      if (kind === 'oidc-provider' || kind === 'saml-provider') return undefined;
      // AWS-COMPAT: IAM names are unique case-insensitively, so a differently-cased ARN names the same entity.
      return sets[kind].has(arn.toLowerCase());
    },
  };
}
