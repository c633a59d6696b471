/** Small account models built in code for escalation scenarios. */
import type { AccountGroup, AccountModel, AccountRole, AccountUser, ManagedPolicy } from '../../../src/analysis/account/index.js';

export const ACCOUNT = '123456789012';
export const arn = (kind: 'user' | 'role' | 'group' | 'policy', name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;

type Statement = Record<string, unknown>;
export const doc = (...Statement: Statement[]) => ({ Version: '2012-10-17', Statement });
export const allow = (Action: string | string[], Resource: string | string[] = '*', Condition?: unknown): Statement => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });
export const deny = (Action: string | string[], Resource: string | string[] = '*', Condition?: unknown): Statement => ({ Effect: 'Deny', Action, Resource, ...(Condition ? { Condition } : {}) });
export const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';

export interface UserSpec {
  policy?: Statement[];
  attached?: string[];
  groups?: string[];
  boundary?: string;
  tags?: Record<string, string>;
  accessKeys?: number;
}

export interface RoleSpec {
  trust: Statement[];
  policy?: Statement[];
  attached?: string[];
  boundary?: string;
  tags?: Record<string, string>;
  instanceProfile?: boolean;
}

export const trustAws = (principal: string, Condition?: unknown): Statement => ({ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole', ...(Condition ? { Condition } : {}) });
export const trustService = (service: string): Statement => ({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });

export class ModelBuilder {
  private readonly users: AccountUser[] = [];
  private readonly roles: AccountRole[] = [];
  private readonly groups: AccountGroup[] = [];
  private readonly policies = new Map<string, ManagedPolicy>();
  private scps?: unknown[][];

  constructor() {
    this.managed(ADMIN_POLICY, [doc(allow('*'))], true);
  }

  managed(policyArn: string, versions: unknown[], awsManaged = false): this {
    this.policies.set(policyArn, {
      arn: policyArn, name: policyArn.split('/').pop() as string, path: '/', awsManaged, defaultVersionId: 'v1',
      versions: versions.map((document, i) => ({ versionId: `v${i + 1}`, isDefault: i === 0, document })),
      defaultDocument: versions[0],
    });
    return this;
  }

  user(name: string, spec: UserSpec = {}): this {
    this.users.push({
      kind: 'user', arn: arn('user', name), name, id: `AIDA${name.toUpperCase().padEnd(17, '0')}`, path: '/',
      inlinePolicies: spec.policy ? [{ name: 'inline', document: doc(...spec.policy) }] : [],
      attachedPolicies: spec.attached ?? [], groups: spec.groups ?? [], tags: Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value })),
      ...(spec.boundary ? { permissionsBoundary: spec.boundary } : {}),
      ...(spec.accessKeys !== undefined ? { accessKeys: Array.from({ length: spec.accessKeys }, (_, i) => ({ accessKeyId: `AKIA${name}${i}`, status: 'Active' as const })) } : {}),
    });
    return this;
  }

  group(name: string, spec: { policy?: Statement[]; attached?: string[] } = {}): this {
    this.groups.push({
      kind: 'group', arn: arn('group', name), name, id: `AGPA${name.toUpperCase().padEnd(17, '0')}`, path: '/',
      inlinePolicies: spec.policy ? [{ name: 'inline', document: doc(...spec.policy) }] : [], attachedPolicies: spec.attached ?? [],
    });
    return this;
  }

  role(name: string, spec: RoleSpec): this {
    this.roles.push({
      kind: 'role', arn: arn('role', name), name, id: `AROA${name.toUpperCase().padEnd(17, '0')}`, path: '/',
      trustPolicy: doc(...spec.trust),
      inlinePolicies: spec.policy ? [{ name: 'inline', document: doc(...spec.policy) }] : [],
      attachedPolicies: spec.attached ?? [], tags: Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value })),
      instanceProfiles: spec.instanceProfile ? [`arn:aws:iam::${ACCOUNT}:instance-profile/${name}`] : [],
      ...(spec.boundary ? { permissionsBoundary: spec.boundary } : {}),
    });
    return this;
  }

  scp(...documents: unknown[]): this {
    this.scps = [[doc(allow('*'))], documents];
    return this;
  }

  build(): AccountModel {
    return { accountId: ACCOUNT, partition: 'aws', users: this.users, roles: this.roles, groups: this.groups, policies: this.policies, ...(this.scps ? { scps: this.scps } : {}) };
  }
}
