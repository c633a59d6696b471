/**
 * The risk-category rules: what an identity policy lets its holder do with no limit at all (Allow,
 * every resource, no condition). PE-COMBO looks at the whole policy, since an escalation method
 * can be spread over statements; the other four report once per statement and category.
 */
import { getAction, hasWildcard } from '../../core/catalog/index.js';
import type { PolicyKind } from '../../core/policy/index.js';
import { ESCALATION_METHODS, type EscalationMethod } from '../escalation/methods.js';
import type { LintContext, LintFinding, LintRule, LintSeverity, NormalizedStatement, RiskCategory } from './lint-types.js';
import { actionsByTrait, isUnconstrainedAllow, statementActionsByTrait, unconditionalDenies, type ActionTrait, type DenyFilter } from './risk-actions.js';
import { elementPath, patternMatches } from './statement-helpers.js';
import { MemoTable } from '../../core/memo-table.js';

/**
 * Identity and session policies grant. Boundaries and SCPs only cap what other policies grant, so
 * `Allow *` there is the normal way to write them; resource and trust policies are judged by the
 * principal rules (EXP-PUBLIC, TRUST-*) instead.
 */
export const GRANTING_KINDS: readonly PolicyKind[] = ['identity', 'session'];

/** How many names a message lists before "and N more". */
export const MESSAGE_LIST_CAP = 5;
/** How many names a finding's detail lists. */
export const DETAIL_LIST_CAP = 100;

