/** The account alias (AWS allows one): CreateAccountAlias, DeleteAccountAlias, ListAccountAliases. */
import { awsError } from '../../core/errors/index.js';
import { KIND, type AccountEntity } from '../../core/model/iam-entities.js';
import type { ReadTx } from '../../store/ports.js';
import { defineOperation } from '../context.js';
import { loadAccount } from '../entities.js';
import { paginate } from '../paging.js';

/** Whether any account in the store already holds `alias` (aliases are unique across accounts). */
async function aliasTaken(tx: ReadTx, alias: string): Promise<boolean> {
  const accounts = await tx.list<AccountEntity>(KIND.account);
  return accounts.items.some((rec) => rec.data.alias === alias);
}

export const createAccountAlias = defineOperation({
  name: 'CreateAccountAlias',
  write: true,
  resource: () => '*',
  async run(input: { accountAlias: string }, ctx) {
    const account = await loadAccount(ctx.tx, ctx.account);
    // The model's pattern allows it, but an alias must not pass for an account id.
    if (/^\d{12}$/.test(input.accountAlias)) throw awsError('InvalidInput', `The account alias ${input.accountAlias} is not valid: it cannot be a 12-digit number.`);
    // AWS-COMPAT: the alias this account already holds counts as taken too.
    if (await aliasTaken(ctx.tx, input.accountAlias)) throw awsError('EntityAlreadyExists', `The account alias ${input.accountAlias} already exists.`);
    // AWS-COMPAT: a second alias replaces the first rather than exceeding the quota of one.
    await ctx.tx.put(KIND.account, account.accountId, account.accountId, { ...account, alias: input.accountAlias });
    return undefined;
  },
});

export const deleteAccountAlias = defineOperation({
  name: 'DeleteAccountAlias',
  write: true,
  resource: () => '*',
  async run(input: { accountAlias: string }, ctx) {
    const account = await loadAccount(ctx.tx, ctx.account);
    // Only the current alias, by name: a stale name must not clear a newer alias.
    if (account.alias !== input.accountAlias) throw awsError('NoSuchEntity', `The account alias ${input.accountAlias} cannot be found.`);
    await ctx.tx.put(KIND.account, account.accountId, account.accountId, { ...account, alias: undefined });
    return undefined;
  },
});

export const listAccountAliases = defineOperation({
  name: 'ListAccountAliases',
  write: false,
  resource: () => '*',
  async run(input: { marker?: string; maxItems?: number }, ctx) {
    const account = await loadAccount(ctx.tx, ctx.account);
    const page = paginate(account.alias ? [account.alias] : [], (a) => a, input.marker, input.maxItems);
    return { accountAliases: page.items, isTruncated: page.isTruncated, marker: page.marker };
  },
});

export const ACCOUNT_ALIAS_OPERATIONS = [createAccountAlias, deleteAccountAlias, listAccountAliases];
