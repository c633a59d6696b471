/**
 * The privilege-escalation graph of one account: who can become or act as whom, and who can
 * become an administrator, each edge decided by the engine on the account's real principals and
 * resources (conditions, boundaries, SCPs, explicit denies, trust policies).
 *
 * Building it is not principals² decisions: a statement scan (identity-scan.ts, trust-scan.ts)
 * first keeps, for each principal, only the escalation actions some Allow statement names and
 * the targets those statements could cover; the engine then decides those candidates only.
 */
import type { AccessDecision, AccountIndex, AccountPrincipal, AccountRole, AccountUser } from '../account/index.js';
import { evaluate } from '../../core/policy/index.js';
import { progressReporter, type ProgressListener } from '../progress.js';
import { adminStatus, type AdminStatus } from './admin-probes.js';
import { ADMIN_NODE, type EscalationEdge, type EscalationGraphJson, type EscalationNode, type EscalationPath, type EscalationStep } from './escalation-types.js';
import { IdentityScan } from './identity-scan.js';
import { ESCALATION_METHODS, type EscalationMethod } from './methods.js';
import { roleKey, scanTrust, type TrustScan } from './trust-scan.js';
import { WhatIf, type PrincipalChange } from './what-if.js';

export interface EscalationOptions {
  onProgress?: ProgressListener;
}

const PASS = 'iam:PassRole';
const ASSUME = 'sts:AssumeRole';

/** new-passrole methods the graph places: a service principal to look for in trust policies. */
const PASSROLE_METHODS: readonly EscalationMethod[] = ESCALATION_METHODS.filter(
  (m) => m.category === 'new-passrole' && m.service && m.requires.includes(PASS) && !m.notInCatalog,
);

/** A change of X's permissions by A, then an access edge A → X: the pathfinding.cloud combos. */
const COMBOS: Readonly<Record<string, string>> = {
  'iam-009+sts-001': 'iam-014',
  'iam-009+iam-012': 'iam-019',
  'iam-001+sts-001': 'iam-016',
  'iam-001+iam-012': 'iam-020',
  'iam-005+sts-001': 'iam-017',
  'iam-005+iam-012': 'iam-021',
  'iam-008+iam-002': 'iam-015',
  'iam-007+iam-002': 'iam-018',
};

const GRANT_METHODS = ['iam-001', 'rhino-2', 'iam-005', 'iam-007', 'iam-008', 'iam-009', 'iam-010', 'iam-011', 'iam-013'];
const GRANT_ACTIONS = [
  'iam:AttachUserPolicy', 'iam:PutUserPolicy', 'iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:AttachGroupPolicy',
  'iam:PutGroupPolicy', 'iam:AddUserToGroup', 'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion',
];

/** The method ids the graph evaluates; the others need resources the account model does not hold. */
export const EVALUATED_METHODS: readonly string[] = [
  'sts-001', 'iam-002', 'iam-003', 'iam-004', 'iam-006', 'iam-012',
  ...GRANT_METHODS, ...new Set(Object.values(COMBOS)),
  ...PASSROLE_METHODS.map((m) => m.id),
];

interface GrantOption {
  method: string;
  steps: EscalationStep[];
  change: PrincipalChange;
}

function step(action: string, resource: string, d: AccessDecision, principal?: string): EscalationStep {
  const s: EscalationStep = { action, resource, access: d.access === 'allowed' ? 'allowed' : 'conditional', statements: d.decision.decidedBy };
  if (principal) s.principal = principal;
  return s;
}

function edge(from: string, to: string, method: string, steps: EscalationStep[], extra: { grantTo?: string; via?: string } = {}): EscalationEdge {
  const e: EscalationEdge = { from, to, method, conditional: steps.some((s) => s.access === 'conditional'), steps };
  if (extra.grantTo) e.grantTo = extra.grantTo;
  if (extra.via) e.via = extra.via;
  return e;
}

/** The better of two decisions: allowed, then conditional. */
function better(a: AccessDecision | undefined, b: AccessDecision): AccessDecision {
  if (!a) return b;
  const rank = (d: AccessDecision) => (d.access === 'allowed' ? 2 : d.access === 'conditional' ? 1 : 0);
  return rank(b) > rank(a) ? b : a;
}

