/**
 * Simulation results: each action and resource decided by the policy engine, reported in the
 * model's EvaluationResult shape with AWS's aggregation over several resources.
 */
import { parseArn } from '../../core/arn.js';
import { getAction, getResourceType, resourceTypesForArn } from '../../core/catalog/index.js';
import { compilePolicy, evaluate, type AuthzRequest, type ContextValue, type Decision, type PolicySets } from '../../core/policy/index.js';
import { RequestScope } from '../../core/policy/request-scope.js';
import type { OperationContext } from '../context.js';
import { parseIamArn } from '../iam-arns.js';
import { withCallerDefaults, type RequestContext } from './simulation-context.js';
import type { PolicyTable, SimPolicy, StatementOutput } from './simulation-policies.js';
import { addKey, referencedKeys } from './simulation-text.js';

export type EvalDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

interface ResourceSpecificResult {
  evalResourceName: string;
  evalResourceDecision: EvalDecision;
  matchedStatements?: StatementOutput[];
  missingContextValues?: string[];
  evalDecisionDetails?: Record<string, EvalDecision>;
  permissionsBoundaryDecisionDetail?: { allowedByPermissionsBoundary: boolean };
}

export interface EvaluationResult {
  evalActionName: string;
  evalResourceName: string;
  evalDecision: EvalDecision;
  matchedStatements: StatementOutput[];
  missingContextValues: string[];
  organizationsDecisionDetail?: { allowedByOrganizations: boolean };
  permissionsBoundaryDecisionDetail?: { allowedByPermissionsBoundary: boolean };
  evalDecisionDetails?: Record<string, EvalDecision>;
  resourceSpecificResults?: ResourceSpecificResult[];
}

export interface Simulation {
  table: PolicyTable;
  identity: SimPolicy[];
  boundary?: SimPolicy;
  resourcePolicy?: SimPolicy;
  scps: SimPolicy[][];
  /** The simulated caller (CallerArn, or PolicySourceArn); undefined for a custom simulation without one. */
  caller?: string;
  context: RequestContext;
  resourceOwner?: string;
  /**
   * The simulated account belongs to an organization whose SCPs the simulation does not list:
   * OrganizationsDecisionDetail is then reported as allowed.
   */
  organizationMember?: boolean;
}

interface OneResult {
  decision: EvalDecision;
  matched: StatementOutput[];
  missing: string[];
  boundary?: boolean;
  organizations?: boolean;
  details?: Record<string, EvalDecision>;
}

const DECISION: Record<Decision['decision'], EvalDecision> = { Allow: 'allowed', ExplicitDeny: 'explicitDeny', ImplicitDeny: 'implicitDeny' };
const RESTRICTIVENESS: Record<EvalDecision, number> = { allowed: 0, implicitDeny: 1, explicitDeny: 2 };
const DELEGATE_ID = 'sim-delegate';

/** The decision of one layer on its own: a matching Deny, else a matching Allow, else implicit. */
function layerDecision(policies: readonly SimPolicy[], scope: RequestScope): EvalDecision {
  let allowed = false;
  for (const p of policies) {
    const slice = p.compiled.forAction(scope.lowerAction);
    if (slice.deny.some((s) => s.applies(scope))) return 'explicitDeny';
    if (!allowed && slice.allow.some((s) => s.applies(scope))) allowed = true;
  }
  return allowed ? 'allowed' : 'implicitDeny';
}

