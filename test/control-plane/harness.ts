/**
 * A control plane on an in-memory store with a seeded random source and a settable clock, and
 * helpers to call operations as the administrator or as any user.
 */
import { createHash } from 'node:crypto';
import { bootstrap } from '../../src/control-plane/bootstrap.js';
import type { Caller, ControlPlaneEnv, RequestInfo } from '../../src/control-plane/context.js';
import { IamService } from '../../src/control-plane/iam-service.js';
import { deriveKey } from '../../src/core/crypto/index.js';
import { serializeResult, unknownOutputKeys } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/memory-store.js';

/**
 * Every output must fit the model's output shape: no member the model lacks, and serializable
 * (the wrong kind of value throws), so every use-case test also checks the wire shape.
 */
function checkWireShape(operation: string, output: unknown): void {
  const unknown = unknownOutputKeys('iam', operation, output);
  if (unknown.length) throw new Error(`${operation} output has members the model lacks: ${unknown.join(', ')}`);
  serializeResult('iam', operation, output as Record<string, unknown> | undefined, 'req-1');
}

export const ACCOUNT = '123456789012';

export function seededRandom(seed = 'gatehouse-test') {
  let counter = 0;
  return (size: number): Buffer => {
    const out = Buffer.alloc(size);
    for (let off = 0; off < size; off += 32) createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out, off);
    return out;
  };
}

export interface Harness {
  env: ControlPlaneEnv;
  service: IamService;
  admin: Caller;
  clock: { now: Date };
  /** Calls an operation as `caller` (default: the administrator); returns the output. */
  call(operation: string, input?: Record<string, unknown>, caller?: Caller): Promise<unknown>;
  /** The caller for an existing user (as if signed with one of its keys). */
  userCaller(userName: string): Promise<Caller>;
}

export const REQUEST: RequestInfo = { requestId: 'req-1', sourceIp: '127.0.0.1', userAgent: 'test', region: 'us-east-1', secureTransport: false };

export async function createHarness(): Promise<Harness> {
  const clock = { now: new Date('2026-11-21T12:00:00Z') };
  const env: ControlPlaneEnv = {
    store: createMemoryStore({ now: () => clock.now }),
    now: () => clock.now,
    random: seededRandom(),
    secretsKey: deriveKey(Buffer.alloc(32, 7), 'secrets'),
    partition: 'aws',
    tokenRoot: deriveKey(Buffer.alloc(32, 7), 'sts-token-keys'),
  };
  const boot = await bootstrap(env, { accountId: ACCOUNT });
  const service = new IamService(env);
  const admin = await callerFor(service, 'admin', boot.admin!.accessKeyId);
  const harness: Harness = {
    env,
    service,
    admin,
    clock,
    async call(operation, input = {}, caller = admin) {
      const output = (await service.call(operation, input, caller, REQUEST)).output;
      checkWireShape(operation, output);
      return output;
    },
    userCaller: (userName) => callerFor(service, userName, 'AKIATESTTESTTESTTEST'),
  };
  return harness;
}

async function callerFor(service: IamService, userName: string, accessKeyId: string): Promise<Caller> {
  const out = (await service.call('GetUser', { userName }, adminCaller(), REQUEST)).output as { user: { arn: string; userId: string; userName: string } };
  return { type: 'IAMUser', account: ACCOUNT, arn: out.user.arn, userId: out.user.userId, userName: out.user.userName, accessKeyId };
}

/** The account's root user, used only to look users up while building callers. */
function adminCaller(): Caller {
  return { type: 'Root', account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, accessKeyId: 'AKIAROOTROOTROOTROOT' };
}
