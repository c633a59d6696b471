/**
 * The policies of a simulation: passed in the request (PolicyInputList, the boundary, the
 * resource policy, SCPs) or held by the simulated user, group or role, each compiled once with
 * the id and type AWS reports for it and the positions of its statements.
 */
import { awsError } from '../../core/errors/index.js';
import { entityId, KIND, type GroupEntity } from '../../core/model/iam-entities.js';
import { compilePolicy, type CompiledPolicy, type PolicyKind, type StatementRef } from '../../core/policy/index.js';
import { validatePolicy } from '../../core/policy/validate.js';
import type { ReadTx } from '../../store/ports.js';
import { defaultVersion, rolePolicies, userPolicies, type PrincipalPolicies } from '../caller-policies.js';
import type { OperationContext } from '../context.js';
import { findPolicy, findRole, findUser } from '../entities.js';
import { parseIamArn } from '../iam-arns.js';
import { isObject, statementSpans, type Position, type Span } from './simulation-text.js';

/**
 * AWS-COMPAT: the live API answers SourcePolicyType `IAM Policy`, `Resource Policy` and
 * `Permissions Boundary Policy`, not the model's enum (user | group | role | aws-managed |
 * user-managed | resource | none): recorded by radkawar/stackd (2026), ScottLogic's simulator
 * post (2025) and the soto SDK, which had to accept the undocumented value.
 */
export type SourceType = 'IAM Policy' | 'Resource Policy' | 'Permissions Boundary Policy';

type Origin = 'inline' | 'aws-managed' | 'user-managed' | 'input';

/** A statement of the output (the model's `Statement` shape). */
export interface StatementOutput {
  sourcePolicyId: string;
  sourcePolicyType: SourceType;
  startPosition?: Position;
  endPosition?: Position;
}

export interface PolicyIdentifierInput {
  policyType?: string;
  policyArn?: string;
  inlinePolicyIdentifier?: { policyName: string; attachmentType: string; attachmentName: string };
}

export interface SimPolicy {
  /** The engine's policy id: unique within one simulation. */
  id: string;
  sourceId: string;
  sourceType: SourceType;
  origin: Origin;
  text: string;
  compiled: CompiledPolicy;
  spans: Span[];
  /** For exclusions: the managed policy's ARN, or the inline policy's holder and name. */
  managedArn?: string;
  inline?: { type: 'user' | 'group' | 'role'; holder: string; name: string };
}

/** A policy before compilation. */
type PolicySource = Omit<SimPolicy, 'id' | 'compiled' | 'spans'>;

const LAYER_OF: Record<SourceType, 'identity' | 'resource' | 'boundary'> = {
  'IAM Policy': 'identity',
  'Resource Policy': 'resource',
  'Permissions Boundary Policy': 'boundary',
};

export class PolicyTable {
  readonly byId = new Map<string, SimPolicy>();

  /** `scpLevel`: an SCP of that level of the organization (0 = root), never reported. */
  add(p: PolicySource, scpLevel?: number): SimPolicy {
    const id = `sim-${this.byId.size}`;
    const options = scpLevel === undefined ? { id, layer: LAYER_OF[p.sourceType] } : { id, layer: 'scp' as const, scpLevel };
    const policy: SimPolicy = { ...p, id, compiled: compilePolicy(p.text, options), spans: statementSpans(p.text) };
    this.byId.set(id, policy);
    return policy;
  }

  statement(ref: StatementRef): StatementOutput | undefined {
    const p = this.byId.get(ref.policyId);
    if (!p) return undefined;
    const span = p.spans[ref.statementIndex];
    return span ? { sourcePolicyId: p.sourceId, sourcePolicyType: p.sourceType, startPosition: span.start, endPosition: span.end } : { sourcePolicyId: p.sourceId, sourcePolicyType: p.sourceType };
  }
}

/**
 * Checks a policy passed in the request. AWS's simulator accepts documents without a Version
 * (recorded: `{"Statement": {...}}` simulates) and documents beyond IAM's stored-policy size
 * quotas (up to the parameter's 131,072 characters), so those findings are not errors here.
 * AWS-COMPAT: "Policy input list item 1 has invalid content" (InvalidInput) is recorded for
 * PolicyInputList; the wording for the other lists follows it and is not verified.
 */
