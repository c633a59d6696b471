/**
 * Lints a policy document with references checked against the store: the users, roles, groups
 * and managed policies it names must exist. The linter asks a synchronous resolver, and the store
 * is asynchronous, so the document is linted twice: a first pass notes what the rules ask about
 * (answering "cannot tell"), the store is read for just those entities, and a second pass gets
 * the answers. Linting is far cheaper than reading an account, and most documents name nothing.
 */
import { lintPolicy } from '../analysis/lint/lint-policy.js';
import type { EntityResolver, LintFinding } from '../analysis/lint/lint-types.js';
import { entityId, KIND } from '../core/model/iam-entities.js';
import type { PolicyKind } from '../core/policy/index.js';
import type { ReadTx } from '../store/ports.js';
import { findPolicy } from './entities.js';
import { parseIamArn } from './iam-arns.js';

type EntityKind = Parameters<EntityResolver['exists']>[0];

const PRINCIPAL_KINDS: Partial<Record<EntityKind, string>> = { user: KIND.user, role: KIND.role, group: KIND.group };

/** Whether the entity an ARN names exists; undefined when the store cannot tell (an account it does not hold). */
async function lookup(tx: ReadTx, kind: EntityKind, arn: string): Promise<boolean | undefined> {
  const parsed = parseIamArn(arn);
  if (!parsed) return undefined;
  if (kind === 'policy') {
    if (parsed.type !== 'policy') return false;
    if (await findPolicy(tx, arn)) return true;
    // Gatehouse carries only some of AWS's managed policies: any other may well exist on AWS.
    if (parsed.account === 'aws') return undefined;
  }
  // Accounts the store does not hold are other AWS accounts: nothing to check them against.
  if (!(await tx.get(KIND.account, parsed.account))) return undefined;
  if (kind === 'policy') return false;
  const storeKind = PRINCIPAL_KINDS[kind];
  // DIVERGENCE: Gatehouse has no OIDC or SAML providers yet, so none exists in an account it holds.
  if (!storeKind) return false;
  if (parsed.type !== kind) return false;
  const rec = await tx.get<{ arn: string }>(storeKind, entityId(parsed.account, parsed.name));
  // The path is part of the ARN: `user/a/alice` does not name the user `/b/alice`.
  return rec !== undefined && rec.data.arn === arn;
}

export interface StoreLintOptions {
  kind: PolicyKind;
  /** The account the policy belongs to. */
  accountId: string;
}

/** The lint findings of `document` (JSON text or a parsed document), references checked in `tx`. */
export async function lintWithStore(tx: ReadTx, document: unknown, options: StoreLintOptions): Promise<LintFinding[]> {
  const asked = new Map<string, { kind: EntityKind; arn: string }>();
  const first = lintPolicy(document, {
    kind: options.kind,
    accountId: options.accountId,
    resolver: {
      exists(kind, arn) {
        asked.set(`${kind} ${arn}`, { kind, arn });
        return undefined;
      },
    },
  });
  if (asked.size === 0) return first;
  const answers = new Map<string, boolean | undefined>();
  for (const [key, { kind, arn }] of asked) answers.set(key, await lookup(tx, kind, arn));
  return lintPolicy(document, { kind: options.kind, accountId: options.accountId, resolver: { exists: (kind, arn) => answers.get(`${kind} ${arn}`) } });
}
