/**
 * The account's credential report: GenerateCredentialReport and GetCredentialReport. The report
 * is the CSV of AWS's "Getting credential reports" (IAM User Guide), built in one read of the
 * account and kept as one record per account (`credential-report`, id = the account id).
 * That kind stays on the control plane: the replication feed sends only the kinds on its
 * allowlist (REPLICATED_KINDS), and data planes have no use for it.
 */
import { awsError } from '../../core/errors/index.js';
import { KIND, type AccessKeyEntity, type PasswordPolicy, type UserEntity } from '../../core/model/iam-entities.js';
import type { ReadTx } from '../../store/ports.js';
import { keyLastUsed } from '../access-key-usage.js';
import { defineOperation, type OperationContext } from '../context.js';
import { listAll, loadAccount } from '../entities.js';
import { rootArn } from '../iam-arns.js';

export interface CredentialReportEntity {
  /** ISO time the report was built. */
  generatedTime: string;
  /** The CSV text. */
  content: string;
}

/** AWS: a report may be regenerated once every four hours, and expires after four hours. */
export const REPORT_LIFETIME_MS = 4 * 60 * 60 * 1000;

export const REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

const NA = 'N/A';
const NOT_SUPPORTED = 'not_supported';
/** A key slot with no key, and the certificate columns (there are no signing certificates here). */
const NO_KEY = ['false', NA, NA, NA, NA];
const NO_CERTS = ['false', NA, 'false', NA];
const DAY_MS = 24 * 60 * 60 * 1000;