/** Builds the graph; never throws (malformed policies grant nothing). */
export function buildEscalationGraph(index: AccountIndex, options: EscalationOptions = {}): EscalationGraph {
  return new GraphBuilder(index, options).build();
}

class GraphBuilder {
  private readonly partition: string;
  private readonly accountId: string;
  private readonly principals: AccountPrincipal[];
  private readonly admin = new Map<string, AdminStatus>();
  private readonly scans = new Map<string, IdentityScan>();
  private readonly edges: EscalationEdge[] = [];
  private readonly out = new Map<string, EscalationEdge[]>();
  private readonly into = new Map<string, Set<string>>();
  private readonly whatIf: WhatIf;
  // Trust policies, read once.
  private readonly rolesByService = new Map<string, AccountRole[]>();
  private readonly rolesByPrincipal = new Map<string, AccountRole[]>();
  private readonly accountTrustRoles: AccountRole[] = [];
  private readonly anyoneRoles: AccountRole[] = [];
  private readonly serviceTrust = new Map<string, AccessDecision>();
  private readonly usersByArn: ReadonlyMap<string, AccountUser>;
  private readonly rolesByArn: ReadonlyMap<string, AccountRole>;

  constructor(private readonly index: AccountIndex, private readonly options: EscalationOptions) {
    this.partition = index.model.partition;
    this.accountId = index.model.accountId;
    this.principals = index.principals();
    this.whatIf = new WhatIf(index);
    this.usersByArn = new Map(index.model.users.map((u) => [u.arn, u]));
    this.rolesByArn = new Map(index.model.roles.map((r) => [r.arn, r]));
  }

  build(): EscalationGraph {
    const { onProgress } = this.options;
    const n = this.principals.length;

    let report = progressReporter(onProgress, 'escalation: administrators', n);
    const nodes: EscalationNode[] = [{ arn: ADMIN_NODE, name: 'admin', kind: 'admin', admin: true }];
    this.principals.forEach((p, i) => {
      const status = adminStatus(this.index, p);
      this.admin.set(p.arn, status);
      const node: EscalationNode = { arn: p.arn, name: p.name, kind: p.kind, admin: status.access === 'allowed' };
      if (status.access === 'conditional') node.adminConditional = true;
      nodes.push(node);
      if (status.access !== 'denied') this.add(edge(p.arn, ADMIN_NODE, 'admin', status.steps));
      report(i + 1);
    });

    this.scanTrustPolicies();

    report = progressReporter(onProgress, 'escalation: edges', n);
    this.principals.forEach((a, i) => {
      // An administrator (even a conditional one) can do everything else already: the admin
      // node stands for it. Only the roles whose trust policies admit it are listed, so a
      // conditional trust shows.
      if (this.admin.get(a.arn)?.access !== 'denied') this.assumeEdges(a, this.scan(a));
      else this.accessEdges(a, this.scan(a));
      report(i + 1);
    });

    report = progressReporter(onProgress, 'escalation: permission changes', n);
    this.principals.forEach((a, i) => {
      if (this.admin.get(a.arn)?.access === 'denied') this.grantEdges(a, this.scan(a));
      report(i + 1);
    });
    this.scans.clear();

    const graph = new EscalationGraph(this.accountId, nodes, this.edges);
    report = progressReporter(onProgress, 'escalation: paths', n);
    graph.computePaths(report);
    return graph;
  }

  private scan(p: AccountPrincipal): IdentityScan {
    let s = this.scans.get(p.arn);
    if (!s) {
      s = new IdentityScan(this.index, p);
      this.scans.set(p.arn, s);
    }
    return s;
  }

  private add(e: EscalationEdge): void {
    this.edges.push(e);
    let list = this.out.get(e.from);
    if (!list) this.out.set(e.from, (list = []));
    list.push(e);
    if (e.to !== ADMIN_NODE) {
      let set = this.into.get(e.to);
      if (!set) this.into.set(e.to, (set = new Set()));
      set.add(e.from);
    }
  }

