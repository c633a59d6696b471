/**
 * What every IAM use case gets: the store transaction of its unit of work, the caller, the
 * request's facts and the injected clock and randomness.
 */
import type { RandomBytes } from '../core/ids.js';
import type { Principal } from '../core/model/principal.js';
import type { ContextValue } from '../core/policy/index.js';
import type { ListOptions, ReadTx, Store, WriteTx } from '../store/ports.js';

export interface ControlPlaneEnv {
  store: Store;
  now: () => Date;
  random: RandomBytes;
  /** Key that seals secrets at rest (derived from the master key for purpose "secrets"). */
  secretsKey: Buffer;
  partition: string;
  /** Root of the session-token key schedule (derived from the master key for purpose "sts-token-keys"). */
  tokenRoot: Buffer;
}

/**
 * The authenticated principal that made a request: the shared Principal, so both planes see a
 * caller alike. A session (temporary credentials) has `session` set.
 */
export type Caller = Principal;

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

/** A permission an operation needs besides its own action (AddRoleToInstanceProfile's iam:PassRole). */
export interface RequiredPermission {
  action: string;
  resource: string;
  context?: Record<string, ContextValue>;
}

/** An IAM operation: how to authorize it and what it does. Input and output use domain names. */
export interface Operation<I = Record<string, unknown>, O = unknown> {
  name: string;
  write: boolean;
  /** The action it is authorized as, when not IAM's for its name (the analysis API's operations). */
  action?: string;
  /** The resource ARN the operation acts on, as AWS authorizes it (the entity's ARN with its path when it exists). */
  resource(input: I, ctx: OperationContext): string | Promise<string>;
  /**
   * Context keys the operation adds to the request (`aws:RequestTag/…`, `iam:PolicyARN`…); may read
   * the store (`iam:PermissionsBoundary` of the user a policy is attached to).
   */
  context?(input: I, ctx: OperationContext): OperationContextKeys | Promise<OperationContextKeys>;
  /** Further permissions the caller needs, each authorized as a request of its own after the operation's. */
  alsoRequires?(input: I, ctx: OperationContext): RequiredPermission[] | Promise<RequiredPermission[]>;
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
  action?: string;
  resource(input: NoInfer<I>, ctx: OperationContext): string | Promise<string>;
  context?(input: NoInfer<I>, ctx: OperationContext): OperationContextKeys | Promise<OperationContextKeys>;
  alsoRequires?(input: NoInfer<I>, ctx: OperationContext): RequiredPermission[] | Promise<RequiredPermission[]>;
  run(input: I, ctx: OperationContext): Promise<O>;
}): Operation<I, O> {
  return op;
}

/** Names a stored record in change notifications and cache dependencies. */
export function recordKey(kind: string, id: string): string {
  return `${kind}/${id}`;
}

/**
 * What a write changed, as `recordKey`s, for the caches that listen (IamService.onChange);
 * undefined when anything may have changed.
 */
export type ChangedRecords = ReadonlySet<string> | undefined;

/** The records a cached value was built from; 'all' when it read more than single records. */
export type Dependencies = ReadonlySet<string> | 'all';

/** Whether a value built from `reads` may be stale after `changed`. */
export function isStale(reads: Dependencies, changed: ChangedRecords): boolean {
  if (changed === undefined || reads === 'all') return true;
  for (const key of reads) if (changed.has(key)) return true;
  return false;
}

/**
 * A read transaction that notes what is read through it, so that a value cached from those
 * reads is dropped exactly when one of them changes (isStale).
 */
export class RecordingTx implements ReadTx {
  private readonly records = new Set<string>();
  private listed = false;

  constructor(private readonly tx: ReadTx) {}

  get reads(): Dependencies {
    return this.listed ? 'all' : this.records;
  }

  get<T>(kind: string, id: string) {
    this.records.add(recordKey(kind, id));
    return this.tx.get<T>(kind, id);
  }

  list<T>(kind: string, options?: ListOptions) {
    this.listed = true;
    return this.tx.list<T>(kind, options);
  }

  count(kind: string, options?: Pick<ListOptions, 'account' | 'prefix'>) {
    this.listed = true;
    return this.tx.count(kind, options);
  }

  revision() {
    return this.tx.revision();
  }
}

/**
 * The transaction an operation gets: the store's, refusing writes in a read-only operation, and
 * noting the records a write changed (IamService tells its caches at the end of the unit, before
 * the next unit runs).
 */
export class OperationTx implements WriteTx {
  /** The records a put, or an insert or delete that took effect, changed. */
  readonly changedRecords = new Set<string>();

  constructor(
    private readonly tx: ReadTx | WriteTx,
    private readonly writable: boolean,
  ) {}

  get<T>(kind: string, id: string) {
    return this.tx.get<T>(kind, id);
  }

  list<T>(kind: string, options?: ListOptions) {
    return this.tx.list<T>(kind, options);
  }

  count(kind: string, options?: Pick<ListOptions, 'account' | 'prefix'>) {
    return this.tx.count(kind, options);
  }

  revision() {
    return this.tx.revision();
  }

  async put<T>(kind: string, id: string, account: string, data: T): Promise<void> {
    await this.writer().put(kind, id, account, data);
    this.changedRecords.add(recordKey(kind, id));
  }

  async insert<T>(kind: string, id: string, account: string, data: T): Promise<boolean> {
    const inserted = await this.writer().insert(kind, id, account, data);
    if (inserted) this.changedRecords.add(recordKey(kind, id));
    return inserted;
  }

  async delete(kind: string, id: string): Promise<boolean> {
    const deleted = await this.writer().delete(kind, id);
    if (deleted) this.changedRecords.add(recordKey(kind, id));
    return deleted;
  }

  private writer(): WriteTx {
    if (!this.writable) throw new Error('write attempted in a read-only operation');
    return this.tx as WriteTx;
  }
}
