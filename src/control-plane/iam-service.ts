/**
 * The IAM API's use cases behind one entry point: each call runs in one unit of work, is
 * authorized by the policy engine with the operation's action and resource, then runs.
 */
import { operationToAction } from '../core/catalog/index.js';
import { awsError } from '../core/errors/index.js';
import { accessDeniedMessage, evaluate, type AuthzRequest, type ContextValue, type Decision } from '../core/policy/index.js';
import { CallerPolicies } from './caller-policies.js';
import { readOnlyTx, type AnyOperation, type Caller, type ControlPlaneEnv, type OperationContext, type RequestInfo } from './context.js';
import { loadUser } from './entities.js';
import { IAM_OPERATIONS } from './operations/index.js';

export interface CallResult {
  output: unknown;
  /** The store revision after the call (the write's own when it changed something). */
  revision: number;
  changed: boolean;
  /** The authorization decision, for the audit trail. */
  decision: Decision;
}

export class IamService {
  readonly policies = new CallerPolicies();
  private readonly operations: Map<string, AnyOperation>;
  private readonly changeListeners: (() => void)[] = [];

  constructor(
    readonly env: ControlPlaneEnv,
    operations: readonly AnyOperation[] = IAM_OPERATIONS,
  ) {
    this.operations = new Map(operations.map((op) => [op.name, op]));
  }

  /** Whether this service implements the operation. */
  has(operation: string): boolean {
    return this.operations.has(operation);
  }

  isReadOnly(operation: string): boolean {
    return this.operations.get(operation)?.write === false;
  }

  /** Called after every write that changed something (caches listen). */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Clears caches after a change made outside `call` (bootstrap, usage flush). */
  changed(): void {
    this.policies.invalidate();
    for (const l of this.changeListeners) l();
  }

  async call(operation: string, input: Record<string, unknown>, caller: Caller, request: RequestInfo): Promise<CallResult> {
    const op = this.operations.get(operation);
    if (!op) throw awsError('InvalidAction', `The action ${operation} is not valid for this web service.`);
    const now = this.env.now();
    let decision: Decision | undefined;
    const work = async (ctx: OperationContext) => {
      const resource = await op.resource(input, ctx);
      decision = await this.authorize(ctx, op, input, resource);
      return op.run(input, ctx);
    };
    const base = { env: this.env, caller, request, account: caller.account, now };
    if (!op.write) {
      const output = await this.env.store.read((tx) => work({ ...base, tx: readOnlyTx(tx) }));
      return { output, revision: await this.env.store.revision(), changed: false, decision: decision! };
    }
    const result = await this.env.store.write((tx) => work({ ...base, tx }));
    if (result.changed) this.changed();
    return { output: result.result, revision: result.revision, changed: result.changed, decision: decision! };
  }

  private async authorize(ctx: OperationContext, op: AnyOperation, input: unknown, resource: string): Promise<Decision> {
    const action = operationToAction('iam', op.name) ?? `iam:${op.name}`;
    const context: Record<string, ContextValue> = { ...(await this.callerContext(ctx)), ...((await op.context?.(input, ctx)) ?? {}) };
    const request: AuthzRequest = { principal: ctx.caller.arn, action, resource, context };
    const sets = await this.policies.forCaller(ctx.tx, ctx.caller);
    const decision = evaluate(request, sets);
    if (decision.decision !== 'Allow') throw awsError('AccessDenied', accessDeniedMessage(request, decision) ?? `User: ${ctx.caller.arn} is not authorized to perform: ${action}`);
    return decision;
  }

  /** The global condition keys AWS sets for a request signed with a user's long-term key. */
  private async callerContext(ctx: OperationContext): Promise<Record<string, ContextValue>> {
    const { caller, request, now } = ctx;
    const out: Record<string, ContextValue> = {
      'aws:PrincipalArn': caller.arn,
      'aws:PrincipalAccount': caller.account,
      'aws:PrincipalType': caller.type === 'Root' ? 'Account' : 'User',
      'aws:userid': caller.userId,
      'aws:SourceIp': request.sourceIp,
      'aws:UserAgent': request.userAgent,
      'aws:SecureTransport': String(request.secureTransport),
      'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
      'aws:RequestedRegion': request.region,
      'aws:ViaAWSService': 'false',
    };
    if (caller.userName) {
      out['aws:username'] = caller.userName;
      const user = await loadUser(ctx.tx, caller.account, caller.userName);
      for (const tag of user.tags) out[`aws:PrincipalTag/${tag.key}`] = tag.value;
    }
    return out;
  }
}
