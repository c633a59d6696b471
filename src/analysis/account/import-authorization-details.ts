/**
 * Builds an `AccountModel` from `aws iam get-account-authorization-details` output, so a real AWS
 * account can be audited offline; the live store hands the same document in.
 *
 * Accepts what the clients produce: the AWS CLI's JSON (PascalCase keys, policy documents as
 * objects), the raw API's URL-encoded document strings, JSON text, camelCase keys, and several
 * pages concatenated as an array (`--no-paginate` output, or one file per page). Never throws:
 * what cannot be read becomes an `ImportWarning`.
 */
import type { ProgressListener } from '../progress.js';
import { progressReporter } from '../progress.js';
import type { AccessKey, AccountGroup, AccountModel, AccountRole, AccountUser, ImportWarning, InlinePolicy, ManagedPolicy, PolicyVersion, Tag } from './account-model.js';

type Json = unknown;
type Obj = Record<string, Json>;

export interface ImportOptions {
  onProgress?: ProgressListener;
  /** The account, when no ARN in the document names it. */
  accountId?: string;
}

export interface ImportResult {
  model: AccountModel;
  warnings: ImportWarning[];
}

function isObj(v: Json): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A field by its PascalCase name, or the camelCase one our own API uses. */
function field(o: Obj, name: string): Json {
  if (Object.hasOwn(o, name)) return o[name];
  const camel = name[0].toLowerCase() + name.slice(1);
  return Object.hasOwn(o, camel) ? o[camel] : undefined;
}

function str(o: Obj, name: string): string | undefined {
  const v = field(o, name);
  return typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : undefined;
}

function list(o: Obj, name: string): Json[] {
  const v = field(o, name);
  return Array.isArray(v) ? v : [];
}

/** A policy document as the source gave it: an object, JSON text, or URL-encoded JSON text. */
export function parsePolicyDocument(value: Json): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trimStart().startsWith('%7B') || value.trimStart().startsWith('%7b') ? safeDecode(value) : value;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
}

function tags(o: Obj): Tag[] {
  return list(o, 'Tags').flatMap((t) => (isObj(t) && typeof field(t, 'Key') === 'string' ? [{ key: field(t, 'Key') as string, value: String(field(t, 'Value') ?? '') }] : []));
}

function inline(o: Obj, name: string): InlinePolicy[] {
  return list(o, name).flatMap((p) => (isObj(p) ? [{ name: str(p, 'PolicyName') ?? '', document: parsePolicyDocument(field(p, 'PolicyDocument')) }] : []));
}

function attached(o: Obj): string[] {
  return list(o, 'AttachedManagedPolicies').flatMap((p) => (isObj(p) && typeof field(p, 'PolicyArn') === 'string' ? [field(p, 'PolicyArn') as string] : []));
}

function boundary(o: Obj): string | undefined {
  const b = field(o, 'PermissionsBoundary');
  return isObj(b) ? str(b, 'PermissionsBoundaryArn') : undefined;
}

function accessKeys(o: Obj): AccessKey[] | undefined {
  const keys = field(o, 'AccessKeys');
  if (!Array.isArray(keys)) return undefined;
  return keys.flatMap((k) =>
    isObj(k) && typeof field(k, 'AccessKeyId') === 'string'
      ? [{ accessKeyId: str(k, 'AccessKeyId') as string, status: str(k, 'Status') === 'Inactive' ? 'Inactive' : 'Active', createDate: str(k, 'CreateDate'), lastUsedDate: str(k, 'LastUsedDate'), lastUsedService: str(k, 'LastUsedService') } as AccessKey]
      : [],
  );
}

function user(o: Obj): AccountUser {
  return {
    kind: 'user',
    arn: str(o, 'Arn') ?? '',
    name: str(o, 'UserName') ?? '',
    id: str(o, 'UserId') ?? '',
    path: str(o, 'Path') ?? '/',
    createDate: str(o, 'CreateDate'),
    inlinePolicies: inline(o, 'UserPolicyList'),
    attachedPolicies: attached(o),
    groups: list(o, 'GroupList').filter((g): g is string => typeof g === 'string'),
    permissionsBoundary: boundary(o),
    tags: tags(o),
    // Gatehouse's own export adds these; AWS's command has them in the credential report instead.
    passwordLastUsed: str(o, 'PasswordLastUsed'),
    hasPassword: typeof field(o, 'HasPassword') === 'boolean' ? (field(o, 'HasPassword') as boolean) : undefined,
    accessKeys: accessKeys(o),
    mfaDevices: typeof field(o, 'MfaDevices') === 'number' ? (field(o, 'MfaDevices') as number) : undefined,
  };
}

function group(o: Obj): AccountGroup {
  return {
    kind: 'group',
    arn: str(o, 'Arn') ?? '',
    name: str(o, 'GroupName') ?? '',
    id: str(o, 'GroupId') ?? '',
    path: str(o, 'Path') ?? '/',
    createDate: str(o, 'CreateDate'),
    inlinePolicies: inline(o, 'GroupPolicyList'),
    attachedPolicies: attached(o),
  };
}