export function checkInput(text: string, kind: PolicyKind, what: string): void {
  const error = validatePolicy(text, kind).find((f) => f.severity === 'error' && f.code !== 'LimitExceeded' && !(f.id === 'SYN-VERSION' && f.path === '$'));
  if (error) throw awsError('InvalidInput', `${what} has invalid content`);
}

export function addInputs(table: PolicyTable, list: string[] | undefined): SimPolicy[] {
  return (list ?? []).map((text, i) => {
    checkInput(text, 'identity', `Policy input list item ${i + 1}`);
    return table.add({ sourceId: `PolicyInputList.${i + 1}`, sourceType: 'IAM Policy', origin: 'input', text });
  });
}

export function addInputBoundary(table: PolicyTable, list: string[] | undefined): SimPolicy | undefined {
  if (!list?.length) return undefined;
  if (list.length > 1) throw awsError('InvalidInput', 'The list of Permissions Boundary policies cannot exceed 1 items.');
  checkInput(list[0], 'boundary', 'Permissions boundary policy input list item 1');
  return table.add({ sourceId: 'PermissionsBoundaryPolicyInputList.1', sourceType: 'Permissions Boundary Policy', origin: 'input', text: list[0] });
}

/** ResourcePolicy needs a caller for its Principal element and concrete resources on both sides. */
export function addResourcePolicy(table: PolicyTable, text: string | undefined, caller: string | undefined, resources: string[]): SimPolicy | undefined {
  if (text === undefined) return undefined;
  if (!caller) throw awsError('InvalidInput', 'Invalid caller - Caller cannot be null or empty.');
  if (resources.includes('*')) throw awsError('InvalidInput', 'Invalid Entity Arn: * does not clearly define entity type and name.');
  checkInput(text, 'resource', 'Resource policy');
  const doc = JSON.parse(text) as Record<string, unknown>;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const s of statements) {
    const r = isObject(s) ? s.Resource : undefined;
    if (r === '*' || (Array.isArray(r) && r.includes('*'))) throw awsError('InvalidInput', 'ResourceNames are not in a valid ARN format: *.');
  }
  return table.add({ sourceId: 'ResourcePolicy', sourceType: 'Resource Policy', origin: 'input', text });
}

// ---------------------------------------------------------------------------------------------
// PolicySourceArn and the principal's own policies

export interface SourceEntity {
  type: 'user' | 'group' | 'role';
  name: string;
  /** The entity's ARN as stored (with its real path). */
  arn: string;
  policies: PrincipalPolicies;
}

/** Parses PolicySourceArn with AWS's errors; the entity is looked up by name (AWS ignores the path). */
function parseSourceArn(ctx: OperationContext, arn: string): { type: 'user' | 'group' | 'role'; name: string } {
  const parsed = parseIamArn(arn);
  if (!parsed || (parsed.type !== 'user' && parsed.type !== 'group' && parsed.type !== 'role')) throw awsError('InvalidInput', `Invalid ARN provided in the request: ${arn}`);
  if (parsed.account !== ctx.account) throw awsError('InvalidInput', `Invalid Policy Source Arn: caller's account ${ctx.account} does not have access to policies in account ${parsed.account}.`);
  return { type: parsed.type, name: parsed.name };
}

export async function loadSource(ctx: OperationContext, arn: string): Promise<SourceEntity> {
  const { type, name } = parseSourceArn(ctx, arn);
  const { tx, account } = ctx;
  const missing = () => awsError('NoSuchEntity', 'Unable to retrieve specified IAM entity.');
  if (type === 'user') {
    const user = await findUser(tx, account, name);
    if (!user) throw missing();
    return { type, name: user.userName, arn: user.arn, policies: await userPolicies(tx, { account, userName: user.userName }) };
  }
  if (type === 'role') {
    const role = await findRole(tx, account, name);
    if (!role) throw missing();
    return { type, name: role.roleName, arn: role.arn, policies: rolePolicies(role) };
  }
  const group = (await tx.get<GroupEntity>(KIND.group, entityId(account, name)))?.data;
  if (!group) throw missing();
  const inline = Object.entries(group.inlinePolicies).map(([policyName, document]) => ({ id: `${group.arn}:inline/${policyName}`, document }));
  return { type, name: group.groupName, arn: group.arn, policies: { inline, managed: [...group.attachedPolicies] } };
}

