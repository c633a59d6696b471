/**
 * The use cases behind the JSON analysis API (`/v1/analysis/…`, docs/analysis-api.md). They are
 * not IAM API operations (the Query API does not route to them) but run through
 * `IamService.callOperation`, so they are authorized by the engine with the caller's policies
 * like any IAM call, each as the action it names.
 */
import { awsError } from '../core/errors/index.js';
import { KIND, type AccessKeyEntity, type AccessKeyUsageEntity } from '../core/model/iam-entities.js';
import type { PolicyKind } from '../core/policy/index.js';
import { keyLastUsed } from './access-key-usage.js';
import { defineOperation, type OperationContext } from './context.js';
import { findRole, findUser } from './entities.js';
import { lintWithStore } from './lint-with-store.js';
import { getAccountAuthorizationDetails } from './operations/account-details.js';
import { isPolicyLintMode, POLICY_LINT_MODES, readAnalysisSettings, writeAnalysisSettings } from './policy-lint-setting.js';

/** What the export adds to each user: AWS's command has it in the credential report instead. */
async function userExtras(ctx: OperationContext, userName: string, pendingUse: (accessKeyId: string) => AccessKeyUsageEntity | undefined) {
  const user = await findUser(ctx.tx, ctx.account, userName);
  if (!user) return {};
  const accessKeys = [];
  for (const id of user.accessKeys) {
    const key = (await ctx.tx.get<AccessKeyEntity>(KIND.accessKey, id))?.data;
    if (!key) continue;
    // Use not yet written to the store (it is written in batches) is newer than what is.
    const used = pendingUse(id) ?? (await keyLastUsed(ctx.tx, key));
    accessKeys.push({ accessKeyId: key.accessKeyId, status: key.status, createDate: key.createDate, lastUsedDate: used?.lastUsedDate, lastUsedService: used?.serviceName, lastUsedRegion: used?.region });
  }
  return { accessKeys, passwordLastUsed: user.passwordLastUsed, hasPassword: user.loginProfile !== undefined, mfaDevices: user.mfaDevices.length };
}

/**
 * The caller's whole account as GetAccountAuthorizationDetails describes it (every page in one),
 * with each user's access keys and their last use, password use and MFA device count, and each
 * role's description and maximum session duration.
 */
export function exportAccountOperation(pendingUse: (accessKeyId: string) => AccessKeyUsageEntity | undefined = () => undefined) {
  return defineOperation({
    name: 'GetAccountAuthorizationDetails',
    write: false,
    action: 'iam:GetAccountAuthorizationDetails',
    resource: () => '*',
    async run(_input: Record<string, never>, ctx) {
      const details = await getAccountAuthorizationDetails.run({ maxItems: Number.MAX_SAFE_INTEGER }, ctx);
      const userDetailList = [];
      for (const u of details.userDetailList) userDetailList.push({ ...u, ...(await userExtras(ctx, u.userName, pendingUse)) });
      // GetRole has these and the detail list does not: access reviews want them.
      const roleDetailList = [];
      for (const r of details.roleDetailList) {
        const role = await findRole(ctx.tx, ctx.account, r.roleName);
        roleDetailList.push({ ...r, description: role?.description, maxSessionDuration: role?.maxSessionDuration });
      }
      return { accountId: ctx.account, ...details, userDetailList, roleDetailList, isTruncated: false, marker: undefined };
    },
  });
}

export const getAnalysisSettings = defineOperation({
  name: 'GetAnalysisSettings',
  write: false,
  // DIVERGENCE: a Gatehouse setting, so a Gatehouse action (AWS has no such setting).
  action: 'gatehouse:GetAnalysisSettings',
  resource: () => '*',
  run: (_input: Record<string, never>, ctx) => readAnalysisSettings(ctx.tx, ctx.account),
});

export const putAnalysisSettings = defineOperation({
  name: 'PutAnalysisSettings',
  write: true,
  // DIVERGENCE: a Gatehouse setting, so a Gatehouse action (AWS has no such setting).
  action: 'gatehouse:PutAnalysisSettings',
  resource: () => '*',
  async run(input: { policyLint?: unknown }, ctx) {
    const current = await readAnalysisSettings(ctx.tx, ctx.account);
    if (input.policyLint !== undefined && !isPolicyLintMode(input.policyLint)) {
      throw awsError('ValidationError', `policyLint must be one of ${POLICY_LINT_MODES.join(', ')}.`);
    }
    const settings = { ...current, ...(input.policyLint !== undefined ? { policyLint: input.policyLint } : {}) };
    await writeAnalysisSettings(ctx.tx, ctx.account, settings);
    return settings;
  },
});

const POLICY_KINDS: readonly PolicyKind[] = ['identity', 'resource', 'trust', 'boundary', 'scp', 'session'];

/** Lint findings of a document, its references checked against the caller's account. */
export const validatePolicyOperation = defineOperation({
  name: 'ValidatePolicy',
  write: false,
  // Access Analyzer's action for the same service (it has no resource type).
  action: 'access-analyzer:ValidatePolicy',
  resource: () => '*',
  async run(input: { policy?: unknown; kind?: unknown }, ctx) {
    const kind = input.kind ?? 'identity';
    if (!POLICY_KINDS.includes(kind as PolicyKind)) throw awsError('ValidationError', `kind must be one of ${POLICY_KINDS.join(', ')}.`);
    if (input.policy === undefined || input.policy === null) throw awsError('ValidationError', 'policy is required: the policy document, as an object or as JSON text.');
    return { findings: await lintWithStore(ctx.tx, input.policy, { kind: kind as PolicyKind, accountId: ctx.account }) };
  },
});

/**
 * Authorizes reading recorded usage (the server reads it: it lives in the data planes' files).
 * The resource is the principal asked about, as GenerateServiceLastAccessedDetails names it.
 */
export const authorizeUsageRead = defineOperation({
  name: 'GetAuthorizationUsage',
  write: false,
  action: 'iam:GenerateServiceLastAccessedDetails',
  resource: (input: { principal?: string }) => input.principal ?? '*',
  run: async () => undefined,
});