  private scanTrustPolicies(): void {
    const push = <K>(map: Map<K, AccountRole[]>, key: K, role: AccountRole) => {
      const list = map.get(key);
      if (list) list.push(role);
      else map.set(key, [role]);
    };
    for (const role of this.index.model.roles) {
      const t: TrustScan = scanTrust(role);
      if (t.anyone) this.anyoneRoles.push(role);
      if (t.accounts.has(this.accountId)) this.accountTrustRoles.push(role);
      for (const p of t.principals) push(this.rolesByPrincipal, p, role);
      for (const s of t.services) push(this.rolesByService, s, role);
    }
  }

  /**
   * The engine's decision on an IAM resource with no resource policy (not sts:AssumeRole), or
   * undefined when denied. Targets matched by the same statements share one decision.
   */
  private decide(a: AccountPrincipal, scan: IdentityScan, action: string, resource: string, context?: Record<string, string>): AccessDecision | undefined {
    if (!scan.mayAllowOn(action, resource, { passedToService: context?.['iam:PassedToService'] })) return undefined;
    const sig = scan.signature(action, resource);
    const key = sig === undefined ? undefined : context ? `${sig}|${JSON.stringify(context)}` : sig;
    let d = key === undefined ? undefined : scan.decisions.get(key);
    if (!d) {
      d = this.index.decide(a, action, resource, context ? { context } : {});
      if (key !== undefined) scan.decisions.set(key, d);
    }
    return d.access === 'denied' ? undefined : d;
  }

  // ------------------------------------------------------------------ access: A acts as B

  private accessEdges(a: AccountPrincipal, scan: IdentityScan): void {
    this.assumeEdges(a, scan);
    this.userEdges(a, scan);
    this.trustRewriteEdges(a, scan);
    if (scan.mayAllow(PASS)) this.passRoleEdges(a, scan);
  }

  /** sts-001: the role's trust policy admits A and nothing denies it. */
  private assumeEdges(a: AccountPrincipal, scan: IdentityScan): void {
    const candidates = new Set<AccountRole>(this.anyoneRoles);
    const key = a.kind === 'user' ? a.arn : roleKey(a.arn);
    for (const r of (key && this.rolesByPrincipal.get(key)) || []) candidates.add(r);
    if (scan.mayAllow(ASSUME)) for (const r of this.accountTrustRoles) if (scan.mayAllowOn(ASSUME, r.arn)) candidates.add(r);
    for (const r of candidates) {
      if (r === a) continue;
      const d = this.index.decide(a, ASSUME, r.arn);
      if (d.access !== 'denied') this.add(edge(a.arn, r.arn, 'sts-001', [step(ASSUME, r.arn, d)]));
    }
  }

  /** iam-002/003 (access keys), iam-004 (new password), iam-006 (changed password). */
  private userEdges(a: AccountPrincipal, scan: IdentityScan): void {
    const keys = scan.mayAllow('iam:CreateAccessKey');
    const create = scan.mayAllow('iam:CreateLoginProfile');
    const update = scan.mayAllow('iam:UpdateLoginProfile');
    if (!keys && !create && !update) return;
    const users = this.index.model.users;
    const targets = new Set<AccountUser>();
    for (const action of ['iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile']) {
      for (const u of scan.targets(action, users, this.usersByArn)) targets.add(u);
      if (targets.size === users.length) break;
    }
    for (const b of targets) {
      if (b === a) continue;
      if (keys) {
        const d = this.decide(a, scan, 'iam:CreateAccessKey', b.arn);
        if (d) {
          // AWS-COMPAT: a user holds at most two access keys; a third needs one deleted first.
          if ((b.accessKeys?.length ?? 0) >= 2) {
            const del = this.decide(a, scan, 'iam:DeleteAccessKey', b.arn);
            if (del) this.add(edge(a.arn, b.arn, 'iam-003', [step('iam:DeleteAccessKey', b.arn, del), step('iam:CreateAccessKey', b.arn, d)]));
          } else this.add(edge(a.arn, b.arn, 'iam-002', [step('iam:CreateAccessKey', b.arn, d)]));
        }
      }
      // The import does not always know whether a user has a password: then both apply.
      if (create && b.hasPassword !== true) {
        const d = this.decide(a, scan, 'iam:CreateLoginProfile', b.arn);
        if (d) this.add(edge(a.arn, b.arn, 'iam-004', [step('iam:CreateLoginProfile', b.arn, d)]));
      }
      if (update && b.hasPassword !== false) {
        const d = this.decide(a, scan, 'iam:UpdateLoginProfile', b.arn);
        if (d) this.add(edge(a.arn, b.arn, 'iam-006', [step('iam:UpdateLoginProfile', b.arn, d)]));
      }
    }
  }

