/** The account password policy: UpdateAccountPasswordPolicy, GetAccountPasswordPolicy, DeleteAccountPasswordPolicy, and the check every new password passes. */
import { awsError } from '../../core/errors/index.js';
import { KIND, type AccountEntity, type PasswordPolicy } from '../../core/model/iam-entities.js';
import type { WriteTx } from '../../store/ports.js';
import { defineOperation } from '../context.js';
import { loadAccount } from '../entities.js';

/** The symbols AWS counts as "non-alphanumeric" in password rules. */
const SYMBOLS = new Set("!@#$%^&*()_+-=[]{}|'");

export const PASSWORD_POLICY_VIOLATION = 'Password does not conform to the account password policy.';

/** The classes of characters a password contains. */
function characterClasses(password: string) {
  return {
    upper: /[A-Z]/.test(password),
    lower: /[a-z]/.test(password),
    number: /[0-9]/.test(password),
    symbol: [...password].some((c) => SYMBOLS.has(c)),
  };
}

/**
 * Whether `password` satisfies the account's custom policy or, when there is none, AWS's default
 * policy (at least 8 characters and three of the four character classes).
 */
export function passwordConforms(password: string, policy: PasswordPolicy | undefined): boolean {
  const has = characterClasses(password);
  if (!policy) {
    // AWS-COMPAT: the default policy applies whenever no custom policy is set. Its third rule (not
    // identical to the account name or email) has nothing to compare with here.
    return password.length >= 8 && [has.upper, has.lower, has.number, has.symbol].filter(Boolean).length >= 3;
  }
  if (password.length < policy.minimumPasswordLength) return false;
  if (policy.requireUppercaseCharacters && !has.upper) return false;
  if (policy.requireLowercaseCharacters && !has.lower) return false;
  if (policy.requireNumbers && !has.number) return false;
  if (policy.requireSymbols && !has.symbol) return false;
  return true;
}

/** Throws AWS's PasswordPolicyViolation unless `password` conforms. */
export function checkPasswordPolicy(password: string, policy: PasswordPolicy | undefined): void {
  if (!passwordConforms(password, policy)) throw awsError('PasswordPolicyViolation', PASSWORD_POLICY_VIOLATION);
}

/** The `PasswordPolicy` shape of the API. */
export function passwordPolicyOutput(policy: PasswordPolicy) {
  return {
    minimumPasswordLength: policy.minimumPasswordLength,
    requireSymbols: policy.requireSymbols,
    requireNumbers: policy.requireNumbers,
    requireUppercaseCharacters: policy.requireUppercaseCharacters,
    requireLowercaseCharacters: policy.requireLowercaseCharacters,
    allowUsersToChangePassword: policy.allowUsersToChangePassword,
    expirePasswords: policy.expirePasswords,
    maxPasswordAge: policy.maxPasswordAge,
    passwordReusePrevention: policy.passwordReusePrevention,
    hardExpiry: policy.hardExpiry,
  };
}

function noPolicy(account: string) {
  return awsError('NoSuchEntity', `The Password Policy with domain name ${account} cannot be found.`);
}

async function saveAccount(tx: WriteTx, account: AccountEntity): Promise<void> {
  await tx.put(KIND.account, account.accountId, account.accountId, account);
}

interface UpdatePasswordPolicyInput {
  minimumPasswordLength?: number;
  requireSymbols?: boolean;
  requireNumbers?: boolean;
  requireUppercaseCharacters?: boolean;
  requireLowercaseCharacters?: boolean;
  allowUsersToChangePassword?: boolean;
  maxPasswordAge?: number;
  passwordReusePrevention?: number;
  hardExpiry?: boolean;
}

export const updateAccountPasswordPolicy = defineOperation({
  name: 'UpdateAccountPasswordPolicy',
  write: true,
  resource: () => '*',
  async run(input: UpdatePasswordPolicyInput, ctx) {
    const account = await loadAccount(ctx.tx, ctx.account);
    // AWS-COMPAT: no partial updates; every omitted parameter reverts to its documented default
    // (length 6, every flag false, no expiry, no reuse prevention). A default of 0 for age and
    // reuse means "not set", so those members are left out of GetAccountPasswordPolicy, as AWS does.
    const policy: PasswordPolicy = {
      minimumPasswordLength: input.minimumPasswordLength ?? 6,
      requireSymbols: input.requireSymbols ?? false,
      requireNumbers: input.requireNumbers ?? false,
      requireUppercaseCharacters: input.requireUppercaseCharacters ?? false,
      requireLowercaseCharacters: input.requireLowercaseCharacters ?? false,
      allowUsersToChangePassword: input.allowUsersToChangePassword ?? false,
      expirePasswords: (input.maxPasswordAge ?? 0) > 0,
      maxPasswordAge: input.maxPasswordAge,
      passwordReusePrevention: input.passwordReusePrevention,
      hardExpiry: input.hardExpiry,
    };
    await saveAccount(ctx.tx, { ...account, passwordPolicy: policy });
    return undefined;
  },
});

export const getAccountPasswordPolicy = defineOperation({
  name: 'GetAccountPasswordPolicy',
  write: false,
  resource: () => '*',
  async run(_input: Record<string, never>, ctx) {
    const account = await loadAccount(ctx.tx, ctx.account);
    if (!account.passwordPolicy) throw noPolicy(ctx.account);
    return { passwordPolicy: passwordPolicyOutput(account.passwordPolicy) };
  },
});

export const deleteAccountPasswordPolicy = defineOperation({
  name: 'DeleteAccountPasswordPolicy',
  write: true,
  resource: () => '*',
  async run(_input: Record<string, never>, ctx) {
    const account = await loadAccount(ctx.tx, ctx.account);
    if (!account.passwordPolicy) throw noPolicy(ctx.account);
    await saveAccount(ctx.tx, { ...account, passwordPolicy: undefined });
    return undefined;
  },
});

export const PASSWORD_POLICY_OPERATIONS = [updateAccountPasswordPolicy, getAccountPasswordPolicy, deleteAccountPasswordPolicy];
