/**
 * The IAM API's use cases behind one entry point: each call runs in one unit of work, is
 * authorized by the policy engine with the operation's action and resource, then runs.
 */
import { operationToAction } from '../core/catalog/index.js';
import { awsError } from '../core/errors/index.js';
import { principalContext } from '../core/model/principal-context.js';
import { accessDeniedMessage, evaluate, type AuthzRequest, type Decision } from '../core/policy/index.js';
import { MESSAGES } from '../core/sigv4/index.js';
import { CallerPolicies } from './caller-policies.js';
import { OperationTx, type AnyOperation, type ChangedRecords, type Caller, type ControlPlaneEnv, type OperationContext, type OperationContextKeys, type RequestInfo } from './context.js';
import { IAM_OPERATIONS } from './operations/index.js';
import { PolicyLintOnWrite, type PolicyLintReport } from './policy-lint-on-write.js';
import { resourceTagContext } from './resource-tags.js';

export interface CallResult {
  output: unknown;
  /** The store revision after the call (the write's own when it changed something). */
  revision: number;
  changed: boolean;
  /** The authorization decision, for the audit trail. */
  decision: Decision;
  /** Lint findings of the policy the call wrote, when the account's setting asks for them. */
  lint?: PolicyLintReport;
}

export class IamService {
  readonly policies = new CallerPolicies();
  readonly policyLint = new PolicyLintOnWrite();
  private readonly operations: Map<string, AnyOperation>;
  /** The IAM action each operation is authorized as. */
  private readonly actions: Map<string, string>;
  private readonly changeListeners: ((changed: ChangedRecords) => void)[] = [];

  constructor(
    readonly env: ControlPlaneEnv,
    operations: readonly AnyOperation[] = IAM_OPERATIONS,
  ) {
    this.operations = new Map(operations.map((op) => [op.name, op]));
    this.actions = new Map(operations.map((op) => [op.name, actionOf(op)]));
  }

  /** Whether this service implements the operation. */
  has(operation: string): boolean {
    return this.operations.has(operation);
  }

  isReadOnly(operation: string): boolean {
    return this.operations.get(operation)?.write === false;
  }

  /** Called after every write that changed something, with the records it changed (caches listen). */
  onChange(listener: (changed: ChangedRecords) => void): void {
    this.changeListeners.push(listener);
  }

  /** Clears caches after a change: of `records`, or of anything when made outside `call` (bootstrap, tests). */
  changed(records?: ReadonlySet<string>): void {
    this.policies.invalidate(records);
    this.policyLint.invalidate(records);
    for (const l of this.changeListeners) l(records);
  }

  async call(operation: string, input: Record<string, unknown>, caller: Caller, request: RequestInfo): Promise<CallResult> {
    const op = this.operations.get(operation);
    if (!op) throw awsError('InvalidAction', `The action ${operation} is not valid for this web service.`);
    return this.callOperation(op, input, caller, request);
  }

  /**
   * Runs an operation that is not part of the IAM API (the analysis API's) exactly as `call`
   * runs IAM's: one unit of work, authorized with the caller's policies as `op.action`.
   */
  async callOperation(op: AnyOperation, input: Record<string, unknown>, caller: Caller, request: RequestInfo): Promise<CallResult> {
    refuseSessionsIamRefuses(caller);
    const now = this.env.now();
    if (!op.write) {
      // The revision comes from the same unit: one queue turn and one snapshot per read.
      return this.env.store.read(async (tx) => {
        const { output, decision } = await this.run(op, input, { env: this.env, caller, request, account: caller.account, now, tx: new OperationTx(tx, false) });
        return { output, revision: await tx.revision(), changed: false, decision };
      });
    }
    let ran = false;
    let result;
    try {
      result = await this.env.store.write(async (tx) => {
        const opTx = new OperationTx(tx, true);
        try {
          const out = await this.run(op, input, { env: this.env, caller, request, account: caller.account, now, tx: opTx });
          ran = true;
          return out;
        } finally {
          // The store may run the next unit before this one is committed (group commit): that
          // unit must not be authorized with caches from before this one's changes.
          if (opTx.changedRecords.size > 0) this.changed(opTx.changedRecords);
        }
      });
    } catch (err) {
      // The unit ran but was not committed (its group failed): caches filled since may hold
      // what was rolled back.
      if (ran) this.changed();
      throw err;
    }
    const { output, decision, lint } = result.result;
    return { output, revision: result.revision, changed: result.changed, decision, ...(lint ? { lint } : {}) };
  }

