/**
 * Security-warning and over-permission rules on what a statement grants: Allow with a Not*
 * element, PassRole and CreateServiceLinkedRole without their guard keys, service wildcards,
 * `Resource: "*"` where resources could be named, and administrator access.
 */
import { actionsOfService, globToRegExp } from '../../core/catalog/index.js';
import type { PolicyKind } from '../../core/policy/index.js';
import type { LintFinding, LintRule, NormalizedStatement } from './lint-types.js';
import { actionsByTrait } from './risk-actions.js';
import { DETAIL_LIST_CAP, GRANTING_KINDS, MESSAGE_LIST_CAP, listWithMore } from './rules-risk.js';
import { actionsOfStatement, elementPath, expandPatternCached, patternMatches, principalPath, statementCoversAction } from './statement-helpers.js';
import { MemoTable } from '../../core/memo-table.js';

/**
 * Where IAM Access Analyzer checks these patterns: identity-shaped policies (it validates
 * boundaries and session policies as identity policies). A NotAction/NotResource in a boundary
 * silently lets future actions through the boundary, so the pattern checks keep it.
 */
const IDENTITY_SHAPED: readonly PolicyKind[] = ['identity', 'boundary', 'session'];

/** Operators that do not require the key to hold a given value (they pass when it is absent or different). */
function isRestrictingOperator(operator: string): boolean {
  const op = operator.toLowerCase();
  if (op.startsWith('forallvalues:')) return false; // vacuously true when the key is missing
  if (op.endsWith('ifexists')) return false;
  const base = op.startsWith('foranyvalue:') ? op.slice('foranyvalue:'.length) : op;
  return base !== 'null' && !base.includes('not');
}

/**
 * The first of `keys` (lowercase) that a restricting operator of the statement pins to some value
 * other than a bare wildcard; undefined when none is.
 */
export function restrictingKey(stmt: NormalizedStatement, keys: ReadonlySet<string>): string | undefined {
  for (const [operator, block] of Object.entries(stmt.condition ?? {})) {
    if (!isRestrictingOperator(operator)) continue;
    for (const [key, values] of Object.entries(block)) {
      if (!keys.has(key.toLowerCase())) continue;
      if (values.some((v) => !/^[*?]*$/.test(v))) return key;
    }
  }
  return undefined;
}

/** The condition keys a statement tests, as written (for messages). */
function conditionKeyNames(stmt: NormalizedStatement): string[] {
  const out = new Set<string>();
  for (const block of Object.values(stmt.condition ?? {})) for (const k of Object.keys(block)) out.add(k);
  return [...out];
}

/** How the statement reaches `action`: the first Action pattern that covers it, or its NotAction. */
function grantedThrough(stmt: NormalizedStatement, action: string): string {
  if (stmt.notAction) return 'NotAction';
  const p = stmt.action?.find((x) => patternMatches(x, action));
  return p === undefined || p.toLowerCase() === action.toLowerCase() ? action : `"${p}"`;
}

// --- Allow with a Not* element ---------------------------------------------------------------

export const PAT_ALLOW_NOTACTION: LintRule = {
  id: 'PAT-ALLOW-NOTACTION',
  severity: 'security',
  title: 'Allow with NotAction grants every other action, including ones AWS adds later',
  kinds: [...IDENTITY_SHAPED, 'resource', 'trust'],
  check(ctx) {
    for (const stmt of ctx.statements) {
      if (stmt.effect !== 'Allow' || !stmt.notAction) continue;
      const count = actionsOfStatement(stmt).length;
      ctx.report({
        id: 'PAT-ALLOW-NOTACTION',
        severity: 'security',
        path: elementPath(stmt, 'NotAction'),
        message: `Allow with NotAction grants every action not listed: ${count} actions today, and every action AWS adds later. List the actions to allow with Action instead.`,
      });
    }
  },
};

export const PAT_ALLOW_NOTRESOURCE: LintRule = {
  id: 'PAT-ALLOW-NOTRESOURCE',
  severity: 'security',
  title: 'Allow with NotResource grants every other resource, including ones created later',
  kinds: [...IDENTITY_SHAPED, 'resource'],
  check(ctx) {
    for (const stmt of ctx.statements) {
      if (stmt.effect !== 'Allow' || !stmt.notResource) continue;
      ctx.report({
        id: 'PAT-ALLOW-NOTRESOURCE',
        severity: 'security',
        path: elementPath(stmt, 'NotResource'),
        message: 'Allow with NotResource grants the actions on every resource not listed, in every account, including resources created later. List the resources to allow with Resource instead.',
      });
    }
  },
};

export const PAT_ALLOW_NOTPRINCIPAL: LintRule = {
  id: 'PAT-ALLOW-NOTPRINCIPAL',
  severity: 'security',
  title: 'Allow with NotPrincipal grants every other principal, anonymous callers included',
  kinds: ['resource', 'trust'],
  check(ctx) {
    for (const stmt of ctx.statements) {
      if (stmt.effect !== 'Allow' || stmt.raw.NotPrincipal === undefined) continue;
      ctx.report({
        id: 'PAT-ALLOW-NOTPRINCIPAL',
        severity: 'security',
        path: principalPath(stmt, 'NotPrincipal'),
        message: 'Allow with NotPrincipal grants access to every principal not listed, in every account, and to anonymous callers. Name the principals to allow with Principal instead.',
      });
    }
  },
};

