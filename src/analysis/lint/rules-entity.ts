/**
 * REF-ENTITY: IAM users, roles, groups, policies and identity providers that a policy names and
 * that do not exist. Only the caller's resolver knows (the live store, or an imported account);
 * without one, or when it cannot tell, the rule says nothing.
 */
import { parseArn } from '../../core/arn.js';
import type { EntityResolver, LintRule, LintSeverity, NormalizedStatement } from './lint-types.js';
import { elementPath, principalPath, quote } from './statement-helpers.js';

type EntityKind = Parameters<EntityResolver['exists']>[0];

const KIND_BY_PREFIX: readonly [string, EntityKind, string][] = [
  ['user/', 'user', 'user'],
  ['role/', 'role', 'role'],
  ['group/', 'group', 'group'],
  ['policy/', 'policy', 'managed policy'],
  ['oidc-provider/', 'oidc-provider', 'OIDC identity provider'],
  ['saml-provider/', 'saml-provider', 'SAML identity provider'],
];

/** The entity an IAM ARN names, when it names one exactly (no wildcards or variables). */
function entityOf(value: string, accountId: string | undefined): { kind: EntityKind; noun: string } | undefined {
  if (value.includes('*') || value.includes('?') || value.includes('${')) return undefined;
  const arn = parseArn(value);
  if (!arn || arn.service !== 'iam') return undefined;
  // AWS-managed policies (account `aws`) and other accounts' entities are not ours to judge.
  if (accountId !== undefined && arn.account !== accountId) return undefined;
  if (!/^\d{12}$/.test(arn.account)) return undefined;
  for (const [prefix, kind, noun] of KIND_BY_PREFIX) {
    if (arn.resource.startsWith(prefix) && arn.resource.length > prefix.length) return { kind, noun };
  }
  return undefined;
}

function* references(stmt: NormalizedStatement): Generator<{ value: string; path: string; principal: boolean }> {
  for (const element of ['Resource', 'NotResource'] as const) {
    const list = element === 'Resource' ? stmt.resource : stmt.notResource;
    for (let i = 0; i < (list?.length ?? 0); i++) yield { value: list![i], path: elementPath(stmt, element, i), principal: false };
  }
  for (const element of ['Principal', 'NotPrincipal'] as const) {
    const p = element === 'Principal' ? stmt.principal : stmt.notPrincipal;
    if (!p || p === '*') continue;
    for (const type of ['AWS', 'Federated']) {
      const values = Object.prototype.hasOwnProperty.call(p, type) ? p[type] : undefined;
      for (let i = 0; i < (values?.length ?? 0); i++) yield { value: values![i], path: principalPath(stmt, element, type, i), principal: true };
    }
  }
}

export const REF_ENTITY: LintRule = {
  id: 'REF-ENTITY',
  severity: 'warning',
  title: 'Reference to an IAM entity that does not exist',
  kinds: ['identity', 'resource', 'trust', 'boundary', 'scp', 'session'],
  check(ctx) {
    const resolver = ctx.resolver;
    if (!resolver) return;
    for (const stmt of ctx.statements) {
      for (const ref of references(stmt)) {
        const entity = entityOf(ref.value, ctx.accountId);
        if (!entity) continue;
        let exists: boolean | undefined;
        try {
          exists = resolver.exists(entity.kind, ref.value);
        } catch {
          exists = undefined; // a failing resolver cannot tell: say nothing rather than throw
        }
        if (exists !== false) continue;
        // AWS-COMPAT: IAM refuses a trust or resource policy whose principal does not exist
        // ("Invalid principal in policy"); a missing resource is accepted and matches nothing.
        const severity: LintSeverity = ref.principal ? 'error' : 'warning';
        ctx.report({
          id: 'REF-ENTITY',
          severity,
          path: ref.path,
          message: ref.principal
            ? `The ${entity.noun} ${quote(ref.value)} does not exist; AWS refuses a policy whose principal does not exist.`
            : `The ${entity.noun} ${quote(ref.value)} does not exist, so this entry matches nothing until it is created (and then grants access to whatever gets that name).`,
        });
      }
    }
  },
};

export const ENTITY_RULES: readonly LintRule[] = [REF_ENTITY];