/** The inline policy a `CallerPolicies` id (`<holder ARN>:inline/<name>`) stands for. */
function inlineOf(id: string): SimPolicy['inline'] {
  const at = id.lastIndexOf(':inline/');
  const holder = parseIamArn(id.slice(0, at));
  const type = holder?.type;
  if (!holder || (type !== 'user' && type !== 'group' && type !== 'role')) return undefined;
  return { type, holder: holder.name, name: id.slice(at + ':inline/'.length) };
}

/** `*` (any run) and `?` (one character) in exclusion names, case-insensitively as IAM names are. */
function nameGlob(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

export interface Exclusions {
  excludes(p: PolicySource, asBoundary: boolean): boolean;
}

/**
 * PolicyExclusionList. AWS-COMPAT (recorded): a PolicyArn matches the attached policy's ARN
 * without its path (`arn:aws:iam::123456789012:policy/Name`; the ARN with its path matches
 * nothing) and never removes a boundary; policies passed in the request are never excluded.
 */
export function exclusions(list: PolicyIdentifierInput[] | undefined): Exclusions {
  const rules = (list ?? []).map((id) => {
    let arn: RegExp | undefined;
    if (id.policyArn !== undefined) {
      const parsed = parseIamArn(id.policyArn);
      if (!parsed || parsed.type !== 'policy' || (id.policyArn.match(/\*/g)?.length ?? 0) > 1) throw awsError('InvalidInput', `Invalid ARN provided in the request: ${id.policyArn}`);
      arn = nameGlob(id.policyArn);
    }
    const inline = id.inlinePolicyIdentifier;
    return { type: id.policyType, arn, inline, holder: inline ? nameGlob(inline.attachmentName) : undefined };
  });
  return {
    excludes(p, asBoundary) {
      if (p.origin === 'input') return false;
      return rules.some((r) => {
        if (asBoundary) return r.type === 'permission-boundary';
        if (r.type !== undefined && r.type === p.origin) return true;
        if (r.arn && p.managedArn) {
          const parsed = parseIamArn(p.managedArn);
          if (parsed && r.arn.test(`arn:${parsed.partition}:iam::${parsed.account}:policy/${parsed.name}`)) return true;
        }
        return !!(r.inline && p.inline && r.inline.attachmentType === p.inline.type && r.inline.policyName === p.inline.name && r.holder?.test(p.inline.holder));
      });
    },
  };
}

export async function managedSource(tx: ReadTx, arn: string, sourceType: SourceType): Promise<PolicySource | undefined> {
  const policy = await findPolicy(tx, arn);
  if (!policy) return undefined;
  const origin: Origin = parseIamArn(arn)?.account === 'aws' ? 'aws-managed' : 'user-managed';
  return { sourceId: policy.policyName, sourceType, origin, text: defaultVersion(policy).document, managedArn: arn };
}

/** The principal's identity policies: inline ones named `<type>_<holder>_<policy>` as AWS names them, managed ones by name, each loaded once. */
export async function principalIdentity(tx: ReadTx, table: PolicyTable, source: SourceEntity, skip: Exclusions): Promise<SimPolicy[]> {
  const out: SimPolicy[] = [];
  for (const p of source.policies.inline) {
    const inline = inlineOf(p.id);
    if (!inline) continue;
    const src = { sourceId: `${inline.type}_${inline.holder}_${inline.name}`, sourceType: 'IAM Policy' as const, origin: 'inline' as const, text: p.document, inline };
    if (!skip.excludes(src, false)) out.push(table.add(src));
  }
  // AWS-COMPAT: a managed policy attached to the user and to one of its groups is reported once.
  for (const arn of new Set(source.policies.managed)) {
    const src = await managedSource(tx, arn, 'IAM Policy');
    if (src && !skip.excludes(src, false)) out.push(table.add(src));
  }
  return out;
}