// --- PassRole and CreateServiceLinkedRole ----------------------------------------------------

/** Role names (the resource part of a role ARN) that stand for "any role" of their kind. */
const ANY_ROLE = ['role/gatehouse-probe', 'role/service-role/gatehouse-probe'];
const ANY_SERVICE_LINKED_ROLE = ['role/aws-service-role/probe.amazonaws.com/AWSServiceRoleForProbe'];

/**
 * True when a Resource entry covers every role of `probes`' kind in an account: `*`,
 * `arn:aws:iam::*:*`, `arn:aws:iam::111122223333:role/*`... (whatever the account, which names a
 * trust boundary rather than a role).
 */
function coversEveryRole(resource: string, probes: readonly string[]): boolean {
  if (resource === '*') return true;
  const parts = resource.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return false;
  const service = parts[2];
  if (service !== 'iam' && !/[*?]/.test(service)) return false;
  const re = globToRegExp(parts.slice(5).join(':'));
  return probes.every((p) => re.test(p));
}

/** The path of the first Resource entry that covers every role, or of NotResource. */
function broadRolePath(stmt: NormalizedStatement, probes: readonly string[]): string | undefined {
  if (stmt.notResource) return elementPath(stmt, 'NotResource');
  const i = stmt.resource?.findIndex((r) => coversEveryRole(r, probes)) ?? -1;
  return i >= 0 ? elementPath(stmt, 'Resource', i) : undefined;
}

function guardedRoleActionRule(spec: { id: string; action: string; guardKey: string; probes: readonly string[]; title: string; risk: string }): LintRule {
  const guard = new Set([spec.guardKey.toLowerCase()]);
  return {
    id: spec.id,
    severity: 'security',
    title: spec.title,
    kinds: IDENTITY_SHAPED,
    check(ctx) {
      for (const stmt of ctx.statements) {
        if (stmt.effect !== 'Allow' || !statementCoversAction(stmt, spec.action)) continue;
        const path = broadRolePath(stmt, spec.probes);
        if (!path || restrictingKey(stmt, guard)) continue;
        const through = grantedThrough(stmt, spec.action);
        const via = through === spec.action ? '' : ` (through ${through})`;
        const scope = stmt.notResource ? 'every role not in NotResource' : 'every role';
        ctx.report({
          id: spec.id,
          severity: 'security',
          path,
          message: `Allows ${spec.action}${via} on ${scope} without a condition on ${spec.guardKey}: ${spec.risk}`,
        });
      }
    },
  };
}

export const OVR_PASSROLE = guardedRoleActionRule({
  id: 'OVR-PASSROLE',
  action: 'iam:PassRole',
  guardKey: 'iam:PassedToService',
  probes: ANY_ROLE,
  title: 'iam:PassRole on every role without iam:PassedToService',
  risk: 'the principal can hand any role, an administrator role included, to any service that runs its code. Name the roles, and limit the services with iam:PassedToService.',
});

export const OVR_CREATE_SLR = guardedRoleActionRule({
  id: 'OVR-CREATE-SLR',
  action: 'iam:CreateServiceLinkedRole',
  guardKey: 'iam:AWSServiceName',
  probes: ANY_SERVICE_LINKED_ROLE,
  title: 'iam:CreateServiceLinkedRole on every role without iam:AWSServiceName',
  risk: 'the principal can create the service-linked role of any service. Limit the services with iam:AWSServiceName.',
});

// --- Administrator access, service wildcards, Resource "*" --------------------------------------

let iamActionCount = 0;
const coversAllIam = new MemoTable<string, boolean>(20000);

/** True when one Action pattern covers every IAM action (`*`, `iam:*`, `*:*`, `i*`...). */
function patternCoversAllIam(pattern: string): boolean {
  return coversAllIam.get(pattern.toLowerCase(), () => {
    if (iamActionCount === 0) iamActionCount = actionsOfService('iam').length;
    return iamActionCount > 0 && expandPatternCached(pattern).filter((a) => a.startsWith('iam:')).length === iamActionCount;
  });
}

/**
 * How a statement grants administrator access, if it does: `*` (every action), or every IAM
 * action (a holder can grant itself anything). Returns the path of the element and a description.
 */
