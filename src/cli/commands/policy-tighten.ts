/**
 * `gatehouse policy tighten --principal ARN`: proposes tighter policies from observed use, shows
 * the diff with a reason for each removal and the proof that nothing is widened, and with
 * `--apply` writes them through the IAM API (a new default version of a managed policy; the
 * inline policy replaced after its old document is saved), printing how to undo each change.
 */
import { join } from 'node:path';
import { proposeTightening, policyDiff, policyLabel, prettyJson, statementKey, type PolicyProposal, type TighteningResult } from '../../analysis/tighten/index.js';
import { createLiveClient, type LiveClient } from '../live-client.js';
import type { CliIo } from '../io.js';
import { findPrincipal, loadInputs, parseCommand, unknownPrincipal, writeNewFile, type UsageCliIo } from './usage.js';
import { ACCOUNT_SOURCE_HELP } from '../account-source.js';

const USAGE = `Usage: gatehouse policy tighten --principal ARN [options]

Proposes a replacement for each identity policy of the user or role from what it used since T:
statements that allowed observed requests stay, narrowed to the actions and resources used (their
conditions kept); the rest go, each removal with its reason. Then proves that each proposal grants
nothing the current policy does not: every action and resource pattern of the proposal is checked
against the current policy with the policy engine.

Options:
  --principal ARN       The user or role (ARN, a role session's ARN, or a name).
  --since T             Start of the period (default 30d): an ISO time, or an age such as 30d.
  --max-resources N     Exact resources per action before grouping under a wildcard (default 3).
${ACCOUNT_SOURCE_HELP}  --usage FILE          Recorded usage: a JSON array of usage records, or a usage.db (repeatable).
  --data-dir DIR        Every usage database of a Gatehouse data folder on this machine.
                        Without --usage or --data-dir, usage comes from --endpoint.
  --apply               Write the proposals through the IAM API of --endpoint: CreatePolicyVersion
                        (SetAsDefault) for managed policies, Put{User,Role,Group}Policy for inline
                        ones after saving their current document; refused when the proof fails.
  --backup-dir DIR      Where --apply saves inline policies' current documents (default: .).
  --json                Print the proposals, the proof (and what was applied) as JSON.
  -h, --help            Show this help.

Exit status: 0 on success, 1 when the proof fails, --apply fails or a source cannot be read,
2 for a usage error or an unknown principal.
`;

/** The IAM writes `--apply` needs; `liveIamWriter` speaks them to a running Gatehouse (or AWS). */
export interface IamWriter {
  /** The policy's versions, and which is the default. */
  listPolicyVersions(policyArn: string): Promise<{ versionId: string; isDefault: boolean }[]>;
  createPolicyVersion(policyArn: string, document: string, setAsDefault: boolean): Promise<{ versionId: string }>;
  /** The inline policy's document as JSON text; undefined when it does not exist. */
  getInlinePolicy(owner: InlineOwner, policyName: string): Promise<string | undefined>;
  putInlinePolicy(owner: InlineOwner, policyName: string, document: string): Promise<void>;
}

export interface InlineOwner {
  kind: 'user' | 'role' | 'group';
  name: string;
}

/** What `policy tighten` may use beyond the usage commands' io. */
export interface TightenCliIo extends UsageCliIo {
  /** The IAM writer for `--apply` (default: the live client of `--endpoint`). */
  iamWriter?: (options: { endpoint: string; credentialsFile?: string }) => IamWriter;
  /** The proposer (default proposeTightening); tests pass a faulty one to see --apply refuse. */
  tighten?: typeof proposeTightening;
}

const OWNER_PARAM: Record<InlineOwner['kind'], string> = { user: 'UserName', role: 'RoleName', group: 'GroupName' };
const OWNER_VERB: Record<InlineOwner['kind'], string> = { user: 'User', role: 'Role', group: 'Group' };
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e[0] !== '#' ? ENTITIES[e] : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
  );
}

function xmlField(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? unescapeXml(m[1]) : undefined;
}

