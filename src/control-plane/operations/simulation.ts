/**
 * The IAM policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy and
 * GetContextKeysFor{Principal,Custom}Policy. Decisions come from the policy engine. The
 * simulation-*.ts files beside this one gather the policies (simulation-policies), turn
 * ContextEntries into request context (simulation-context), read statement positions and
 * referenced keys from policy text (simulation-text) and shape the results (simulation-results):
 * the deciding statements with their positions, the context keys the policies reference but the
 * request did not supply, and per-layer details.
 *
 * The result shape follows the live API as recorded on 2026-09-11 (radkawar/stackd,
 * testdata/aws/iam/simulation.json: 245 captured calls) and the API reference's
 * EvaluationResult page: one EvaluationResult per action, ResourceSpecificResults whenever
 * ResourceArns is given, the top level aggregating the resources (most restrictive decision,
 * union of statements and missing keys).
 */
import { parseArn } from '../../core/arn.js';
import { awsError } from '../../core/errors/index.js';
import { defineOperation, type AnyOperation, type OperationContext } from '../context.js';
import { entityArn } from '../entities.js';
import { parseIamArn } from '../iam-arns.js';
import { DEFAULT_MAX_ITEMS } from '../paging.js';
import { contextFromEntries, type ContextEntryInput, type RequestContext } from './simulation-context.js';
import { addInputBoundary, addInputs, addResourcePolicy, checkInput, exclusions, loadSource, managedSource, principalIdentity, PolicyTable, type PolicyIdentifierInput } from './simulation-policies.js';
import { actionResult, Simulator, type Simulation } from './simulation-results.js';
import { referencedKeys } from './simulation-text.js';

// ---------------------------------------------------------------------------------------------
// Inputs (domain names of the IAM model)

interface SimulationInput {
  policyInputList?: string[];
  permissionsBoundaryPolicyInputList?: string[];
  actionNames: string[];
  resourceArns?: string[];
  resourcePolicy?: string;
  resourceOwner?: string;
  callerArn?: string;
  contextEntries?: ContextEntryInput[];
  /** Accepted and not enforced: see the DIVERGENCE note in `simulate`. */
  resourceHandlingOption?: string;
  maxItems?: number;
  marker?: string;
}

interface SimulatePrincipalInput extends SimulationInput {
  policySourceArn: string;
  policyExclusionList?: PolicyIdentifierInput[];
}

interface SimulateCustomInput extends SimulationInput {
  policyInputList: string[];
  orderedOrganizationPolicyInputList?: { serviceControlPolicyInputList?: string[] }[];
}

// ---------------------------------------------------------------------------------------------
// Request checks shared by both simulations (AWS's wording, as recorded)

function checkActions(actions: string[]): void {
  for (const a of actions) if (!a.includes(':')) throw awsError('InvalidInput', 'The action is invalid since it is missing names');
}

function checkResources(resources: string[]): void {
  for (const r of resources) if (r !== '*' && !parseArn(r)) throw awsError('InvalidInput', `ResourceNames are not in a valid ARN format: ${r}.`);
}

function checkCaller(callerArn: string | undefined): void {
  if (callerArn === undefined) return;
  const type = parseIamArn(callerArn)?.type;
  if (type !== 'user' && type !== 'group' && type !== 'role') throw awsError('InvalidInput', 'Invalid caller - Caller must be an IAM user, role or group in this context.');
}

function checkResourceOwner(owner: string | undefined): void {
  if (owner !== undefined && !/^arn:[^:]+:iam::\d{12}:.+$/.test(owner)) throw awsError('InvalidInput', 'Invalid Resource Owner.');
}

const MARKER_PREFIX = 'simulation:';

function startOf(marker: string | undefined): number {
  if (marker === undefined) return 0;
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  const m = text.startsWith(MARKER_PREFIX) ? /^\d+$/.exec(text.slice(MARKER_PREFIX.length)) : null;
  if (!m || Buffer.from(text).toString('base64url') !== marker) throw awsError('InvalidInput', 'Invalid marker for pagination.');
  return Number(m[0]);
}

/**
 * Runs the simulation, one EvaluationResult per action (MaxItems counts actions).
 * DIVERGENCE: ResourceHandlingOption is accepted but the EC2 scenarios' required resources are
 * not enforced, and the simulator's same-account quirk (a resource-policy grant to the account
 * allowing despite an implicit identity or boundary denial) is not reproduced: decisions are
 * the engine's, as live requests would get them.
 */
function simulate(ctx: OperationContext, sim: Simulation, input: SimulationInput) {
  const resources = input.resourceArns?.length ? input.resourceArns : undefined;
  const simulator = new Simulator(sim, ctx);
  const start = startOf(input.marker);
  const limit = input.maxItems ?? DEFAULT_MAX_ITEMS;
  const actions = input.actionNames.slice(start, start + limit);
  const evaluationResults = actions.map((action) => actionResult(simulator, action, resources, ctx.env.partition));
  const next = start + actions.length;
  const isTruncated = next < input.actionNames.length;
  return { evaluationResults, isTruncated, ...(isTruncated ? { marker: Buffer.from(`${MARKER_PREFIX}${next}`).toString('base64url') } : {}) };
}

