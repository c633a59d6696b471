/**
 * Rules on whom a trust or resource policy admits: anyone (TRUST-ANY-PRINCIPAL, EXP-PUBLIC),
 * another account (TRUST-CROSS-ACCOUNT), an OIDC provider's every user (TRUST-OIDC), or an AWS
 * service acting for any customer (RISK-CONFUSED-DEPUTY).
 */
import { parseArn } from '../../core/arn.js';
import type { LintRule, NormalizedStatement } from './lint-types.js';
import { restrictingKey } from './rules-security.js';
import { conditionPath, patternMatches, principalPath, statementCoversAction } from './statement-helpers.js';

function principalsOfType(stmt: NormalizedStatement, type: string): string[] {
  const p = stmt.principal;
  if (!p || p === '*') return [];
  for (const [t, values] of Object.entries(p)) if (t.toLowerCase() === type.toLowerCase()) return values;
  return [];
}

/** The raw spelling of a principal type key (`AWS`), for paths. */
function principalTypeKey(stmt: NormalizedStatement, type: string): string {
  const p = stmt.principal;
  if (p && p !== '*') for (const t of Object.keys(p)) if (t.toLowerCase() === type.toLowerCase()) return t;
  return type;
}

/** Paths of the `*` principals of a statement: `"Principal": "*"` or `{"AWS": "*"}` entries. */
function anyPrincipalPaths(stmt: NormalizedStatement): string[] {
  if (stmt.principal === '*') return [principalPath(stmt, 'Principal')];
  const key = principalTypeKey(stmt, 'AWS');
  const out: string[] = [];
  principalsOfType(stmt, 'AWS').forEach((v, i) => {
    if (v === '*') out.push(principalPath(stmt, 'Principal', key, i));
  });
  return out;
}

function conditionKeyNames(stmt: NormalizedStatement): string[] {
  const out = new Set<string>();
  for (const block of Object.values(stmt.condition ?? {})) for (const k of Object.keys(block)) out.add(k);
  return [...out];
}

const lowerSet = (keys: readonly string[]) => new Set(keys.map((k) => k.toLowerCase()));

// --- TRUST-ANY-PRINCIPAL -------------------------------------------------------------------------

/**
 * Trust policies only: in a resource policy the same `*` is judged by EXP-PUBLIC, which knows
 * which conditions make it private (one finding per problem, not two).
 */
export const TRUST_ANY_PRINCIPAL: LintRule = {
  id: 'TRUST-ANY-PRINCIPAL',
  severity: 'security',
  title: 'Role assumable by any principal (`*`)',
  kinds: ['trust'],
  check(ctx) {
    for (const stmt of ctx.statements) {
      if (stmt.effect !== 'Allow') continue;
      const keys = conditionKeyNames(stmt);
      for (const path of anyPrincipalPaths(stmt)) {
        ctx.report({
          id: 'TRUST-ANY-PRINCIPAL',
          severity: 'security',
          path,
          message:
            keys.length === 0
              ? 'Any principal of any AWS account can assume this role: nothing restricts who. Name the accounts or roles that need it.'
              : `Any principal of any AWS account can assume this role, restricted only by its conditions on ${keys.join(', ')}. Check that they pin the caller (aws:PrincipalOrgID, aws:PrincipalArn, sts:ExternalId...), or name the principals instead.`,
        });
      }
    }
  },
};

// --- TRUST-CROSS-ACCOUNT -----------------------------------------------------------------------

function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  const arn = parseArn(principal);
  return arn && /^\d{12}$/.test(arn.account) ? arn.account : undefined;
}

export const TRUST_CROSS_ACCOUNT: LintRule = {
  id: 'TRUST-CROSS-ACCOUNT',
  severity: 'warning',
  title: 'Principals from another AWS account are allowed',
  kinds: ['trust', 'resource'],
  check(ctx) {
    const own = ctx.accountId;
    if (!own) return; // without the policy's account there is no "other" account
    for (const stmt of ctx.statements) {
      if (stmt.effect !== 'Allow') continue;
      const key = principalTypeKey(stmt, 'AWS');
      const keys = conditionKeyNames(stmt);
      principalsOfType(stmt, 'AWS').forEach((value, i) => {
        const account = accountOf(value);
        if (!account || account === own) return;
        const what = ctx.kind === 'trust' ? 'can assume this role' : 'is allowed by this policy';
        const cond = keys.length > 0 ? ` (under conditions on ${keys.join(', ')})` : '';
        ctx.report({
          id: 'TRUST-CROSS-ACCOUNT',
          severity: 'warning',
          path: principalPath(stmt, 'Principal', key, i),
          message: `${value === account ? `Account ${account}` : `${value}, of account ${account},`} ${what}${cond}; this policy belongs to account ${own}. Check that the account is yours or a trusted partner's${ctx.kind === 'trust' ? ', and for a third party require sts:ExternalId' : ''}.`,
        });
      });
    }
  },
};

// --- TRUST-OIDC ----------------------------------------------------------------------------------

