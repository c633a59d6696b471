/**
 * Seeds a control-plane store with the workload's principals through the IAM use cases (as the
 * IAM API would write them): users with their tags, access key, attached and inline policies and
 * boundary; roles (sessions of one role share it) with a trust policy that lets the workload's
 * administrator assume them with session tags. Then mints the role sessions' temporary
 * credentials with the data plane's own STS, so every principal of the workload can sign.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { bootstrap } from '../../src/control-plane/bootstrap.js';
import type { ControlPlaneEnv, RequestInfo } from '../../src/control-plane/context.js';
import { IamService } from '../../src/control-plane/iam-service.js';
import { deriveKey } from '../../src/core/crypto/index.js';
import { entityId, KIND, type UserEntity } from '../../src/core/model/iam-entities.js';
import type { Principal } from '../../src/core/model/principal.js';
import { policySize } from '../../src/core/policy/validate.js';
import { ReplicaIndex } from '../../src/data-plane/replica-index.js';
import { StsService } from '../../src/data-plane/sts/sts-service.js';
import type { AssumeRoleOutput } from '../../src/data-plane/sts/assume-role.js';
import type { FeedSource } from '../../src/replication/feed-source.js';
import { ReplicaFollower } from '../../src/replication/follower.js';
import type { Store } from '../../src/store/ports.js';
import type { Workload, WorkloadPrincipal } from './workload.js';

export const PROD = '111111111111';
export const DEV = '222222222222';
export const HOME_REGION = 'us-east-1';
/** The user whose permissions the propagation phase flips, and the policy it attaches and detaches. */
export const PROBE_USER = 'bench-probe';
export const PROBE_POLICY = 'bench-probe-read';
export const PROBE_BUCKET = 'bench-probe';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Seeded {
  admin: Credentials & { principal: Principal };
  /** Long-term keys of the workload's users, by user ARN. */
  userKeys: Map<string, Credentials>;
  /** The workload's role ARNs, each with its sessions. */
  roles: Map<string, WorkloadPrincipal[]>;
  probe: { credentials: Credentials; policyArn: string };
  /** Inline policies that did not fit AWS's aggregate quota and were attached as managed ones instead. */
  inlineAsManaged: number;
}

export function controlPlaneEnv(store: Store, masterKey: Buffer, now: () => Date): ControlPlaneEnv {
  return { store, now, random: randomBytes, secretsKey: deriveKey(masterKey, 'secrets'), partition: 'aws', tokenRoot: deriveKey(masterKey, 'sts-token-keys') };
}

const REQUEST: RequestInfo = { requestId: 'bench-seed', sourceIp: '127.0.0.1', userAgent: 'gatehouse-bench', region: HOME_REGION, secureTransport: true };

function root(account: string): Principal {
  return { type: 'Root', account, arn: `arn:aws:iam::${account}:root`, userId: account, accessKeyId: '' };
}