/** IAM's policy documents come URL-encoded. */
function decodeDocument(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The IAM Query calls of `--apply`, through the CLI's live client. */
export function liveIamWriter(client: LiveClient): IamWriter {
  return {
    async listPolicyVersions(policyArn) {
      const xml = await client.iamOk('ListPolicyVersions', { PolicyArn: policyArn, MaxItems: '100' });
      const versions = /<Versions>([\s\S]*?)<\/Versions>/.exec(xml)?.[1] ?? '';
      return [...versions.matchAll(/<member>([\s\S]*?)<\/member>/g)].map((m) => ({ versionId: xmlField(m[1], 'VersionId') ?? '', isDefault: xmlField(m[1], 'IsDefaultVersion') === 'true' }));
    },
    async createPolicyVersion(policyArn, document, setAsDefault) {
      const xml = await client.iamOk('CreatePolicyVersion', { PolicyArn: policyArn, PolicyDocument: document, SetAsDefault: String(setAsDefault) });
      return { versionId: xmlField(xml, 'VersionId') ?? '' };
    },
    async getInlinePolicy(owner, policyName) {
      const res = await client.iam(`Get${OWNER_VERB[owner.kind]}Policy`, { [OWNER_PARAM[owner.kind]]: owner.name, PolicyName: policyName });
      if (res.status === 404) return undefined;
      if (res.status < 200 || res.status > 299) await client.iamOk(`Get${OWNER_VERB[owner.kind]}Policy`, { [OWNER_PARAM[owner.kind]]: owner.name, PolicyName: policyName });
      const doc = xmlField(res.body, 'PolicyDocument');
      return doc === undefined ? undefined : decodeDocument(doc);
    },
    async putInlinePolicy(owner, policyName, document) {
      await client.iamOk(`Put${OWNER_VERB[owner.kind]}Policy`, { [OWNER_PARAM[owner.kind]]: owner.name, PolicyName: policyName, PolicyDocument: document });
    },
  };
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`gatehouse policy tighten: ${message}\n\n${USAGE}`);
  return 2;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

export const PROOF_OK = (checked: number) => `Proof: the proposal grants nothing the current policy does not (checked ${plural(checked, 'action/resource pair')})`;

/** The report a reviewer reads: per policy the diff and removals, then the proof. */
export function formatTightening(r: TighteningResult): string {
  const out: string[] = [];
  const p = r.principal;
  if (!p) return `${r.warnings.join('\n')}\n`;
  out.push(`Tightening ${p.kind} ${p.name} (${p.arn}) from its use since ${day(r.since)}: ${plural(r.usage.records, 'usage record')}, ${plural(r.usage.requests, 'request')}, ${plural(r.usage.actions, 'action')}\n`);
  for (const w of r.warnings) out.push(`${w}\n`);
  for (const policy of r.policies) {
    out.push('\n');
    if (policy.sharedWith.length) out.push(`${policyLabel(policy)} is shared with ${policy.sharedWith.join(', ')}: their recorded use is kept too\n`);
    out.push(policyDiff(policy));
  }
  if (!r.policies.some((x) => x.changed)) {
    if (r.policies.length) out.push('\nNothing to tighten: every statement was used as written.\n');
    return out.join('');
  }
  out.push('\n');
  if (r.proof.proven) out.push(`${PROOF_OK(r.proof.checked)}\n`);
  else {
    out.push(`Proof FAILED: the proposal could grant what the current policy does not (checked ${plural(r.proof.checked, 'action/resource pair')}):\n`);
    for (const c of r.proof.counterexamples) out.push(`  - ${c.policyId} proposed $.Statement[${c.statementIndex}]: ${c.message}\n`);
  }
  return out.join('');
}

interface Applied {
  policyId: string;
  kind: 'managed' | 'inline';
  status: 'applied' | 'skipped';
  /** Managed: the new default version and the one it replaced. */
  versionId?: string;
  previousVersionId?: string;
  /** Inline: where the replaced document was saved. */
  backupFile?: string;
  /** Why it was skipped, or what to do by hand. */
  note?: string;
  /** Commands that undo the change (or do the skipped step). */
  commands: string[];
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function ownerFlag(kind: InlineOwner['kind']): string {
  return `--${kind}-name`;
}

/** Both ways to run an IAM CLI command: against AWS, and against the Gatehouse at `endpoint`. */
function both(endpoint: string, command: string): string[] {
  return [`aws iam ${command}`, `aws --endpoint-url ${endpoint} iam ${command}`];
}

/**
 * Checks every change can be made as planned (versions below IAM's limit of 5, the documents the
 * proposal started from still in force), then makes them. Nothing is written when a check fails.
 */
async function apply(result: TighteningResult, writer: IamWriter, endpoint: string, backupDir: string, io: TightenCliIo, now: Date): Promise<{ applied: Applied[]; error?: string }> {
  const applied: Applied[] = [];
  try {
    return await applyAll(result, writer, endpoint, backupDir, io, now, applied);
  } catch (err) {
    // What was done before the failure stays listed, with its undo commands.
    return { applied, error: err instanceof Error ? err.message : String(err) };
  }
}

async function applyAll(result: TighteningResult, writer: IamWriter, endpoint: string, backupDir: string, io: TightenCliIo, now: Date, applied: Applied[]): Promise<{ applied: Applied[]; error?: string }> {
  const todo: PolicyProposal[] = [];
  for (const p of result.policies.filter((x) => x.changed)) {
    if (p.proposed === null) {
      const o = p.owner;
      const command =
        p.kind === 'managed'
          ? `detach-${o.kind}-policy ${ownerFlag(o.kind)} ${shellQuote(o.name)} --policy-arn ${p.policyId}`
          : `delete-${o.kind}-policy ${ownerFlag(o.kind)} ${shellQuote(o.name)} --policy-name ${shellQuote(p.policyId)}`;
      applied.push({ policyId: p.policyId, kind: p.kind, status: 'skipped', note: `nothing of it was used: ${p.kind === 'managed' ? 'detach' : 'delete'} it yourself if nothing else needs it`, commands: both(endpoint, command) });
      continue;
    }
    if (p.awsManaged) {
      const file = join(backupDir, `${p.policyId.split('/').pop()}-tightened.json`);
      applied.push({
        policyId: p.policyId,
        kind: p.kind,
        status: 'skipped',
        note: `AWS managed policies take no new versions: create a policy of the proposal (${file}), attach it to ${p.owner.kind} ${p.owner.name} and detach ${p.policyId}`,
        commands: [
          `aws iam create-policy --policy-name ${p.policyId.split('/').pop()}-tightened --policy-document file://${file}`,
          `aws iam attach-${p.owner.kind}-policy ${ownerFlag(p.owner.kind)} ${shellQuote(p.owner.name)} --policy-arn <the new policy's ARN>`,
          `aws iam detach-${p.owner.kind}-policy ${ownerFlag(p.owner.kind)} ${shellQuote(p.owner.name)} --policy-arn ${p.policyId}`,
        ],
      });
      try {
        await (io.writeFile ?? writeNewFile)(file, prettyJson(p.proposed));
      } catch (err) {
        return { applied, error: `cannot write ${file}: ${(err as Error).message}` };
      }
      continue;
    }
    todo.push(p);
  }

  // Checks first: a half-applied tightening is worse than none.
  const backups = new Map<PolicyProposal, string>();
  for (const p of todo) {
    if (p.kind === 'managed') {
      const versions = await writer.listPolicyVersions(p.policyId);
      const current = versions.find((v) => v.isDefault)?.versionId;
      if (current !== p.versionId) return { applied, error: `${p.policyId}: the default version is ${current ?? 'unknown'}, not ${p.versionId} as in the account analysed: read the account again and rerun` };
      if (versions.length >= 5) {
        const oldest = versions.filter((v) => !v.isDefault).sort((a, b) => Number(a.versionId.slice(1)) - Number(b.versionId.slice(1)))[0];
        return {
          applied,
          error: `LimitExceeded: ${p.policyId} already has ${versions.length} versions, the most a managed policy can have; delete one and run again, e.g. aws iam delete-policy-version --policy-arn ${p.policyId} --version-id ${oldest?.versionId ?? 'v1'}`,
        };
      }
    } else {
      const live = await writer.getInlinePolicy(p.owner, p.policyId);
      let same = false;
      try {
        same = live !== undefined && statementKey(JSON.parse(live)) === statementKey(p.current);
      } catch {
        same = false;
      }
      if (!same) return { applied, error: `${policyLabel(p)} ${live === undefined ? 'no longer exists' : 'changed since the account was read'}: read the account again and rerun` };
      backups.set(p, live as string);
    }
  }

  for (const p of todo) {
    const document = JSON.stringify(p.proposed);
    if (p.kind === 'managed') {
      const { versionId } = await writer.createPolicyVersion(p.policyId, document, true);
      applied.push({
        policyId: p.policyId,
        kind: 'managed',
        status: 'applied',
        versionId,
        previousVersionId: p.versionId,
        commands: both(endpoint, `set-default-policy-version --policy-arn ${p.policyId} --version-id ${p.versionId}`),
      });
    } else {
      const o = p.owner;
      const file = join(backupDir, `${o.kind}-${o.name}-${p.policyId}.${stamp(now)}.json`);
      try {
        await (io.writeFile ?? writeNewFile)(file, prettyJson(JSON.parse(backups.get(p) as string)));
      } catch (err) {
        return { applied, error: `cannot save ${policyLabel(p)} to ${file} (nothing written for it): ${(err as Error).message}` };
      }
      await writer.putInlinePolicy(o, p.policyId, document);
      applied.push({
        policyId: p.policyId,
        kind: 'inline',
        status: 'applied',
        backupFile: file,
        commands: both(endpoint, `put-${o.kind}-policy ${ownerFlag(o.kind)} ${shellQuote(o.name)} --policy-name ${shellQuote(p.policyId)} --policy-document file://${file}`),
      });
    }
  }
  return { applied };
}

function formatApplied(applied: Applied[], endpoint: string): string {
  const out = [`\nApplied to ${endpoint}:\n`];
  for (const a of applied) {
    if (a.status === 'applied' && a.kind === 'managed') {
      out.push(`  ${a.policyId}: created ${a.versionId} as the default version (was ${a.previousVersionId})\n    To restore the previous version:\n`);
    } else if (a.status === 'applied') {
      out.push(`  inline policy ${a.policyId}: replaced; the previous document is saved in ${a.backupFile}\n    To restore it:\n`);
    } else out.push(`  ${a.policyId}: not applied: ${a.note}\n`);
    for (const c of a.commands) out.push(`      ${c}\n`);
  }
  return out.join('');
}

/** `gatehouse policy tighten --principal ARN [--since 30d] [...] [--apply --endpoint URL]`. */
export async function runPolicyTighten(argv: string[], io: TightenCliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  const parsed = parseCommand(
    argv,
    { flags: ['json', 'help', 'apply'], values: ['import', 'endpoint', 'credentials', 'data-dir', 'since', 'principal', 'max-resources', 'backup-dir'], repeatable: ['usage'] },
    (m) => usageError(io, m),
  );
  if (!parsed) return 2;
  const { options } = parsed;
  if (parsed.positionals.length) return usageError(io, `unexpected argument '${parsed.positionals[0]}'`);
  const principalText = options.get('principal');
  if (typeof principalText !== 'string') return usageError(io, '--principal ARN is required');
  const maxText = options.get('max-resources');
  const maxResources = typeof maxText === 'string' ? Number(maxText) : undefined;
  if (maxResources !== undefined && (!Number.isSafeInteger(maxResources) || maxResources < 1)) return usageError(io, '--max-resources must be a positive whole number');
  const applying = options.get('apply') === true;
  const endpoint = options.get('endpoint') as string | undefined;
  if (applying && endpoint === undefined) return usageError(io, '--apply needs --endpoint URL: the Gatehouse (or IAM endpoint) to write to');
  if (!applying && options.has('backup-dir')) return usageError(io, '--backup-dir goes with --apply');

  const inputs = await loadInputs('policy tighten', parsed, io, { defaultSince: '30d' });
  if (typeof inputs === 'number') return inputs;
  const principal = findPrincipal(inputs.index, principalText);
  if (!principal) return unknownPrincipal('policy tighten', inputs.index, principalText, io);

  io.stderr(`gatehouse policy tighten: proposing and proving for ${principal.arn}\n`);
  const result = (io.tighten ?? proposeTightening)({ index: inputs.index, principalArn: principal.arn, usage: inputs.records, since: inputs.since as Date, now: inputs.now, maxResources });
  const json = options.get('json') === true;
  const changed = result.policies.some((p) => p.changed);

  let applied: Applied[] | undefined;
  let applyError: string | undefined;
  if (applying && changed) {
    if (!result.proof.proven) applyError = 'not applied: the proof failed';
    else {
      const credentialsFile = options.get('credentials') as string | undefined;
      const writer = io.iamWriter?.({ endpoint: endpoint as string, credentialsFile }) ?? liveIamWriter(createLiveClient({ endpoint, credentialsFile, env: io.env, now: io.now }, io));
      const done = await apply(result, writer, endpoint as string, (options.get('backup-dir') as string | undefined) ?? '.', io, inputs.now);
      applied = done.applied;
      applyError = done.error;
    }
  }

  if (json) {
    io.stdout(`${JSON.stringify({ ...result, ...(applying ? { applied: applied ?? [], ...(applyError ? { applyError } : {}) } : {}) })}\n`);
  } else {
    io.stdout(formatTightening(result));
    if (applied?.length) io.stdout(formatApplied(applied, endpoint as string));
    if (applying && !changed) io.stdout('Nothing to apply.\n');
  }
  if (applyError) io.stderr(`gatehouse policy tighten: ${applyError}\n`);
  if (!result.proof.proven || applyError) return 1;
  return 0;
}