interface OidcKeys {
  /** Keys that pin the audience (the app / client id). */
  aud: string[];
  /** Keys that pin the identity (subject), or for Cognito the authentication kind. */
  sub: string[];
}

/** The built-in web identity providers, whose condition keys are not `<host>:aud` / `<host>:sub` for all. */
const WEB_IDENTITY_PROVIDERS: Record<string, OidcKeys> = {
  // AWS-COMPAT: Cognito's documented trust policy pins the identity pool (aud) and authenticated
  // users (amr), not one identity: amr stands in for sub.
  'cognito-identity.amazonaws.com': { aud: ['aud'], sub: ['sub', 'amr'] },
  'accounts.google.com': { aud: ['aud', 'oaud'], sub: ['sub'] },
  'graph.facebook.com': { aud: ['app_id'], sub: ['id'] },
  'www.amazon.com': { aud: ['app_id'], sub: ['user_id'] },
};

const GITHUB = 'token.actions.githubusercontent.com';

/** The provider host of a Federated principal, if it is an OIDC provider (SAML providers are not). */
function oidcHost(federated: string): string | undefined {
  const lower = federated.toLowerCase();
  if (WEB_IDENTITY_PROVIDERS[lower]) return lower;
  const arn = parseArn(federated);
  if (arn && arn.service === 'iam' && arn.resource.startsWith('oidc-provider/')) return arn.resource.slice('oidc-provider/'.length);
  return undefined;
}

/**
 * A GitHub `sub` value that admits every repository: `*`, `repo:*`, or a wildcard in the owner part
 * (`repo:*` then `/app`, or `repo:octo*`). AWS-COMPAT: IAM refuses new GitHub trust policies without a sub
 * condition; a wildcard owner passes that check and still admits any GitHub user.
 */
function isAnyRepoSubject(value: string): boolean {
  if (/^[*?]+/.test(value)) return true;
  if (!value.toLowerCase().startsWith('repo:')) return false;
  const owner = value.slice(5).split('/')[0];
  return owner === '' || /[*?]/.test(owner);
}

export const TRUST_OIDC: LintRule = {
  id: 'TRUST-OIDC',
  severity: 'security',
  title: 'OIDC (web identity) trust without conditions on the audience and the subject',
  kinds: ['trust'],
  check(ctx) {
    for (const stmt of ctx.statements) {
      if (stmt.effect !== 'Allow' || !statementCoversAction(stmt, 'sts:AssumeRoleWithWebIdentity')) continue;
      const fedKey = principalTypeKey(stmt, 'Federated');
      principalsOfType(stmt, 'Federated').forEach((value, i) => {
        const host = oidcHost(value);
        if (!host) return;
        const keys = WEB_IDENTITY_PROVIDERS[host] ?? { aud: ['aud'], sub: ['sub'] };
        const audKeys = keys.aud.map((k) => `${host}:${k}`);
        const subKeys = keys.sub.map((k) => `${host}:${k}`);
        const missing: string[] = [];
        if (!restrictingKey(stmt, lowerSet(audKeys))) missing.push(audKeys[0]);
        const subKey = restrictingKey(stmt, lowerSet(subKeys));
        if (!subKey) missing.push(subKeys[0]);
        const path = principalPath(stmt, 'Principal', fedKey, i);
        if (missing.length > 0) {
          ctx.report({
            id: 'TRUST-OIDC',
            severity: 'security',
            path,
            message: `Any identity that ${host} issues a token to can assume this role: no condition on ${missing.join(' or ')}. Pin the audience and the subject${host === GITHUB ? ' (repo:OWNER/REPO:ref:refs/heads/BRANCH)' : ''}.`,
          });
          return;
        }
        if (host !== GITHUB || !subKey) return;
        // GitHub: a pinned sub can still admit every repository.
        for (const [operator, block] of Object.entries(stmt.condition ?? {})) {
          for (const [key, values] of Object.entries(block)) {
            if (key.toLowerCase() !== `${GITHUB}:sub`) continue;
            values.forEach((v, j) => {
              if (!isAnyRepoSubject(v)) return;
              ctx.report({
                id: 'TRUST-OIDC',
                severity: 'security',
                path: conditionPath(stmt, operator, key, j),
                message: `"${v}" lets a workflow of any GitHub repository assume this role. Name the owner and repository (repo:OWNER/REPO:...).`,
              });
            });
          }
        }
      });
    }
  },
};

// --- EXP-PUBLIC ----------------------------------------------------------------------------------

/**
 * Keys that, pinned by a restricting operator, make a `Principal: "*"` statement private: they name
 * the calling account, organization, principal, network or source resource. Keys that any caller
 * can satisfy (aws:SecureTransport, aws:UserAgent, kms:ViaService...) are not on the list.
 */