function adminGrant(stmt: NormalizedStatement): { path: string; what: string } | undefined {
  if (stmt.effect !== 'Allow') return undefined;
  if (!stmt.notResource && !stmt.resource?.includes('*')) return undefined;
  if (stmt.action) {
    const all = stmt.action.findIndex((p) => p === '*' || p === '*:*');
    if (all >= 0) return { path: elementPath(stmt, 'Action', all), what: 'every action' };
    const iam = stmt.action.findIndex(patternCoversAllIam);
    if (iam >= 0) return { path: elementPath(stmt, 'Action', iam), what: `every IAM action ("${stmt.action[iam]}"), so it can grant itself any permission` };
    return undefined;
  }
  if (stmt.notAction && !stmt.notAction.some((p) => expandPatternCached(p).some((a) => a.startsWith('iam:')))) {
    return { path: elementPath(stmt, 'NotAction'), what: 'every IAM action (NotAction leaves them all in), so it can grant itself any permission' };
  }
  return undefined;
}

export const OVR_ADMIN: LintRule = {
  id: 'OVR-ADMIN',
  severity: 'security',
  title: 'Administrator access: every action, or every IAM action, on every resource',
  kinds: GRANTING_KINDS,
  check(ctx) {
    for (const stmt of ctx.statements) {
      const grant = adminGrant(stmt);
      if (!grant) continue;
      const keys = conditionKeyNames(stmt);
      const cond = keys.length > 0 ? ` It applies only under conditions on ${keys.join(', ')}, which rarely limit what an administrator can do.` : '';
      ctx.report({
        id: 'OVR-ADMIN',
        severity: 'security',
        path: grant.path,
        message: `Grants ${grant.what} on every resource: full administrator access.${cond} Grant the actions the workload needs.`,
      });
    }
  },
};

const SERVICE_WILDCARD = /^([A-Za-z0-9-]+):\*$/;

export const OVR_SERVICE_WILDCARD: LintRule = {
  id: 'OVR-SERVICE-WILDCARD',
  severity: 'warning',
  title: 'Allow of every action of a service (`service:*`)',
  kinds: GRANTING_KINDS,
  check(ctx) {
    for (const stmt of ctx.statements) {
      if (stmt.effect !== 'Allow' || !stmt.action) continue;
      const admin = adminGrant(stmt);
      stmt.action.forEach((pattern, i) => {
        const m = SERVICE_WILDCARD.exec(pattern);
        if (!m) return;
        const path = elementPath(stmt, 'Action', i);
        if (admin?.path === path) return; // `iam:*` on `*`: OVR-ADMIN already says more
        const count = expandPatternCached(pattern).length;
        if (count === 0) return; // an unknown service: the validator reports it
        ctx.report({
          id: 'OVR-SERVICE-WILDCARD',
          severity: 'warning',
          path,
          message: `"${pattern}" grants all ${count} actions of ${m[1]}, and every action AWS adds to it later. List the actions the workload needs.`,
        });
      });
    }
  },
};

/**
 * Condition keys that narrow a `Resource: "*"` statement to some resources: any service key (they
 * describe the resource or the request for it, e.g. `ec2:ResourceTag/team`, `s3:prefix`) and the
 * global resource keys.
 */
function hasResourceScopingCondition(stmt: NormalizedStatement): boolean {
  for (const block of Object.values(stmt.condition ?? {})) {
    for (const key of Object.keys(block)) {
      const k = key.toLowerCase();
      if (!k.startsWith('aws:') || k.startsWith('aws:resourcetag/') || k === 'aws:resourceaccount' || k.startsWith('aws:resourceorg')) return true;
    }
  }
  return false;
}

export const OVR_RESOURCE_STAR: LintRule = {
  id: 'OVR-RESOURCE-STAR',
  severity: 'warning',
  title: 'Resource "*" for actions that support resource-level permissions',
  kinds: GRANTING_KINDS,
  check(ctx) {
    for (const stmt of ctx.statements) {
      if (stmt.effect !== 'Allow' || !stmt.action || !stmt.resource) continue;
      const star = stmt.resource.indexOf('*');
      if (star < 0) continue;
      // `*` actions are OVR-ADMIN's; NotAction is PAT-ALLOW-NOTACTION's.
      if (stmt.action.includes('*') || stmt.action.includes('*:*')) continue;
      if (hasResourceScopingCondition(stmt)) continue;
      const scopable = actionsByTrait(stmt.action).scopable;
      if (scopable.length === 0) continue;
      const finding: LintFinding = {
        id: 'OVR-RESOURCE-STAR',
        severity: 'warning',
        path: elementPath(stmt, 'Resource', star),
        message: `Resource "*" for ${scopable.length} action${scopable.length === 1 ? '' : 's'} that can be limited to named resources: ${listWithMore(scopable, MESSAGE_LIST_CAP)}. Name the resources (ARNs) the workload uses.`,
      };
      if (scopable.length > MESSAGE_LIST_CAP) finding.detail = listWithMore(scopable, DETAIL_LIST_CAP);
      ctx.report(finding);
    }
  },
};

export const SECURITY_RULES: LintRule[] = [
  PAT_ALLOW_NOTPRINCIPAL,
  PAT_ALLOW_NOTRESOURCE,
  PAT_ALLOW_NOTACTION,
  OVR_PASSROLE,
  OVR_CREATE_SLR,
  OVR_ADMIN,
  OVR_SERVICE_WILDCARD,
  OVR_RESOURCE_STAR,
];