  /** iam-012: rewrite B's trust policy to name A, then assume B (decided with the new trust). */
  private trustRewriteEdges(a: AccountPrincipal, scan: IdentityScan): void {
    if (!scan.mayAllow('iam:UpdateAssumeRolePolicy')) return;
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: a.arn }, Action: ASSUME }] };
    for (const r of scan.targets('iam:UpdateAssumeRolePolicy', this.index.model.roles, this.rolesByArn)) {
      if (r === a) continue;
      const d = this.decide(a, scan, 'iam:UpdateAssumeRolePolicy', r.arn);
      if (!d) continue;
      const assume = this.index.decide(a, ASSUME, r.arn, { resourcePolicy: trust });
      if (assume.access === 'denied') continue;
      const s = step(ASSUME, r.arn, assume);
      s.statements = s.statements.map((ref) => (ref.policyId === 'resource-policy' ? { ...ref, policyId: `${r.arn}#trust (rewritten)` } : ref));
      this.add(edge(a.arn, r.arn, 'iam-012', [step('iam:UpdateAssumeRolePolicy', r.arn, d), s]));
    }
  }

  /** new-passrole methods: A passes role B to a service B trusts, and runs code there. */
  private passRoleEdges(a: AccountPrincipal, scan: IdentityScan): void {
    const serviceSteps = new Map<string, EscalationStep | null>();
    const actionStep = (action: string): EscalationStep | null => {
      let s = serviceSteps.get(action);
      if (s !== undefined) return s;
      let best: { d: AccessDecision; resource: string } | undefined;
      for (const resource of scan.exampleResources(action, this.partition, this.accountId)) {
        const d = this.index.decide(a, action, resource);
        if (!best || better(best.d, d) !== best.d) best = { d, resource };
        if (d.access === 'allowed') break;
      }
      s = best && best.d.access !== 'denied' ? step(action, best.resource, best.d) : null;
      serviceSteps.set(action, s);
      return s;
    };
    const passSteps = new Map<string, EscalationStep | null>();
    for (const m of PASSROLE_METHODS) {
      const service = m.service as string;
      const targets = this.rolesByService.get(service);
      if (!targets) continue;
      const others = m.requires.filter((x) => x !== PASS);
      if (!others.every((x) => scan.mayAllow(x))) continue;
      let methodSteps: EscalationStep[] | null | undefined;
      for (const r of targets) {
        // The account index treats iam:PassedToService as unknown (a conditional Allow): the scan
        // drops PassRole statements limited to other services first (in decide below too).
        if (r === a || !scan.mayAllowOn(PASS, r.arn, { passedToService: service })) continue;
        if (service === 'ec2.amazonaws.com') {
          // EC2 takes roles through instance profiles: an existing one, or one made for it.
          const needsNew = m.id === 'pmapper-ec2-new-instance-profile';
          if (needsNew !== (r.instanceProfiles.length === 0)) continue;
        }
        if (methodSteps === undefined) {
          const steps = others.map(actionStep);
          methodSteps = steps.every((s) => s) ? (steps as EscalationStep[]) : null;
        }
        if (!methodSteps) break;
        const passKey = `${r.arn}|${service}`;
        let pass = passSteps.get(passKey);
        if (pass === undefined) {
          const d = this.decide(a, scan, PASS, r.arn, { 'iam:PassedToService': service });
          pass = d ? step(PASS, r.arn, d) : null;
          passSteps.set(passKey, pass);
        }
        if (!pass) continue;
        const trust = this.serviceAssume(r, service);
        if (!trust) continue;
        this.add(edge(a.arn, r.arn, m.id, [pass, ...methodSteps, trust]));
      }
    }
  }

  /** Whether the service principal may assume the role, by its trust policy. */
  private serviceAssume(role: AccountRole, service: string): EscalationStep | null {
    const key = `${role.arn}|${service}`;
    let d = this.serviceTrust.get(key);
    if (!d) {
      const request = { principal: service, action: ASSUME, resource: role.arn, context: {} };
      const lower = evaluate(request, { resource: this.index.trustPolicy(role, 'lower') });
      if (lower.decision === 'Allow') d = { access: 'allowed', decision: lower };
      else {
        const upper = evaluate(request, { resource: this.index.trustPolicy(role, 'upper') });
        d = { access: upper.decision === 'Allow' ? 'conditional' : 'denied', decision: upper };
      }
      this.serviceTrust.set(key, d);
    }
    return d.access === 'denied' ? null : step(ASSUME, role.arn, d, service);
  }

  // ------------------------------------------------------------------ grants: A makes X admin

  private grantEdges(a: AccountPrincipal, scan: IdentityScan): void {
    if (!GRANT_ACTIONS.some((x) => scan.mayAllow(x))) return;
    const outTargets = new Map<string, EscalationEdge[]>();
    for (const e of this.out.get(a.arn) ?? []) {
      if (e.to === ADMIN_NODE) continue;
      const list = outTargets.get(e.to);
      if (list) list.push(e);
      else outTargets.set(e.to, [e]);
    }
    const ancestors = this.ancestors(a.arn);
    const targets = new Set<string>([a.arn, ...outTargets.keys(), ...ancestors]);
    for (const arn of targets) {
      const x = this.index.entity(arn);
      if (!x || x.kind === 'group' || this.admin.get(x.arn)?.access === 'allowed') continue;
      for (const g of this.grantOptions(a, scan, x)) {
        const steps = this.grantWorks(a, scan, x, g);
        if (!steps) continue;
        if (x === a) {
          this.add(edge(a.arn, ADMIN_NODE, g.method, steps, { grantTo: a.arn }));
          continue;
        }
        if (ancestors.has(x.arn)) this.add(edge(a.arn, ADMIN_NODE, g.method, steps, { grantTo: x.arn }));
        const access = outTargets.get(x.arn);
        if (access) {
          const best = access.find((e) => !e.conditional) ?? access[0];
          this.add(edge(a.arn, ADMIN_NODE, COMBOS[`${g.method}+${best.method}`] ?? g.method, [...steps, ...best.steps], { via: x.arn }));
        }
      }
    }
  }

  /** The principals with a path of access edges to `arn` (they hold its credentials through it). */
  private ancestors(arn: string): Set<string> {
    const seen = new Set<string>();
    const queue = [arn];
    while (queue.length) {
      const cur = queue.pop() as string;
      for (const from of this.into.get(cur) ?? []) {
        if (from === arn || seen.has(from)) continue;
        seen.add(from);
        queue.push(from);
      }
    }
    return seen;
  }

  /** The changes A may make to X's permissions (each decided by the engine). */
  private grantOptions(a: AccountPrincipal, scan: IdentityScan, x: AccountPrincipal): GrantOption[] {
    const opts: GrantOption[] = [];
    const tryOne = (method: string, action: string, resource: string, change: PrincipalChange) => {
      const d = this.decide(a, scan, action, resource);
      if (d) opts.push({ method, steps: [step(action, resource, d)], change });
    };
    const all: PrincipalChange = { grantAll: true };
    const owners: (AccountPrincipal | { arn: string; attachedPolicies: string[] })[] = [x];
    if (x.kind === 'user') {
      tryOne('iam-008', 'iam:AttachUserPolicy', x.arn, all);
      tryOne('iam-007', 'iam:PutUserPolicy', x.arn, all);
      const groups = this.index.groupsOf(x);
      for (const g of groups) {
        owners.push(g);
        tryOne('iam-010', 'iam:AttachGroupPolicy', g.arn, all);
        tryOne('iam-011', 'iam:PutGroupPolicy', g.arn, all);
      }
      if (scan.mayAllow('iam:AddUserToGroup')) {
        for (const g of this.index.model.groups) if (!groups.includes(g)) tryOne('iam-013', 'iam:AddUserToGroup', g.arn, { joinGroup: g });
      }
    } else {
      tryOne('iam-009', 'iam:AttachRolePolicy', x.arn, all);
      tryOne('iam-005', 'iam:PutRolePolicy', x.arn, all);
    }
    const seen = new Set<string>();
    for (const owner of owners) {
      for (const arn of owner.attachedPolicies) {
        const mp = this.index.policy(arn);
        if (!mp || mp.awsManaged || seen.has(arn)) continue;
        seen.add(arn);
        // AWS-COMPAT: a policy keeps at most five versions; CreatePolicyVersion may need a DeletePolicyVersion first (not modelled).
        tryOne('iam-001', 'iam:CreatePolicyVersion', arn, all);
        if (scan.mayAllowOn('iam:SetDefaultPolicyVersion', arn)) {
          for (const v of mp.versions) if (!v.isDefault) tryOne('rhino-2', 'iam:SetDefaultPolicyVersion', arn, { replaceDefault: { arn, document: v.document } });
        }
      }
    }
    return opts;
  }

  /** The steps of a change that makes X an administrator (removing its boundary if needed), or null. */
  private grantWorks(a: AccountPrincipal, scan: IdentityScan, x: AccountPrincipal, g: GrantOption): EscalationStep[] | null {
    if (this.whatIf.admin(x, g.change).access !== 'denied') return g.steps;
    if (!x.permissionsBoundary) return null;
    const action = x.kind === 'user' ? 'iam:DeleteUserPermissionsBoundary' : 'iam:DeleteRolePermissionsBoundary';
    const d = this.decide(a, scan, action, x.arn);
    if (!d || this.whatIf.admin(x, { ...g.change, removeBoundary: true }).access === 'denied') return null;
    return [step(action, x.arn, d), ...g.steps];
  }
}