/** `a, b, c and 12 more`. */
export function listWithMore(items: readonly string[], cap: number): string {
  if (items.length <= cap) return items.join(', ');
  return `${items.slice(0, cap).join(', ')} and ${items.length - cap} more`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The path to point at: the one `Action` entry that brings the listed actions in when there is
 * exactly one, else the whole element (SARIF then shows the right line).
 */
function actionElementPath(stmt: NormalizedStatement, trait: ActionTrait): string {
  if (stmt.notAction) return elementPath(stmt, 'NotAction');
  const patterns = stmt.action ?? [];
  if (patterns.length <= 1) return elementPath(stmt, 'Action', 0);
  let only = -1;
  for (let i = 0; i < patterns.length; i++) {
    if (actionsByTrait([patterns[i]])[trait].length === 0) continue;
    if (only >= 0) return elementPath(stmt, 'Action');
    only = i;
  }
  return only >= 0 ? elementPath(stmt, 'Action', only) : elementPath(stmt, 'Action');
}

interface CategorySpec {
  id: string;
  category: Exclude<RiskCategory, 'privilege-escalation'>;
  severity: LintSeverity;
  title: string;
  /** "data-read actions" — what the listed actions are. */
  noun: string;
  /** Why it matters, after the list. */
  why: string;
}

function categoryRule(spec: CategorySpec): LintRule {
  return {
    id: spec.id,
    severity: spec.severity,
    category: spec.category,
    title: spec.title,
    kinds: GRANTING_KINDS,
    check(ctx: LintContext) {
      let denied: DenyFilter | undefined | null = null;
      for (const stmt of ctx.statements) {
        if (!isUnconstrainedAllow(stmt)) continue;
        let actions = statementActionsByTrait(stmt)[spec.category];
        if (actions.length === 0) continue;
        if (denied === null) denied = unconditionalDenies(ctx.statements);
        if (denied) {
          actions = denied.filter(actions);
          if (actions.length === 0) continue;
        }
        const where = stmt.notResource ? 'on every resource but those in NotResource' : 'on every resource';
        const finding: LintFinding = {
          id: spec.id,
          severity: spec.severity,
          category: spec.category,
          path: actionElementPath(stmt, spec.category),
          message: `Allows ${plural(actions.length, spec.noun)} ${where} without a condition: ${listWithMore(actions, MESSAGE_LIST_CAP)}. ${spec.why}`,
        };
        // The detail carries the longer list only when the message had to cut it.
        if (actions.length > MESSAGE_LIST_CAP) finding.detail = listWithMore(actions, DETAIL_LIST_CAP);
        ctx.report(finding);
      }
    },
  };
}

export const RISK_DATA_EXFIL = categoryRule({
  id: 'RISK-DATA-EXFIL',
  category: 'data-exfiltration',
  severity: 'warning',
  title: 'Unconstrained actions that read data (objects, secrets, parameters, items, snapshots)',
  noun: 'data-read action',
  why: 'Name the buckets, tables, secrets or keys it needs instead of "*".',
});

export const RISK_RESOURCE_EXPOSURE = categoryRule({
  id: 'RISK-RESOURCE-EXPOSURE',
  category: 'resource-exposure',
  severity: 'warning',
  title: 'Unconstrained actions that change resource policies, ACLs, grants or shares',
  noun: 'resource-exposure action',
  why: 'They can open any of these resources to other accounts or to the public.',
});

export const RISK_CREDENTIALS_EXPOSURE = categoryRule({
  id: 'RISK-CREDENTIALS-EXPOSURE',
  category: 'credentials-exposure',
  severity: 'security',
  title: 'Unconstrained actions that return credentials, passwords or tokens',
  noun: 'credentials-exposure action',
  why: 'Each response carries a credential for some other identity or system.',
});

export const RISK_INFRA_MODIFICATION = categoryRule({
  id: 'RISK-INFRA-MODIFICATION',
  category: 'infrastructure-modification',
  severity: 'warning',
  title: 'Unconstrained Write, Permissions-management or Tagging actions',
  noun: 'write action',
  why: 'Scope them to the resources the workload owns.',
});

interface MatchedMethod {
  method: EscalationMethod;
  /** Index in ctx.statements of the statement granting each required action. */
  granters: number[];
}

/**
 * PE-COMBO over a list of escalation methods (the catalogue by default; tests may pass their own).
 * A method matches when the unconstrained Allow statements of the policy, together, grant every
 * action it requires, and no unconditional Deny takes one away. One finding per statement that
 * anchors matches (the first statement a method needs), so each shows on its own line.
 */
export function createPeComboRule(methods: readonly EscalationMethod[] = ESCALATION_METHODS): LintRule {
  // Every action some method needs, once; methods refer to them by index.
  const required = [...new Set(methods.flatMap((m) => m.requires))];
  const indexOf = new Map(required.map((a, i) => [a, i]));
  const needs = methods.map((m) => m.requires.map((a) => indexOf.get(a)!));
  // An action the catalog does not list (a retired API) counts only where it is named: `*` or a
  // NotAction should not make a CodeStar-era method match today.
  const known = required.map((a) => getAction(a) !== undefined);
  const indexOfLower = new Map(required.map((a, i) => [a.toLowerCase(), i]));
  const byService = new Map<string, number[]>();
  required.forEach((a, i) => {
    const service = a.slice(0, a.indexOf(':')).toLowerCase();
    byService.set(service, [...(byService.get(service) ?? []), i]);
  });

  const NONE: readonly number[] = [];
  const byPattern = new MemoTable<string, readonly number[]>(20000);
  /** Indexes (into `required`) of the actions a pattern covers; usually none. */
  const coverOfPattern = (pattern: string): readonly number[] => {
    const key = pattern.toLowerCase();
    return byPattern.get(key, () => {
      const out: number[] = [];
      const colon = key.indexOf(':');
      const service = colon > 0 ? key.slice(0, colon) : '';
      if (!hasWildcard(key)) {
        const i = indexOfLower.get(key);
        if (i !== undefined) out.push(i);
      } else {
        // `s3:Get*` can only cover actions of s3: test those alone.
        const candidates = colon > 0 && !hasWildcard(service) ? (byService.get(service) ?? []) : required.map((_, i) => i);
        for (const i of candidates) if (known[i] && patternMatches(pattern, required[i])) out.push(i);
      }
      return out.length > 0 ? out : NONE;
    });
  };
  const byNotAction = new MemoTable<string, readonly number[]>(1000);
  /** For a NotAction list: the known required actions none of its patterns covers. */
  const coverOfNotAction = (patterns: readonly string[]): readonly number[] =>
    byNotAction.get(patterns.map((p) => p.toLowerCase()).join('\n'), () => {
      const excluded = new Set(patterns.flatMap(coverOfPattern));
      return required.map((_, i) => i).filter((i) => known[i] && !excluded.has(i));
    });

  return {
    id: 'PE-COMBO',
    severity: 'security',
    category: 'privilege-escalation',
    title: 'The policy grants every action of a known privilege-escalation method',
    kinds: GRANTING_KINDS,
    check(ctx: LintContext) {
      const statements = ctx.statements;
      // granters[r]: the first unconstrained statement granting required[r], or -1.
      let granters: Int32Array | undefined;
      for (let s = 0; s < statements.length; s++) {
        const stmt = statements[s];
        if (!isUnconstrainedAllow(stmt)) continue;
        const lists = stmt.action ? stmt.action.map(coverOfPattern) : stmt.notAction ? [coverOfNotAction(stmt.notAction)] : [];
        for (const list of lists) {
          for (const r of list) {
            granters ??= new Int32Array(required.length).fill(-1);
            if (granters[r] < 0) granters[r] = s;
          }
        }
      }
      // The usual case: no unconstrained statement touches any action a method needs.
      if (!granters) return;
      const denied = unconditionalDenies(statements);
      if (denied) for (let r = 0; r < granters.length; r++) if (granters[r] >= 0 && denied.denies(required[r])) granters[r] = -1;
      const byAnchor = new Map<number, MatchedMethod[]>();
      for (let m = 0; m < methods.length; m++) {
        const need = needs[m];
        if (need.length === 0 || need.some((r) => granters[r] < 0)) continue;
        const by = need.map((r) => granters[r]);
        const anchor = Math.min(...by);
        const list = byAnchor.get(anchor);
        if (list) list.push({ method: methods[m], granters: by });
        else byAnchor.set(anchor, [{ method: methods[m], granters: by }]);
      }
      for (const [anchor, matched] of byAnchor) {
        const stmt = ctx.statements[anchor];
        const others = [...new Set(matched.flatMap((m) => m.granters))].filter((i) => i !== anchor).sort((a, b) => a - b);
        const also = others.length > 0 ? ` (with ${others.map((i) => ctx.statements[i].path).join(', ')})` : '';
        const named = matched.map((m) => `${m.method.id} (${m.method.requires.join(' + ')})`);
        ctx.report({
          id: 'PE-COMBO',
          severity: 'security',
          category: 'privilege-escalation',
          path: elementPath(stmt, stmt.notAction ? 'NotAction' : 'Action'),
          message:
            `Grants, on every resource and without a condition${also}, all the actions of ${plural(matched.length, 'privilege-escalation method')}: ` +
            `${listWithMore(named, MESSAGE_LIST_CAP)}. A holder can raise its own permissions or act as another principal.`,
          // A few methods: what each does. Many (a `*` policy): every one, briefly.
          detail:
            matched.length <= MESSAGE_LIST_CAP
              ? matched.map((m) => `${m.method.id}: ${m.method.description}`).join('\n')
              : listWithMore(named, DETAIL_LIST_CAP),
        });
      }
    },
  };
}

export const PE_COMBO = createPeComboRule();

export const RISK_RULES: LintRule[] = [PE_COMBO, RISK_DATA_EXFIL, RISK_RESOURCE_EXPOSURE, RISK_CREDENTIALS_EXPOSURE, RISK_INFRA_MODIFICATION];