const NARROWING_KEYS = lowerSet([
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths',
  'aws:PrincipalServiceName',
  'aws:userid',
  'aws:username',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:SourceOwner',
  'aws:SourceOrgID',
  'aws:SourceOrgPaths',
  'aws:SourceVpc',
  'aws:SourceVpce',
  'aws:SourceIp',
  'aws:VpcSourceIp',
  'aws:VpceAccount',
  'aws:VpceOrgID',
  'aws:VpceOrgPaths',
  'kms:CallerAccount',
  's3:DataAccessPointAccount',
  's3:DataAccessPointArn',
]);

/**
 * True when another statement denies every principal outside a pinned account, organization or
 * network for all of this statement's actions: k9's "DenyEveryoneElse", which makes an
 * `Allow *` private.
 */
function deniedToEveryoneElse(allow: NormalizedStatement, statements: readonly NormalizedStatement[]): boolean {
  return statements.some((d) => {
    if (d.effect !== 'Deny' || anyPrincipalPaths(d).length === 0) return false;
    const negated = Object.entries(d.condition ?? {}).some(([op, block]) => {
      const o = op.toLowerCase();
      if (o.endsWith('ifexists') || o.startsWith('for') || !(o.includes('not') && o !== 'null')) return false;
      return Object.keys(block).some((k) => NARROWING_KEYS.has(k.toLowerCase()));
    });
    if (!negated) return false;
    if (!allow.action) return d.action?.includes('*') ?? false;
    return allow.action.every((a) => d.action?.some((p) => patternMatches(p, a)) ?? false);
  });
}

export const EXP_PUBLIC: LintRule = {
  id: 'EXP-PUBLIC',
  severity: 'security',
  title: 'Resource policy grants access to anyone',
  kinds: ['resource'],
  check(ctx) {
    for (const stmt of ctx.statements) {
      if (stmt.effect !== 'Allow') continue;
      const paths = anyPrincipalPaths(stmt);
      if (paths.length === 0 || restrictingKey(stmt, NARROWING_KEYS)) continue;
      if (deniedToEveryoneElse(stmt, ctx.statements)) continue;
      const actions = stmt.action ? stmt.action.join(', ') : 'every action but those in NotAction';
      const keys = conditionKeyNames(stmt);
      const cond = keys.length > 0 ? ` Its conditions (${keys.join(', ')}) do not limit the caller's account, organization or network.` : '';
      for (const path of paths) {
        ctx.report({
          id: 'EXP-PUBLIC',
          severity: 'security',
          path,
          message: `Public: any principal of any AWS account, and anonymous callers where the service allows them, is allowed ${actions}.${cond} Name the principals, or add a condition on aws:PrincipalOrgID, aws:SourceAccount or aws:SourceVpce.`,
        });
      }
    }
  },
};

// --- RISK-CONFUSED-DEPUTY ------------------------------------------------------------------------

const SOURCE_KEYS = lowerSet(['aws:SourceArn', 'aws:SourceAccount', 'aws:SourceOrgID', 'aws:SourceOrgPaths', 'aws:SourceOwner']);

/**
 * Services that receive a role only through iam:PassRole from a principal of the role's own
 * account, and whose AssumeRole calls carry no source key: their execution-role trust policies
 * cannot (and need not) name a source. DIVERGENCE: Access Analyzer does not check trust policies
 * at all; we do, except for these.
 */
const PASSROLE_ONLY_SERVICES = new Set(['ec2.amazonaws.com', 'lambda.amazonaws.com', 'edgelambda.amazonaws.com']);

export const RISK_CONFUSED_DEPUTY: LintRule = {
  id: 'RISK-CONFUSED-DEPUTY',
  severity: 'security',
  title: 'Service principal allowed without aws:SourceArn / aws:SourceAccount (confused deputy)',
  kinds: ['resource', 'trust'],
  check(ctx) {
    for (const stmt of ctx.statements) {
      if (stmt.effect !== 'Allow') continue;
      const services = principalsOfType(stmt, 'Service');
      const exposed = ctx.kind === 'trust' ? services.filter((s) => !PASSROLE_ONLY_SERVICES.has(s.toLowerCase())) : services;
      if (exposed.length === 0 || restrictingKey(stmt, SOURCE_KEYS)) continue;
      const key = principalTypeKey(stmt, 'Service');
      const path = exposed.length === 1 ? principalPath(stmt, 'Principal', key, services.indexOf(exposed[0])) : principalPath(stmt, 'Principal', key);
      const what = ctx.kind === 'trust' ? 'assume this role' : 'use this resource';
      ctx.report({
        id: 'RISK-CONFUSED-DEPUTY',
        severity: 'security',
        path,
        message: `${exposed.join(', ')} can ${what} on behalf of any AWS customer: no condition on aws:SourceArn, aws:SourceAccount or aws:SourceOrgID. Another account could point its own ${exposed.length === 1 ? 'resource' : 'resources'} of that service here (confused deputy).`,
      });
    }
  },
};

export const TRUST_RULES: LintRule[] = [TRUST_ANY_PRINCIPAL, TRUST_CROSS_ACCOUNT, TRUST_OIDC, EXP_PUBLIC, RISK_CONFUSED_DEPUTY];