// ------------------------------------------------------------------ the graph and its paths

function rankEdges(list: EscalationEdge[]): EscalationEdge[] {
  return list.sort((x, y) => Number(x.conditional) - Number(y.conditional) || x.steps.length - y.steps.length);
}

export class EscalationGraph {
  private readonly out = new Map<string, EscalationEdge[]>();
  private readonly byArn: Map<string, EscalationNode>;
  private paths: EscalationPath[] = [];
  /** The nodes with some chain of edges to admin (grant edges counted whoever holds the grantee). */
  private reachAdmin?: Set<string>;

  constructor(readonly accountId: string, readonly nodes: EscalationNode[], readonly edges: EscalationEdge[]) {
    this.byArn = new Map(nodes.map((n) => [n.arn, n]));
    for (const e of edges) {
      const list = this.out.get(e.from);
      if (list) list.push(e);
      else this.out.set(e.from, [e]);
    }
    for (const list of this.out.values()) rankEdges(list);
  }

  node(arn: string): EscalationNode | undefined {
    return this.byArn.get(arn);
  }

  /** Outgoing edges, unconditional and shorter first. */
  outgoing(arn: string): readonly EscalationEdge[] {
    return this.out.get(arn) ?? [];
  }

  /**
   * The shortest path from `from` to `admin` (breadth first; among paths of the same length, one
   * with no conditional edge is preferred), or undefined.
   */
  pathToAdmin(from: string): EscalationPath | undefined {
    if (!this.byArn.has(from) || from === ADMIN_NODE) return undefined;
    const reach = this.canReachAdmin();
    if (!reach.has(from)) return undefined;
    const parent = new Map<string, EscalationEdge | null>([[from, null]]);
    const conditionalTo = new Map<string, boolean>([[from, false]]);
    const onChain = (node: string, arn: string): boolean => {
      for (let cur: string | undefined = node; cur !== undefined; cur = parent.get(cur)?.from) if (cur === arn) return true;
      return false;
    };
    let frontier = [from];
    while (frontier.length) {
      let found: { node: string; edge: EscalationEdge; conditional: boolean } | undefined;
      const next: string[] = [];
      for (const node of frontier) {
        // Nothing in this level can beat an unconditional path: stop at the first one.
        if (found && !found.conditional) break;
        const before = conditionalTo.get(node) as boolean;
        for (const e of this.outgoing(node)) {
          if (e.to === ADMIN_NODE) {
            if (found && !found.conditional) continue;
            const conditional = before || e.conditional;
            if (found && conditional) continue;
            if (e.grantTo && !onChain(node, e.grantTo)) continue;
            found = { node, edge: e, conditional };
            if (!conditional) break;
          } else if (!parent.has(e.to) && reach.has(e.to)) {
            parent.set(e.to, e);
            conditionalTo.set(e.to, before || e.conditional);
            next.push(e.to);
          }
        }
      }
      if (found) {
        const edges = [found.edge];
        for (let e = parent.get(found.node); e; e = parent.get(e.from)) edges.unshift(e);
        return { from, to: ADMIN_NODE, conditional: found.conditional, edges };
      }
      frontier = next;
    }
    return undefined;
  }

