/**
 * The resource tag keys IAM sets when a request acts on a tagged IAM resource: `aws:ResourceTag/<key>`
 * for users, roles, customer managed policies, virtual MFA devices and instance profiles, and
 * `iam:ResourceTag/<key>` too for users and roles, as the service authorization reference lists
 * them for each resource type. The values are the tags the resource has before the call (a
 * TagRole is authorized against the tags it replaces); a resource that does not exist yet has none.
 */
import { getResourceType } from '../core/catalog/index.js';
import type { Tag } from '../core/model/iam-entities.js';
import type { ReadTx } from '../store/ports.js';
import { findInstanceProfile, findMfaDevice, findPolicy, findRole, findUser } from './entities.js';
import { parseIamArn } from './iam-arns.js';

const TAG_KEY = '${TagKey}';

/** `aws:ResourceTag/` and, where the type has it, `iam:ResourceTag/`: per IAM resource type, from the catalog. */
const prefixesByType = new Map<string, string[]>();

function tagKeyPrefixes(type: string): string[] {
  let prefixes = prefixesByType.get(type);
  if (!prefixes) {
    const keys = getResourceType('iam', type)?.conditionKeys ?? [];
    prefixes = keys.filter((k) => k.endsWith(`ResourceTag/${TAG_KEY}`)).map((k) => k.slice(0, -TAG_KEY.length));
    prefixesByType.set(type, prefixes);
  }
  return prefixes;
}

/** The tags of the IAM resource `arn` names, if it exists in this partition and account and can carry tags. */
async function tagsOf(tx: ReadTx, partition: string, account: string, arn: string): Promise<Tag[] | undefined> {
  const parsed = parseIamArn(arn);
  if (!parsed || parsed.partition !== partition || parsed.account !== account) return undefined;
  switch (parsed.type) {
    case 'user': {
      const user = await findUser(tx, account, parsed.name);
      return user?.arn === arn ? user.tags : undefined;
    }
    case 'role': {
      const role = await findRole(tx, account, parsed.name);
      return role?.arn === arn ? role.tags : undefined;
    }
    case 'policy':
      return (await findPolicy(tx, arn))?.tags;
    case 'mfa':
      return (await findMfaDevice(tx, partition, account, arn))?.device.tags;
    case 'instance-profile': {
      const profile = await findInstanceProfile(tx, account, parsed.name);
      return profile?.arn === arn ? profile.tags : undefined;
    }
    default:
      return undefined;
  }
}

/** The resource tag condition keys for a request on `resource` in `account`; undefined when there are none. */
export async function resourceTagContext(tx: ReadTx, partition: string, account: string, resource: string): Promise<Record<string, string> | undefined> {
  const tags = await tagsOf(tx, partition, account, resource);
  if (!tags?.length) return undefined;
  const prefixes = tagKeyPrefixes(parseIamArn(resource)!.type);
  if (!prefixes.length) return undefined;
  const out: Record<string, string> = {};
  for (const tag of tags) for (const prefix of prefixes) out[prefix + tag.key] = tag.value;
  return out;
}
