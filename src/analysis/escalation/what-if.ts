/**
 * "Would this principal be an administrator after this change?", decided by the engine on a copy
 * of the principal in a one-principal model: boundaries and SCPs still apply, so giving
 * AdministratorAccess to a principal held by an S3-only boundary does not make an administrator.
 */
import { AccountIndex, type AccountGroup, type AccountModel, type AccountPrincipal, type ManagedPolicy } from '../account/index.js';
import { adminStatus, type AdminStatus } from './admin-probes.js';

export const ADMIN_DOCUMENT = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

export interface PrincipalChange {
  /** An inline policy allowing everything (attach, put or a new policy version). */
  grantAll?: boolean;
  /** The permissions boundary is deleted. */
  removeBoundary?: boolean;
  /** The user joins this group. */
  joinGroup?: AccountGroup;
  /** A managed policy's default version is replaced. */
  replaceDefault?: { arn: string; document: unknown };
}

export class WhatIf {
  private readonly cache = new Map<string, AdminStatus>();

  constructor(private readonly index: AccountIndex) {}

  admin(p: AccountPrincipal, change: PrincipalChange): AdminStatus {
    const key = `${p.arn}|${change.grantAll ? 1 : 0}|${change.removeBoundary ? 1 : 0}|${change.joinGroup?.arn ?? ''}|${change.replaceDefault ? `${change.replaceDefault.arn}@${JSON.stringify(change.replaceDefault.document)}` : ''}`;
    let status = this.cache.get(key);
    if (!status) {
      status = this.evaluate(p, change);
      this.cache.set(key, status);
    }
    return status;
  }

  private evaluate(p: AccountPrincipal, change: PrincipalChange): AdminStatus {
    const model = this.index.model;
    const groups = p.kind === 'user' ? this.index.groupsOf(p) : [];
    const copy = { ...p } as AccountPrincipal;
    if (change.grantAll) copy.inlinePolicies = [...p.inlinePolicies, { name: 'gatehouse-what-if', document: ADMIN_DOCUMENT }];
    if (change.removeBoundary) delete copy.permissionsBoundary;
    if (change.joinGroup && copy.kind === 'user' && !groups.includes(change.joinGroup)) {
      groups.push(change.joinGroup);
      copy.groups = [...copy.groups, change.joinGroup.name];
    }
    // Only the policies this principal uses: copying the account's whole map would cost more.
    const policies = new Map<string, ManagedPolicy>();
    for (const owner of [copy, ...groups]) for (const arn of owner.attachedPolicies) {
      const mp = model.policies.get(arn);
      if (mp) policies.set(arn, mp);
    }
    if (copy.permissionsBoundary) {
      const b = model.policies.get(copy.permissionsBoundary);
      if (b) policies.set(b.arn, b);
    }
    if (change.replaceDefault) {
      const mp = policies.get(change.replaceDefault.arn);
      if (mp) policies.set(mp.arn, { ...mp, defaultDocument: change.replaceDefault.document });
    }
    const mini: AccountModel = {
      accountId: model.accountId,
      partition: model.partition,
      users: copy.kind === 'user' ? [copy] : [],
      roles: copy.kind === 'role' ? [copy] : [],
      groups,
      policies,
      scps: model.scps,
    };
    return adminStatus(new AccountIndex(mini), copy);
  }
}
