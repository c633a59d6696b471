/**
 * What "administrator" means for the escalation graph, decided with the engine.
 *
 * A principal is an administrator when the engine allows it every probe below, on resources of
 * the account that no policy names (a fictional user, role, policy, bucket, function...): it can
 * already grant any principal anything (attach and write policies on users and roles, create
 * policy versions, create access keys, rewrite trust policies, pass roles) and act on the data
 * and compute of the main services. Statements scoped to particular resources do not make an
 * administrator; boundaries, SCPs and explicit denies are applied as for any request.
 * `conditional` when every probe is allowed but some only for some requests (MFA, source IP).
 *
 * A principal that can change its own permissions is not an administrator by this definition:
 * the graph gives it a self-escalation edge to the admin node instead.
 */
import type { AccountIndex, AccountPrincipal } from '../account/index.js';
import type { DenyReason } from '../../core/policy/index.js';
import type { EscalationStep } from './escalation-types.js';

export interface AdminProbe {
  action: string;
  /** ARN template: `{p}` partition, `{a}` account. */
  resource: string;
}

export const PROBE_NAME = 'gatehouse-admin-probe';

export const ADMIN_PROBES: readonly AdminProbe[] = [
  { action: 'iam:AttachUserPolicy', resource: `arn:{p}:iam::{a}:user/${PROBE_NAME}` },
  { action: 'iam:PutUserPolicy', resource: `arn:{p}:iam::{a}:user/${PROBE_NAME}` },
  { action: 'iam:AttachRolePolicy', resource: `arn:{p}:iam::{a}:role/${PROBE_NAME}` },
  { action: 'iam:PutRolePolicy', resource: `arn:{p}:iam::{a}:role/${PROBE_NAME}` },
  { action: 'iam:CreatePolicyVersion', resource: `arn:{p}:iam::{a}:policy/${PROBE_NAME}` },
  { action: 'iam:CreateAccessKey', resource: `arn:{p}:iam::{a}:user/${PROBE_NAME}` },
  { action: 'iam:UpdateAssumeRolePolicy', resource: `arn:{p}:iam::{a}:role/${PROBE_NAME}` },
  { action: 'iam:PassRole', resource: `arn:{p}:iam::{a}:role/${PROBE_NAME}` },
  { action: 's3:GetObject', resource: `arn:{p}:s3:::${PROBE_NAME}/object` },
  { action: 's3:PutBucketPolicy', resource: `arn:{p}:s3:::${PROBE_NAME}` },
  { action: 'ec2:RunInstances', resource: `arn:{p}:ec2:us-east-1:{a}:instance/*` },
  { action: 'lambda:CreateFunction', resource: `arn:{p}:lambda:us-east-1:{a}:function:${PROBE_NAME}` },
  { action: 'dynamodb:DeleteTable', resource: `arn:{p}:dynamodb:us-east-1:{a}:table/${PROBE_NAME}` },
  { action: 'secretsmanager:GetSecretValue', resource: `arn:{p}:secretsmanager:us-east-1:{a}:secret:${PROBE_NAME}-AbCdEf` },
];

export interface AdminStatus {
  access: 'allowed' | 'conditional' | 'denied';
  /** For allowed/conditional: the probes with the statements that allow them. */
  steps: EscalationStep[];
  /** For denied: the first probe refused, and the layer that refused it. */
  refused?: string;
  refusedBy?: DenyReason;
}

/** Runs the probes for `p` (stops at the first refusal). */
export function adminStatus(index: AccountIndex, p: AccountPrincipal): AdminStatus {
  const partition = index.model.partition;
  const account = index.model.accountId;
  const steps: EscalationStep[] = [];
  let conditional = false;
  for (const probe of ADMIN_PROBES) {
    const resource = probe.resource.replace('{p}', partition).replace('{a}', account);
    const d = index.decide(p, probe.action, resource);
    if (d.access === 'denied') {
      const status: AdminStatus = { access: 'denied', steps: [], refused: probe.action };
      if (d.decision.blockedBy) status.refusedBy = d.decision.blockedBy;
      return status;
    }
    if (d.access === 'conditional') conditional = true;
    steps.push({ action: probe.action, resource, access: d.access, statements: d.decision.decidedBy });
  }
  return { access: conditional ? 'conditional' : 'allowed', steps };
}