/** AWS's report times: ISO 8601, whole seconds, `+00:00` (`2014-10-20T16:34:32+00:00`). */
function reportTime(iso: string | number): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Real reports have `true`/`false` in lower case (prowler#1929), whatever the guide's TRUE/FALSE says. */
function flag(value: boolean): string {
  return value ? 'true' : 'false';
}

/** RFC 4180 quoting: user names and paths may hold commas (`[\w+=,.@-]`); AWS's own escaping is not documented. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The user's keys, oldest first: key 1 and key 2 of the report. */
async function userKeys(tx: ReadTx, account: string, user: UserEntity): Promise<AccessKeyEntity[]> {
  const keys: AccessKeyEntity[] = [];
  for (const id of user.accessKeys) {
    const rec = await tx.get<AccessKeyEntity>(KIND.accessKey, id);
    if (rec && rec.account === account) keys.push(rec.data);
  }
  return keys.sort((a, b) => a.createDate.localeCompare(b.createDate) || a.accessKeyId.localeCompare(b.accessKeyId));
}

/** The five columns of one key slot. */
async function keyColumns(tx: ReadTx, key: AccessKeyEntity | undefined): Promise<string[]> {
  if (!key) return NO_KEY;
  const used = await keyLastUsed(tx, key);
  // AWS-COMPAT: an inactive key still shows its dates (only a missing key is N/A), as real reports
  // do (cloud-custodian#5551, prowler#1929) despite the guide's "active access key" wording.
  return [flag(key.status === 'Active'), reportTime(key.createDate), used ? reportTime(used.lastUsedDate) : NA, used?.region || NA, used?.serviceName || NA];
}

async function userRow(tx: ReadTx, account: string, user: UserEntity, policy: PasswordPolicy | undefined): Promise<string[]> {
  const profile = user.loginProfile;
  const lastChanged = profile ? (profile.passwordLastChanged ?? profile.createDate) : undefined;
  const maxAge = policy?.maxPasswordAge ?? 0;
  const [key1, key2] = await userKeys(tx, account, user);
  return [
    user.userName,
    user.arn,
    reportTime(user.createDate),
    flag(Boolean(profile)),
    // no_information: a password never used to sign in; N/A: no password.
    profile ? (user.passwordLastUsed ? reportTime(user.passwordLastUsed) : 'no_information') : NA,
    lastChanged ? reportTime(lastChanged) : NA,
    lastChanged && maxAge > 0 ? reportTime(new Date(lastChanged).getTime() + maxAge * DAY_MS) : NA,
    flag(user.mfaDevices.length > 0),
    ...(await keyColumns(tx, key1)),
    ...(await keyColumns(tx, key2)),
    ...NO_CERTS,
  ];
}

/**
 * The report's CSV: header, the root user first (as AWS), then every user by name, as ListUsers
 * orders them (AWS's order of users is not documented).
 */
async function buildReport(ctx: OperationContext): Promise<string> {
  const account = await loadAccount(ctx.tx, ctx.account);
  // DIVERGENCE: there are no root credentials here, so the root row is that of a root user with
  // no password, access keys, MFA or certificates (password_last_used N/A, as for "no password").
  const root = [
    '<root_account>',
    rootArn(ctx.env.partition, ctx.account),
    reportTime(account.createDate),
    NOT_SUPPORTED,
    NA,
    NOT_SUPPORTED,
    NOT_SUPPORTED,
    'false',
    ...NO_KEY,
    ...NO_KEY,
    ...NO_CERTS,
  ];
  const rows = [[...REPORT_COLUMNS], root];
  for (const user of await listAll<UserEntity>(ctx.tx, KIND.user, ctx.account)) rows.push(await userRow(ctx.tx, ctx.account, user, account.passwordPolicy));
  // Lines end with \n and the last one has none: parsers of AWS's reports (cloudmapper) split
  // Content on \n and read fields from every line.
  return rows.map((row) => row.map(csvField).join(',')).join('\n');
}

async function findReport(tx: ReadTx, account: string): Promise<CredentialReportEntity | undefined> {
  return (await tx.get<CredentialReportEntity>(KIND.credentialReport, account))?.data;
}

function expired(report: CredentialReportEntity, now: Date): boolean {
  return now.getTime() - new Date(report.generatedTime).getTime() > REPORT_LIFETIME_MS;
}

export const generateCredentialReport = defineOperation({
  name: 'GenerateCredentialReport',
  write: true,
  resource: () => '*',
  async run(_input: Record<string, never>, ctx) {
    const existing = await findReport(ctx.tx, ctx.account);
    // AWS-COMPAT: a report of the last four hours is kept, and AWS answers COMPLETE with no Description.
    if (existing && !expired(existing, ctx.now)) return { state: 'COMPLETE' as const };
    const report: CredentialReportEntity = { generatedTime: ctx.now.toISOString(), content: await buildReport(ctx) };
    await ctx.tx.put(KIND.credentialReport, ctx.account, ctx.account, report);
    // DIVERGENCE: AWS builds the report in the background (GetCredentialReport answers
    // ReportInProgress meanwhile); we build it in this call, so it can be read at once. The answer
    // is still AWS's STARTED, and COMPLETE from the next call, which is what clients poll for.
    // AWS's Description when it replaces an expired report is not documented: we send none.
    return existing ? { state: 'STARTED' as const } : { state: 'STARTED' as const, description: 'No report exists. Starting a new report generation task' };
  },
});

export const getCredentialReport = defineOperation({
  name: 'GetCredentialReport',
  write: false,
  resource: () => '*',
  async run(_input: Record<string, never>, ctx) {
    const report = await findReport(ctx.tx, ctx.account);
    // DIVERGENCE: AWS sends these errors with no message (botocore prints "Unknown"); we send the
    // API reference's description of each.
    if (!report) {
      throw awsError('ReportNotPresent', 'The request was rejected because the credential report does not exist. To generate a credential report, use GenerateCredentialReport.');
    }
    if (expired(report, ctx.now)) {
      throw awsError('ReportExpired', 'The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.');
    }
    return { content: Buffer.from(report.content, 'utf8'), reportFormat: 'text/csv' as const, generatedTime: report.generatedTime };
  },
});

export const CREDENTIAL_REPORT_OPERATIONS = [generateCredentialReport, getCredentialReport];