function tagList(tags: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** Seeds `store` (empty) with the management account, the workload (when given) and the probe user. */
export async function seedStore(store: Store, masterKey: Buffer, now: () => Date, workload: Workload | undefined): Promise<Seeded> {
  const env = controlPlaneEnv(store, masterKey, now);
  const boot = await bootstrap(env, { accountId: PROD });
  if (!boot.admin) throw new Error('the store was not empty');
  await store.write(async (tx) => tx.put(KIND.account, DEV, DEV, { accountId: DEV, createDate: now().toISOString() }));
  const iam = new IamService(env);
  iam.changed();
  const call = (account: string, operation: string, input: Record<string, unknown>) => iam.call(operation, input, root(account), REQUEST);

  const managed = new Map<string, string>();
  /** The ARN of the workload policy `id` as a managed policy of `account` (created on first use). */
  const managedArn = async (account: string, id: string): Promise<string> => {
    const key = `${account}/${id}`;
    let arn = managed.get(key);
    if (!arn) {
      const out = (await call(account, 'CreatePolicy', { policyName: id, policyDocument: JSON.stringify(workload?.policies[id].document) })).output as { policy: { arn: string } };
      arn = out.policy.arn;
      managed.set(key, arn);
    }
    return arn;
  };

  const userKeys = new Map<string, Credentials>();
  const roles = new Map<string, WorkloadPrincipal[]>();
  let inlineAsManaged = 0;
  const grant = async (p: WorkloadPrincipal, type: 'User' | 'Role', name: string) => {
    // Inline policies as the workload says while they fit AWS's aggregate quota (user 2,048, role
    // 10,240 characters); the rest become managed policies (at most 10 attached in all).
    const quota = type === 'User' ? 2048 : 10240;
    let used = 0;
    for (const id of p.identityPolicyIds) {
      const text = JSON.stringify(workload?.policies[id].document);
      const size = policySize(text, 'identity');
      if (id.startsWith('inline') && used + size <= quota) {
        used += size;
        await call(p.account, `Put${type}Policy`, { [`${type.toLowerCase()}Name`]: name, policyName: id, policyDocument: text });
      } else {
        if (id.startsWith('inline')) inlineAsManaged++;
        await call(p.account, `Attach${type}Policy`, { [`${type.toLowerCase()}Name`]: name, policyArn: await managedArn(p.account, id) });
      }
    }
  };

  for (const p of workload?.principals ?? []) {
    const boundary = p.permissionsBoundaryId ? await managedArn(p.account, p.permissionsBoundaryId) : undefined;
    if (p.type === 'user') {
      await call(p.account, 'CreateUser', { userName: p.name, tags: tagList(p.tags), permissionsBoundary: boundary });
      await grant(p, 'User', p.name);
      const key = (await call(p.account, 'CreateAccessKey', { userName: p.name })).output as { accessKey: Credentials };
      userKeys.set(p.arn, { accessKeyId: key.accessKey.accessKeyId, secretAccessKey: key.accessKey.secretAccessKey });
    } else {
      const roleArn = p.roleArn as string;
      let sessions = roles.get(roleArn);
      if (!sessions) {
        roles.set(roleArn, (sessions = []));
        const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
        const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PROD}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] };
        await call(p.account, 'CreateRole', { roleName, assumeRolePolicyDocument: JSON.stringify(trust), permissionsBoundary: boundary });
        await grant(p, 'Role', roleName);
      }
      sessions.push(p);
    }
  }

  // The propagation probe: a user whose one policy is attached and detached over and over.
  const probeDoc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${PROBE_BUCKET}/*` }] };
  const probePolicy = (await call(PROD, 'CreatePolicy', { policyName: PROBE_POLICY, policyDocument: JSON.stringify(probeDoc) })).output as { policy: { arn: string } };
  await call(PROD, 'CreateUser', { userName: PROBE_USER });
  const probeKey = (await call(PROD, 'CreateAccessKey', { userName: PROBE_USER })).output as { accessKey: Credentials };

  const adminUser = await store.read(async (tx) => tx.get<UserEntity>(KIND.user, entityId(PROD, boot.admin!.userName)));
  const principal: Principal = { type: 'IAMUser', account: PROD, arn: boot.admin.arn, userId: adminUser!.data.userId, userName: boot.admin.userName, accessKeyId: boot.admin.accessKeyId };
  return {
    admin: { accessKeyId: boot.admin.accessKeyId, secretAccessKey: boot.admin.secretAccessKey, principal },
    userKeys,
    roles,
    probe: { credentials: { accessKeyId: probeKey.accessKey.accessKeyId, secretAccessKey: probeKey.accessKey.secretAccessKey }, policyArn: probePolicy.policy.arn },
    inlineAsManaged,
  };
}

/**
 * Temporary credentials for every role session of the workload, issued by a data plane's STS
 * (AssumeRole as the administrator, with the session's tags and session policy) over a replica
 * of `source`. Token keys derive from the master key, so every node of the deployment accepts them.
 */
export async function mintSessions(source: FeedSource, seeded: Seeded, workload: Workload, now: () => Date): Promise<Map<string, Credentials>> {
  const index = new ReplicaIndex({ region: HOME_REGION });
  const follower = new ReplicaFollower({ region: HOME_REGION, source, sink: index, now, pollWaitMs: 1000 });
  await follower.start();
  try {
    const sts = new StsService({ view: index, random: randomBytes });
    const out = new Map<string, Credentials>();
    for (const [roleArn, sessions] of seeded.roles) {
      for (const p of sessions) {
        const input: Record<string, unknown> = { roleArn, roleSessionName: p.name, tags: tagList(p.tags), durationSeconds: 3600 };
        if (p.sessionPolicyIds.length) input.policy = JSON.stringify(workload.policies[p.sessionPolicyIds[0]].document);
        const request = { requestId: randomUUID(), now: now(), sourceIp: '127.0.0.1', userAgent: 'gatehouse-bench', region: HOME_REGION, secureTransport: true };
        const res = sts.call('AssumeRole', input, seeded.admin.principal, request) as AssumeRoleOutput;
        out.set(p.arn, { accessKeyId: res.credentials.accessKeyId, secretAccessKey: res.credentials.secretAccessKey, sessionToken: res.credentials.sessionToken });
      }
    }
    return out;
  } finally {
    await follower.stop();
  }
}
