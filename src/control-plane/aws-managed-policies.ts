/**
 * AWS managed policies (`arn:aws:iam::aws:policy/...`), present in every store. They belong to
 * the pseudo-account `aws` and cannot be changed through the API.
 *
 * Documents, descriptions, paths, dates and default version ids are AWS's, from the AWS Managed
 * Policy Reference (docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html; dates to
 * the minute as it gives them), except for the two read-only policies whose real documents list
 * thousands of actions: those are generated from the action catalog (see `readOnlyDocument`).
 */
import { actionsOfService, listServices, type ActionInfo } from '../core/catalog/index.js';
import type { ManagedPolicyEntity } from '../core/model/iam-entities.js';
import type { PolicyDocument } from '../core/policy/index.js';

interface ManagedPolicySource {
  name: string;
  path?: string;
  description: string;
  /** The default version's id in AWS (older versions are not reproduced). */
  versionId: string;
  created: string;
  updated: string;
  document: () => PolicyDocument;
}

const allow = (action: string | string[], notAction = false): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', ...(notAction ? { NotAction: action } : { Action: action }), Resource: '*' }],
});

/** Order matters: a policy's id is derived from its index, so new policies go at the end. */
const SOURCES: ManagedPolicySource[] = [
  {
    name: 'AdministratorAccess',
    description: 'Provides full access to AWS services and resources.',
    versionId: 'v1',
    created: '2015-02-06T18:39:46Z',
    updated: '2015-02-06T18:39:46Z',
    document: () => allow('*'),
  },
  {
    name: 'PowerUserAccess',
    description: 'Provides full access to AWS services and resources, but does not allow management of Users and groups.',
    versionId: 'v12',
    created: '2015-02-06T18:39:00Z',
    updated: '2026-02-12T17:59:00Z',
    document: () => ({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
        {
          Effect: 'Allow',
          Action: [
            'account:GetAccountInformation',
            'account:GetGovCloudAccountInformation',
            'account:GetPrimaryEmail',
            'account:ListRegions',
            'iam:CreateServiceLinkedRole',
            'iam:DeleteServiceLinkedRole',
            'iam:ListRoles',
            'organizations:DescribeEffectivePolicy',
            'organizations:DescribeOrganization',
          ],
          Resource: '*',
        },
      ],
    }),
  },
  {
    name: 'ReadOnlyAccess',
    description: 'Provides read-only access to AWS services and resources.',
    versionId: 'v1',
    created: '2015-02-06T18:39:00Z',
    updated: '2015-02-06T18:39:00Z',
    // DIVERGENCE: AWS's ReadOnlyAccess is a hand-kept list of several thousand patterns (v100+);
    // ours is derived from the catalog's Read and List actions, so it follows the catalog
    // instead of AWS's editorial choices (AWS leaves out some data reads, such as
    // secretsmanager:GetSecretValue, that the catalog classifies as Read).
    document: () => readOnlyDocument(isReadOrList),
  },
  {
    name: 'IAMFullAccess',
    description: 'Provides full access to IAM via the AWS Management Console.',
    versionId: 'v2',
    created: '2015-02-06T18:40:00Z',
    updated: '2019-06-21T19:40:00Z',
    document: () =>
      allow([
        'iam:*',
        'organizations:DescribeAccount',
        'organizations:DescribeOrganization',
        'organizations:DescribeOrganizationalUnit',
        'organizations:DescribePolicy',
        'organizations:ListChildren',
        'organizations:ListParents',
        'organizations:ListPoliciesForTarget',
        'organizations:ListRoots',
        'organizations:ListPolicies',
        'organizations:ListTargetsForPolicy',
      ]),
  },
  {
    name: 'IAMReadOnlyAccess',
    description: 'Provides read only access to IAM via the AWS Management Console.',
    versionId: 'v4',
    created: '2015-02-06T18:40:00Z',
    updated: '2018-01-25T19:11:00Z',
    document: () =>
      allow(['iam:GenerateCredentialReport', 'iam:GenerateServiceLastAccessedDetails', 'iam:Get*', 'iam:List*', 'iam:SimulateCustomPolicy', 'iam:SimulatePrincipalPolicy']),
  },
  {
    name: 'ViewOnlyAccess',
    path: '/job-function/',
    description: 'This policy grants permissions to view resources and basic metadata across all AWS services',
    versionId: 'v1',
    created: '2016-11-10T17:20:00Z',
    updated: '2016-11-10T17:20:00Z',
    // DIVERGENCE: AWS's ViewOnlyAccess lists mostly `List*`/`Describe*` actions by hand; ours is
    // every action the catalog gives the List access level only (no Read), which is its intent.
    document: () => readOnlyDocument(isListOnly),
  },
];

function isReadOrList(action: ActionInfo): boolean {
  return action.accessLevels.every((level) => level === 'Read' || level === 'List');
}

function isListOnly(action: ActionInfo): boolean {
  return action.accessLevels.every((level) => level === 'List');
}

/**
 * One `Allow` of the catalog's actions that `include` accepts, kept short the way AWS writes such
 * policies: `service:Get*` when every action of the service starting with that verb is included
 * (and there are several), else the action's exact name.
 */
function readOnlyDocument(include: (action: ActionInfo) => boolean): PolicyDocument {
  const actions: string[] = [];
  for (const service of listServices()) {
    const byVerb = new Map<string, ActionInfo[]>();
    for (const action of actionsOfService(service.key)) {
      const verb = /^[A-Z][a-z0-9]*/.exec(action.name)?.[0] ?? action.name;
      const list = byVerb.get(verb) ?? [];
      list.push(action);
      byVerb.set(verb, list);
    }
    for (const [verb, list] of byVerb) {
      const included = list.filter(include);
      if (included.length > 1 && included.length === list.length) actions.push(`${service.key}:${verb}*`);
      else actions.push(...included.map((a) => a.action));
    }
  }
  return allow(actions);
}

let cache: { partition: string; policies: ManagedPolicyEntity[] } | undefined;

/** Fixed ids and dates so that every store holds byte-identical AWS managed policies. */
export function awsManagedPolicies(partition: string): ManagedPolicyEntity[] {
  if (cache?.partition !== partition) cache = { partition, policies: SOURCES.map((src, i) => toEntity(partition, src, i)) };
  return cache.policies.map((p) => ({ ...p, versions: p.versions.map((v) => ({ ...v })), tags: [] }));
}

function toEntity(partition: string, src: ManagedPolicySource, index: number): ManagedPolicyEntity {
  const path = src.path ?? '/';
  return {
    policyName: src.name,
    policyId: `ANPAAWSMANAGED${String(index).padStart(7, '0')}`,
    arn: `arn:${partition}:iam::aws:policy${path}${src.name}`,
    path,
    description: src.description,
    defaultVersionId: src.versionId,
    attachmentCount: 0,
    permissionsBoundaryUsageCount: 0,
    isAttachable: true,
    createDate: src.created,
    updateDate: src.updated,
    tags: [],
    versions: [{ versionId: src.versionId, document: JSON.stringify(src.document()), isDefaultVersion: true, createDate: src.updated }],
    nextVersion: Number(src.versionId.slice(1)) + 1,
  };
}
