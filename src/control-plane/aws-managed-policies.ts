/**
 * AWS managed policies (`arn:aws:iam::aws:policy/...`), present in every store. They belong to
 * the pseudo-account `aws` and cannot be changed through the API.
 */
import type { ManagedPolicyEntity } from '../core/model/iam-entities.js';
import type { PolicyDocument } from '../core/policy/index.js';

interface ManagedPolicySource {
  name: string;
  path?: string;
  description: string;
  document: PolicyDocument;
}

const SOURCES: ManagedPolicySource[] = [
  {
    name: 'AdministratorAccess',
    description: 'Provides full access to AWS services and resources.',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  },
];

/** Fixed ids and dates so that every store holds byte-identical AWS managed policies. */
const CREATED = '2015-02-06T18:39:46Z';

export function awsManagedPolicies(partition: string): ManagedPolicyEntity[] {
  return SOURCES.map((src, i) => {
    const path = src.path ?? '/';
    return {
      policyName: src.name,
      policyId: `ANPAAWSMANAGED${String(i).padStart(7, '0')}`,
      arn: `arn:${partition}:iam::aws:policy${path}${src.name}`,
      path,
      description: src.description,
      defaultVersionId: 'v1',
      attachmentCount: 0,
      permissionsBoundaryUsageCount: 0,
      isAttachable: true,
      createDate: CREATED,
      updateDate: CREATED,
      tags: [],
      versions: [{ versionId: 'v1', document: JSON.stringify(src.document), isDefaultVersion: true, createDate: CREATED }],
      nextVersion: 2,
    };
  });
}