function role(o: Obj): AccountRole {
  const lastUsed = field(o, 'RoleLastUsed');
  return {
    kind: 'role',
    arn: str(o, 'Arn') ?? '',
    name: str(o, 'RoleName') ?? '',
    id: str(o, 'RoleId') ?? '',
    path: str(o, 'Path') ?? '/',
    createDate: str(o, 'CreateDate'),
    trustPolicy: parsePolicyDocument(field(o, 'AssumeRolePolicyDocument')),
    inlinePolicies: inline(o, 'RolePolicyList'),
    attachedPolicies: attached(o),
    permissionsBoundary: boundary(o),
    tags: tags(o),
    description: str(o, 'Description'),
    maxSessionDuration: typeof field(o, 'MaxSessionDuration') === 'number' ? (field(o, 'MaxSessionDuration') as number) : undefined,
    lastUsedDate: isObj(lastUsed) ? str(lastUsed, 'LastUsedDate') : undefined,
    lastUsedRegion: isObj(lastUsed) ? str(lastUsed, 'Region') : undefined,
    instanceProfiles: list(o, 'InstanceProfileList').flatMap((p) => (isObj(p) && typeof field(p, 'Arn') === 'string' ? [field(p, 'Arn') as string] : [])),
  };
}

function policy(o: Obj): ManagedPolicy {
  const arn = str(o, 'Arn') ?? '';
  const versions: PolicyVersion[] = list(o, 'PolicyVersionList').flatMap((v) =>
    isObj(v) ? [{ versionId: str(v, 'VersionId') ?? '', isDefault: field(v, 'IsDefaultVersion') === true, document: parsePolicyDocument(field(v, 'Document')), createDate: str(v, 'CreateDate') }] : [],
  );
  const defaultVersionId = str(o, 'DefaultVersionId') ?? versions.find((v) => v.isDefault)?.versionId ?? '';
  const def = versions.find((v) => v.versionId === defaultVersionId) ?? versions.find((v) => v.isDefault);
  return {
    arn,
    name: str(o, 'PolicyName') ?? '',
    path: str(o, 'Path') ?? '/',
    id: str(o, 'PolicyId'),
    awsManaged: /^arn:[^:]+:iam::aws:policy\//.test(arn),
    defaultVersionId,
    versions,
    defaultDocument: def?.document,
    attachmentCount: typeof field(o, 'AttachmentCount') === 'number' ? (field(o, 'AttachmentCount') as number) : undefined,
    createDate: str(o, 'CreateDate'),
    updateDate: str(o, 'UpdateDate'),
  };
}

/** `arn:aws:iam::111122223333:user/x` → ['aws', '111122223333']. */
function arnAccount(arn: string): [string, string] | undefined {
  const m = /^arn:([^:]+):iam::(\d{12}):/.exec(arn);
  return m ? [m[1], m[2]] : undefined;
}

/** The model of the account `input` describes (one page object, or an array of pages). */
export function importAuthorizationDetails(input: unknown, options: ImportOptions = {}): ImportResult {
  const warnings: ImportWarning[] = [];
  const pages = Array.isArray(input) ? input : [input];
  const model: AccountModel = { accountId: options.accountId ?? '', partition: 'aws', users: [], groups: [], roles: [], policies: new Map() };
  let total = 0;
  for (const page of pages) if (isObj(page)) for (const key of ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies']) total += list(page, key).length;
  const report = progressReporter(options.onProgress, 'import', total);
  let done = 0;
  pages.forEach((page, p) => {
    const at = pages.length > 1 ? `$[${p}]` : '$';
    if (!isObj(page)) {
      warnings.push({ path: at, message: 'Expected an object with UserDetailList, GroupDetailList, RoleDetailList and Policies.' });
      return;
    }
    if (!['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'].some((k) => field(page, k) !== undefined)) {
      warnings.push({ path: at, message: 'No UserDetailList, GroupDetailList, RoleDetailList or Policies: is this get-account-authorization-details output?' });
    }
    const each = <T>(key: string, build: (o: Obj) => T, add: (t: T) => void) =>
      list(page, key).forEach((o, i) => {
        if (isObj(o)) add(build(o));
        else warnings.push({ path: `${at}.${key}[${i}]`, message: 'Not an object; skipped.' });
        report(++done);
      });
    each('UserDetailList', user, (u) => model.users.push(u));
    each('GroupDetailList', group, (g) => model.groups.push(g));
    each('RoleDetailList', role, (r) => model.roles.push(r));
    each('Policies', policy, (pol) => model.policies.set(pol.arn, pol));
  });
  report(total);
  if (!model.accountId) {
    for (const e of [...model.users, ...model.roles, ...model.groups, ...model.policies.values()]) {
      const found = arnAccount(e.arn);
      if (found) {
        [model.partition, model.accountId] = found;
        break;
      }
    }
  } else {
    const any = [...model.users, ...model.roles, ...model.groups].find((e) => arnAccount(e.arn));
    if (any) model.partition = (arnAccount(any.arn) as [string, string])[0];
  }
  // Attachments to policies the document does not describe (AWS leaves out unused AWS managed
  // policies only, so this means a truncated or hand-edited export) grant nothing here.
  const principals = [...model.users, ...model.groups, ...model.roles];
  for (const p of principals) {
    for (const arn of p.attachedPolicies) {
      if (!model.policies.has(arn)) warnings.push({ path: p.arn, message: `Attached policy ${arn} is not in the document; its permissions are not counted.` });
    }
  }
  return { model, warnings };
}
