/**
 * Which actions a principal is granted on at least one resource, decided by the engine (identity
 * policies, groups, boundary, SCPs). Asking every one of the catalog's ~22,000 actions about
 * every resource is impossible; asking about the resources the policies name is enough: each
 * Allow statement's actions are tried on that statement's own `Resource` patterns (a pattern used
 * as a resource matches itself) and on the boundary's, so a grant limited by a boundary to part
 * of the statement's resources is still found. A principal with `*` costs one decision per action.
 */
import { expandActionPatterns } from '../../core/catalog/index.js';
import type { Access, AccessDecision, AccountIndex, AccountPrincipal } from '../account/index.js';
import { actionClasses, actionMatchers } from './action-classes.js';
import { principalDocuments, principalPolicies } from './principal-policies.js';
import { hasVariables, resolveVariables, statementsOf, stringList } from './policy-statements.js';

export type GrantedAccess = Exclude<Access, 'denied'>;

/** Actions whose resource policy (trust, key policy) must allow too: asked with one that delegates to the identity side. */
const NEEDS_RESOURCE_POLICY = /^(sts:(assumerole|tagsession|setsourceidentity|setcontext)|kms:)/i;

const delegates = new WeakMap<AccountIndex, Map<string, unknown>>();

/**
 * `index.decide` for the principal's side only: actions that also need a resource policy (role
 * trust, KMS key policy) are asked with one that delegates to the principal's account, so the
 * answer says what the principal's own policies, boundary and SCPs allow.
 */
export function decideIdentity(index: AccountIndex, p: AccountPrincipal, action: string, resource: string): AccessDecision {
  if (!NEEDS_RESOURCE_POLICY.test(action)) return index.decide(p, action, resource);
  const account = p.arn.split(':')[4] ?? index.model.accountId;
  let byAccount = delegates.get(index);
  if (!byAccount) delegates.set(index, (byAccount = new Map()));
  let delegate = byAccount.get(account);
  if (!delegate) {
    delegate = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:${index.model.partition}:iam::${account}:root` }, Action: '*', Resource: '*' }] };
    byAccount.set(account, delegate);
  }
  return index.decide(p, action, resource, { resourcePolicy: delegate });
}

/**
 * Canonical action → `allowed` (some resource, whatever the request) or `conditional` (only when
 * the request meets a condition). Actions the principal is not granted are absent.
 */
export function grantedActions(index: AccountIndex, p: AccountPrincipal): Map<string, GrantedAccess> {
  const context = index.principalContext(p);
  const candidates = new Map<string, string[][]>();
  const addAll = (actions: readonly string[], resources: string[]) => {
    for (const a of actions) {
      const list = candidates.get(a);
      if (list) {
        if (!list.includes(resources)) list.push(resources);
      } else candidates.set(a, [resources]);
    }
  };
  const resourcesOf = (s: Record<string, unknown>, variables: boolean): string[] => {
    const listed = stringList(s.Resource);
    if (!listed) return ['*'];
    return listed.flatMap((r) => resolveVariables(r, context, variables) ?? []);
  };
  const allowed = (s: Record<string, unknown>): readonly string[] => {
    const action = stringList(s.Action);
    if (action) return expandActionPatterns(action);
    const notAction = stringList(s.NotAction);
    return notAction ? expandActionPatterns(notAction, { not: true }) : [];
  };

  for (const policy of principalPolicies(index, p)) {
    const variables = hasVariables(policy.document);
    for (const s of statementsOf(policy.document)) {
      if (s.Effect !== 'Allow') continue;
      addAll(allowed(s), resourcesOf(s, variables));
    }
  }
  // The boundary's resources, for the actions both grant.
  const boundary = p.permissionsBoundary ? index.policy(p.permissionsBoundary)?.defaultDocument : undefined;
  if (boundary !== undefined) {
    const variables = hasVariables(boundary);
    for (const s of statementsOf(boundary)) {
      if (s.Effect !== 'Allow') continue;
      const resources = resourcesOf(s, variables);
      for (const a of allowed(s)) candidates.get(a)?.push(resources);
    }
  }

  const out = new Map<string, GrantedAccess>();
  // Actions matched alike by every policy and with the same resources to try decide alike.
  const matchers = actionMatchers(principalDocuments(index, p));
  const ids = new Map<string[], number>();
  const byLists = new Map<string, { lists: string[][]; actions: string[] }>();
  for (const [action, lists] of candidates) {
    const key = lists.map((l) => ids.get(l) ?? (ids.set(l, ids.size), ids.size - 1)).join(',');
    const same = byLists.get(key);
    if (same) same.actions.push(action);
    else byLists.set(key, { lists, actions: [action] });
  }
  for (const { lists, actions } of byLists.values()) {
    for (const group of actionClasses(actions, matchers)) {
      let best: Access = 'denied';
      const tried = new Set<string>();
      search: for (const list of lists) {
        for (const resource of list) {
          if (tried.has(resource)) continue;
          tried.add(resource);
          const { access } = decideIdentity(index, p, group[0], resource);
          if (access === 'allowed') {
            best = access;
            break search;
          }
          if (access === 'conditional') best = access;
        }
      }
      if (best !== 'denied') for (const a of group) out.set(a, best);
    }
  }
  return out;
}