  /** Authorizes the operation against the resource it acts on, then runs it. */
  private async run(op: AnyOperation, input: Record<string, unknown>, ctx: OperationContext): Promise<{ output: unknown; decision: Decision; lint?: PolicyLintReport }> {
    const resource = await op.resource(input, ctx);
    const decision = await this.authorize(ctx, op, input, resource);
    // Permissions the operation needs besides its own action; the audit keeps the operation's decision.
    for (const also of (await op.alsoRequires?.(input, ctx)) ?? []) await this.authorizeRequest(ctx, also.action, also.resource, () => also.context);
    const output = await op.run(input, ctx);
    // After the write, in its unit: a refusal rolls it back.
    const lint = op.write ? await this.policyLint.check(op.name, input, ctx) : undefined;
    return { output, decision, lint };
  }

  private async authorize(ctx: OperationContext, op: AnyOperation, input: unknown, resource: string): Promise<Decision> {
    const action = op.action ?? this.actions.get(op.name) ?? actionOf(op);
    return this.authorizeRequest(ctx, action, resource, () => op.context?.(input, ctx));
  }

  /** Authorizes one action on one resource; `extraContext` gives the request's own keys (after the caller's). */
  private async authorizeRequest(ctx: OperationContext, action: string, resource: string, extraContext: () => OperationContextKeys | Promise<OperationContextKeys>): Promise<Decision> {
    // The sets first: they refuse a session whose user is gone before anything reads the user.
    const sets = await this.policies.forCaller(ctx.tx, ctx.caller);
    const context = await this.callerContext(ctx);
    const tagContext = await resourceTagContext(ctx.tx, ctx.env.partition, ctx.account, resource);
    if (tagContext) Object.assign(context, tagContext);
    const opContext = await extraContext();
    if (opContext) Object.assign(context, opContext);
    const request: AuthzRequest = { principal: ctx.caller.arn, action, resource, context };
    const decision = evaluate(request, sets);
    if (decision.decision !== 'Allow') throw awsError('AccessDenied', accessDeniedMessage(request, decision) ?? `User: ${ctx.caller.arn} is not authorized to perform: ${action}`);
    return decision;
  }

  /** The global condition keys AWS sets for the request (shared with the data planes). */
  private async callerContext(ctx: OperationContext) {
    const { caller, request, now } = ctx;
    const ownTags = await this.policies.principalTags(ctx.tx, caller);
    return principalContext(caller, ownTags, { now, sourceIp: request.sourceIp, userAgent: request.userAgent, secureTransport: request.secureTransport, region: request.region });
  }
}

function actionOf(op: AnyOperation): string {
  return op.action ?? operationToAction('iam', op.name) ?? `iam:${op.name}`;
}

/**
 * AWS-COMPAT: IAM does not accept credentials from GetSessionToken unless MFA was presented to
 * get them, nor credentials from GetFederationToken at all ("Compare AWS STS credentials", IAM
 * User Guide). AWS refuses them as it refuses an unknown token, with InvalidClientTokenId and
 * the usual wording, not AccessDenied (seen in aws/aws-sdk-js#460, 99designs/aws-vault#15 and
 * #328, cloudyr/aws.iam#15).
 */
function refuseSessionsIamRefuses(caller: Caller): void {
  const session = caller.session;
  if (!session) return;
  if (session.kind === 'FederatedUser' || (session.kind === 'SessionToken' && session.mfaAuthenticatedAt === undefined)) throw awsError('InvalidClientTokenId', MESSAGES.invalidClientTokenId);
}