  /** One backward search from admin: who could reach it at all, so the others are not searched. */
  private canReachAdmin(): Set<string> {
    if (this.reachAdmin) return this.reachAdmin;
    const into = new Map<string, string[]>();
    for (const e of this.edges) {
      const list = into.get(e.to);
      if (list) list.push(e.from);
      else into.set(e.to, [e.from]);
    }
    const seen = new Set<string>([ADMIN_NODE]);
    const queue = [ADMIN_NODE];
    for (let i = 0; i < queue.length; i++) {
      for (const from of into.get(queue[i]) ?? []) {
        if (seen.has(from)) continue;
        seen.add(from);
        queue.push(from);
      }
    }
    this.reachAdmin = seen;
    return seen;
  }

  /**
   * Paths from one principal to another: the shortest through principal edges, and the one through
   * `admin` (an administrator can act as anyone) when it exists and differs.
   */
  pathsBetween(from: string, to: string): EscalationPath[] {
    if (to === ADMIN_NODE) {
      const p = this.pathToAdmin(from);
      return p ? [p] : [];
    }
    if (!this.byArn.has(from) || !this.byArn.has(to) || from === to) return [];
    const out: EscalationPath[] = [];
    const parent = new Map<string, EscalationEdge | null>([[from, null]]);
    const queue = [from];
    for (let i = 0; i < queue.length && !parent.has(to); i++) {
      for (const e of this.outgoing(queue[i])) {
        if (e.to === ADMIN_NODE || parent.has(e.to)) continue;
        parent.set(e.to, e);
        queue.push(e.to);
      }
    }
    if (parent.has(to)) {
      const edges: EscalationEdge[] = [];
      for (let e = parent.get(to); e; e = parent.get(e.from)) edges.unshift(e);
      out.push({ from, to, conditional: edges.some((e) => e.conditional), edges });
    }
    const admin = this.node(from)?.admin ? { from, to: ADMIN_NODE, conditional: false, edges: this.outgoing(from).filter((e) => e.method === 'admin').slice(0, 1) } : this.pathToAdmin(from);
    if (admin && admin.edges.length) {
      const last: EscalationEdge = { from: ADMIN_NODE, to, method: 'admin', conditional: false, steps: [] };
      const viaAdmin = { from, to, conditional: admin.conditional, edges: [...admin.edges, last] };
      if (!out.length || viaAdmin.edges.length < out[0].edges.length || (out[0].conditional && !viaAdmin.conditional)) out.push(viaAdmin);
    }
    return out;
  }

  /** Computes the path to admin of every principal that is not an administrator. */
  computePaths(report?: (done: number) => void): void {
    const paths: EscalationPath[] = [];
    let done = 0;
    for (const n of this.nodes) {
      if (n.kind === 'admin') continue;
      if (!n.admin) {
        const p = this.pathToAdmin(n.arn);
        if (p) paths.push(p);
      }
      report?.(++done);
    }
    this.paths = paths;
  }

  /** The shortest path to admin of every principal that is not an administrator and has one. */
  pathsToAdmin(): readonly EscalationPath[] {
    return this.paths;
  }

  toJSON(): EscalationGraphJson {
    return { accountId: this.accountId, nodes: this.nodes, edges: this.edges, paths: this.paths, evaluatedMethods: [...EVALUATED_METHODS] };
  }
}