function checkCommon(input: SimulationInput): RequestContext {
  checkActions(input.actionNames);
  checkResources(input.resourceArns ?? []);
  checkCaller(input.callerArn);
  checkResourceOwner(input.resourceOwner);
  return contextFromEntries(input.contextEntries);
}

// ---------------------------------------------------------------------------------------------
// Operations

/** SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy are authorized on the simulated entity. */
async function sourceResource(input: { policySourceArn: string }, ctx: OperationContext): Promise<string> {
  const parsed = parseIamArn(input.policySourceArn);
  if (!parsed || parsed.account !== ctx.account || (parsed.type !== 'user' && parsed.type !== 'group' && parsed.type !== 'role')) return input.policySourceArn;
  return entityArn(ctx, parsed.type, parsed.name, parsed.path);
}

export const simulatePrincipalPolicy = defineOperation({
  name: 'SimulatePrincipalPolicy',
  write: false,
  resource: sourceResource,
  async run(input: SimulatePrincipalInput, ctx) {
    const source = await loadSource(ctx, input.policySourceArn);
    const context = checkCommon(input);
    const table = new PolicyTable();
    const skip = exclusions(input.policyExclusionList);
    const identity = [...(await principalIdentity(ctx.tx, table, source, skip)), ...addInputs(table, input.policyInputList)];
    // A boundary passed in the request replaces the attached one (API reference).
    let boundary = addInputBoundary(table, input.permissionsBoundaryPolicyInputList);
    if (!boundary && source.policies.boundary) {
      const src = await managedSource(ctx.tx, source.policies.boundary, 'Permissions Boundary Policy');
      if (src && !skip.excludes(src, true)) boundary = table.add(src);
    }
    const caller = input.callerArn ?? source.arn;
    const resourcePolicy = addResourcePolicy(table, input.resourcePolicy, caller, input.resourceArns?.length ? input.resourceArns : ['*']);
    // Every Gatehouse account belongs to the organization bootstrap created, and the control plane
    // attaches no SCPs yet: AWS reports AllowedByOrganizations for principals of member accounts
    // (recorded), and a custom simulation reports it only when given SCPs.
    return simulate(ctx, { table, identity, boundary, resourcePolicy, scps: [], caller, context, resourceOwner: input.resourceOwner, organizationMember: true }, input);
  },
});

export const simulateCustomPolicy = defineOperation({
  name: 'SimulateCustomPolicy',
  write: false,
  resource: () => '*',
  async run(input: SimulateCustomInput, ctx) {
    const context = checkCommon(input);
    const table = new PolicyTable();
    const identity = addInputs(table, input.policyInputList);
    const boundary = addInputBoundary(table, input.permissionsBoundaryPolicyInputList);
    const scps = (input.orderedOrganizationPolicyInputList ?? []).map((level, i) => {
      const list = level.serviceControlPolicyInputList ?? [];
      if (!list.length) throw awsError('InvalidInput', `Organization policy at index ${i + 1} must contain at least one service control policy`);
      return list.map((text, j) => {
        checkInput(text, 'scp', `Service control policy input list item ${j + 1} of organization policy at index ${i + 1}`);
        // SCP statements are never reported, so their source ids are only internal.
        return table.add({ sourceId: `OrderedOrganizationPolicyInputList.${i + 1}.${j + 1}`, sourceType: 'IAM Policy', origin: 'input', text }, i);
      });
    });
    const resourcePolicy = addResourcePolicy(table, input.resourcePolicy, input.callerArn, input.resourceArns?.length ? input.resourceArns : ['*']);
    return simulate(ctx, { table, identity, boundary, resourcePolicy, scps, caller: input.callerArn, context, resourceOwner: input.resourceOwner }, input);
  },
});

/** GetContextKeysFor*: every key referenced, as written, deduplicated regardless of case. */
function contextKeyNames(texts: string[]): { contextKeyNames: string[] } {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const text of texts) referencedKeys(text, out, seen);
  return { contextKeyNames: out };
}

function checkInputs(list: string[] | undefined): string[] {
  return (list ?? []).map((text, i) => {
    checkInput(text, 'identity', `Policy input list item ${i + 1}`);
    return text;
  });
}

export const getContextKeysForPrincipalPolicy = defineOperation({
  name: 'GetContextKeysForPrincipalPolicy',
  write: false,
  resource: sourceResource,
  async run(input: { policySourceArn: string; policyInputList?: string[] }, ctx) {
    const source = await loadSource(ctx, input.policySourceArn);
    const inputs = checkInputs(input.policyInputList);
    const table = new PolicyTable();
    // Identity policies only: "This operation doesn't return context keys referenced by SCPs",
    // and the boundary is not among the policies "attached to the specified entity".
    const identity = await principalIdentity(ctx.tx, table, source, exclusions(undefined));
    return contextKeyNames([...identity.map((p) => p.text), ...inputs]);
  },
});

export const getContextKeysForCustomPolicy = defineOperation({
  name: 'GetContextKeysForCustomPolicy',
  write: false,
  resource: () => '*',
  async run(input: { policyInputList: string[] }) {
    return contextKeyNames(checkInputs(input.policyInputList));
  },
});

export const SIMULATION_OPERATIONS: AnyOperation[] = [simulatePrincipalPolicy, simulateCustomPolicy, getContextKeysForPrincipalPolicy, getContextKeysForCustomPolicy];