function dedupe(statements: StatementOutput[]): StatementOutput[] {
  const seen = new Set<string>();
  return statements.filter((s) => {
    const key = `${s.sourcePolicyType}|${s.sourcePolicyId}|${s.startPosition?.line}:${s.startPosition?.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export class Simulator {
  private readonly principal: string;
  private readonly account: string;
  private readonly resourceAccount: string;
  private readonly context: Record<string, ContextValue>;
  private readonly sets: PolicySets;
  private readonly keys: string[];
  readonly crossAccount: boolean;

  constructor(
    private readonly sim: Simulation,
    ctx: OperationContext,
  ) {
    const caller = sim.caller ? parseIamArn(sim.caller) : undefined;
    this.account = caller?.account ?? ctx.account;
    // A group cannot make requests; the engine needs an IAM principal of the account to apply
    // identity policies to, so a group caller is simulated as its account.
    this.principal = sim.caller && caller?.type !== 'group' ? sim.caller : `arn:${ctx.env.partition}:iam::${this.account}:root`;
    this.resourceAccount = sim.resourceOwner ? (parseArn(sim.resourceOwner)?.account ?? this.account) : this.account;
    this.crossAccount = !!sim.resourcePolicy && this.resourceAccount !== this.account;
    this.context = withCallerDefaults(sim.context, sim.caller, ctx.account);
    // AWS-COMPAT: without a ResourcePolicy the simulator decides on identity policies alone, also
    // for actions whose resource policy must allow explicitly (sts:AssumeRole*, KMS keys). A
    // resource policy that only delegates to the account makes the engine do just that; its
    // statement is never reported.
    const delegate = sim.resourcePolicy ? undefined : compilePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: this.account }, Action: '*', Resource: '*' }] }, { id: DELEGATE_ID, layer: 'resource' });
    this.sets = {
      identity: sim.identity.map((p) => p.compiled),
      boundary: sim.boundary?.compiled ?? null,
      resource: sim.resourcePolicy?.compiled ?? delegate ?? null,
      scps: sim.scps.map((level) => level.map((p) => p.compiled)),
      resourceAccount: this.resourceAccount,
    };
    // SCP keys are not reported (API reference, MissingContextValues).
    const seen = new Set<string>();
    this.keys = [];
    for (const p of [...sim.identity, ...(sim.boundary ? [sim.boundary] : []), ...(sim.resourcePolicy ? [sim.resourcePolicy] : [])]) referencedKeys(p.text, this.keys, seen);
  }

  evaluate(action: string, resource: string): OneResult {
    const request: AuthzRequest = { principal: this.principal, action, resource, context: this.context };
    const decision = evaluate(request, this.sets);
    const evalDecision = DECISION[decision.decision];
    // AWS-COMPAT (recorded): an SCP denial reports no statements and no missing keys; an allow
    // lists no boundary statements (AllowedByPermissionsBoundary says it); SCP statements are
    // never listed.
    const byScp = decision.blockedBy?.layer === 'scp';
    const refs = byScp ? [] : decision.decidedBy.filter((r) => r.layer !== 'scp' && r.policyId !== DELEGATE_ID && !(evalDecision === 'allowed' && r.layer === 'boundary'));
    const matched = dedupe(refs.map((r) => this.sim.table.statement(r)).filter((s): s is StatementOutput => !!s));
    // AWS-COMPAT (recorded): MissingContextValues lists, for a request that is not allowed, every
    // key the policies reference and ContextEntries did not supply, whether or not the statement
    // using it applies to this action and resource; an allowed request lists none.
    const missing = evalDecision === 'allowed' || byScp ? [] : this.keys.filter((k) => !this.sim.context.supplied.has(k.toLowerCase()));
    const out: OneResult = { decision: evalDecision, matched, missing };
    const scope = new RequestScope(request);
    scope.hasBoundary = !!this.sim.boundary;
    if (this.sim.boundary) out.boundary = layerDecision([this.sim.boundary], scope) === 'allowed';
    if (this.sim.scps.length) out.organizations = this.sim.scps.every((level) => layerDecision(level, scope) === 'allowed');
    else if (this.sim.organizationMember) out.organizations = true;
    if (this.crossAccount && this.sim.resourcePolicy) {
      out.details = { 'IAM Policy': layerDecision(this.sim.identity, scope), 'Resource Policy': layerDecision([this.sim.resourcePolicy], scope) };
      if (this.sim.boundary) out.details['Permissions Boundary Policy'] = layerDecision([this.sim.boundary], scope);
    }
    return out;
  }
}

/**
 * The top-level EvalResourceName for several resources: the ARN format of the action's resource
 * type that the first resource has, with the partition filled in, or `*` when the action has no
 * resource types. DIVERGENCE: AWS draws these from the simulator's own table
 * (`arn:aws:s3:::${BucketName}/${KeyName}`); ours come from the Service Authorization
 * Reference (`arn:aws:s3:::${BucketName}/${ObjectName}`), so placeholders can be named differently.
 */
function resourceTemplate(action: string, resources: string[], partition: string): string {
  const info = getAction(action);
  if (!info || !info.resourceTypes.length) return '*';
  const first = resources.find((r) => r !== '*');
  const fits = new Set(first ? resourceTypesForArn(info.service, first).map((rt) => rt.name) : []);
  const chosen = info.resourceTypes.find((rt) => fits.has(rt.name)) ?? info.resourceTypes[0];
  const format = getResourceType(info.service, chosen.name)?.arnFormats[0];
  return format ? format.replaceAll('${Partition}', partition) : '*';
}

function mostRestrictive(decisions: EvalDecision[]): EvalDecision {
  return decisions.reduce<EvalDecision>((a, b) => (RESTRICTIVENESS[b] > RESTRICTIVENESS[a] ? b : a), 'allowed');
}

function unionKeys(lists: string[][]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const list of lists) for (const k of list) addKey(out, seen, k);
  return out;
}

export function actionResult(sim: Simulator, action: string, resources: string[] | undefined, partition: string): EvaluationResult {
  if (!resources) {
    const r = sim.evaluate(action, '*');
    return {
      evalActionName: action,
      evalResourceName: '*',
      evalDecision: r.decision,
      matchedStatements: r.matched,
      missingContextValues: r.missing,
      ...(r.organizations !== undefined ? { organizationsDecisionDetail: { allowedByOrganizations: r.organizations } } : {}),
      ...(r.boundary !== undefined ? { permissionsBoundaryDecisionDetail: { allowedByPermissionsBoundary: r.boundary } } : {}),
    };
  }
  const each = resources.map((resource) => ({ resource, r: sim.evaluate(action, resource) }));
  const first = each[0].r;
  const details: Record<string, EvalDecision> = {};
  if (sim.crossAccount) {
    for (const { r } of each) for (const [k, v] of Object.entries(r.details ?? {})) details[k] = mostRestrictive([details[k] ?? 'allowed', v]);
  }
  return {
    evalActionName: action,
    evalResourceName: resources.length === 1 ? resources[0] : resourceTemplate(action, resources, partition),
    evalDecision: mostRestrictive(each.map(({ r }) => r.decision)),
    matchedStatements: dedupe(each.flatMap(({ r }) => r.matched)),
    missingContextValues: unionKeys(each.map(({ r }) => r.missing)),
    ...(first.organizations !== undefined ? { organizationsDecisionDetail: { allowedByOrganizations: each.every(({ r }) => r.organizations) } } : {}),
    ...(first.boundary !== undefined ? { permissionsBoundaryDecisionDetail: { allowedByPermissionsBoundary: each.every(({ r }) => r.boundary) } } : {}),
    // AWS: "If the simulation evaluates policies within the same account and includes a resource
    // ARN, then the parameter is present but the response is empty."
    evalDecisionDetails: details,
    resourceSpecificResults: each.map(({ resource, r }) => ({
      evalResourceName: resource,
      evalResourceDecision: r.decision,
      ...(r.matched.length ? { matchedStatements: r.matched } : {}),
      ...(r.missing.length ? { missingContextValues: r.missing } : {}),
      ...(r.details ? { evalDecisionDetails: r.details } : {}),
      ...(r.boundary !== undefined ? { permissionsBoundaryDecisionDetail: { allowedByPermissionsBoundary: r.boundary } } : {}),
    })),
  };
}
