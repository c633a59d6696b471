/**
 * What every IAM use case gets: the store transaction of its unit of work, the caller, the
 * request's facts and the injected clock and randomness.
 */
import type { RandomBytes } from '../core/ids.js';
import type { ContextValue } from '../core/policy/index.js';
import type { ReadTx, Store, WriteTx } from '../store/ports.js';

export interface ControlPlaneEnv {
  store: Store;
  now: () => Date;
  random: RandomBytes;
  /** Key that seals secrets at rest (derived from the master key for purpose "secrets"). */
  secretsKey: Buffer;
  partition: string;
}

/** The authenticated principal that made a request. */
export interface Caller {
  type: 'IAMUser' | 'Root';
  account: string;
  arn: string;
  /** The unique id (`AIDA…`) or, for the root user, the account id. */
  userId: string;
  userName?: string;
  accessKeyId: string;
}

/** Facts of the HTTP request that policies and the audit trail see. */
export interface RequestInfo {
  requestId: string;
  sourceIp: string;
  userAgent: string;
  /** The region of the request's SigV4 credential scope. */
  region: string;
  secureTransport: boolean;
}

export interface OperationContext {
  env: ControlPlaneEnv;
  caller: Caller;
  request: RequestInfo;
  /** The caller's account: where the request's entities live. */
  account: string;
  now: Date;
  /** The unit of work's transaction; read-only operations get one that refuses writes. */
  tx: WriteTx;
}

export type OperationContextKeys = Record<string, ContextValue> | undefined;

/** An IAM operation: how to authorize it and what it does. Input and output use domain names. */
export interface Operation<I = Record<string, unknown>, O = unknown> {
  name: string;
  write: boolean;
  /** The resource ARN the operation acts on, as AWS authorizes it (the entity's ARN with its path when it exists). */
  resource(input: I, ctx: OperationContext): string | Promise<string>;
  /**
   * Context keys the operation adds to the request (`aws:RequestTag/…`, `iam:PolicyARN`…); may read
   * the store (`iam:PermissionsBoundary` of the user a policy is attached to).
   */
  context?(input: I, ctx: OperationContext): OperationContextKeys | Promise<OperationContextKeys>;
  run(input: I, ctx: OperationContext): Promise<O>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation = Operation<any, any>;

/**
 * Identity helper that keeps operation literals typed: the input type comes from `run`, and
 * `resource`/`context` may declare only the members they read.
 */
export function defineOperation<I, O>(op: {
  name: string;
  write: boolean;
  resource(input: NoInfer<I>, ctx: OperationContext): string | Promise<string>;
  context?(input: NoInfer<I>, ctx: OperationContext): OperationContextKeys | Promise<OperationContextKeys>;
  run(input: I, ctx: OperationContext): Promise<O>;
}): Operation<I, O> {
  return op;
}

/** A read transaction that refuses writes, for read-only operations. */
export function readOnlyTx(tx: ReadTx): WriteTx {
  const refuse = async (): Promise<never> => {
    throw new Error('write attempted in a read-only operation');
  };
  return { get: (k, i) => tx.get(k, i), list: (k, o) => tx.list(k, o), count: (k, o) => tx.count(k, o), put: refuse, insert: refuse, delete: refuse };
}
