/**
 * Structural check of the policy-evaluation corpus in test/corpus/*.json (see test/corpus/README.md).
 * It does not evaluate anything: it checks that every case is well formed, that names are unique
 * (also against the shared conformance cases in test/fixtures/conformance/policy-eval/cases.json),
 * that `expected` / `expectBlockedBy` / `expectDecidedBy` are consistent and that every
 * `expectDecidedBy` entry points at an existing statement of the case.
 *
 * Usage: npx tsx scripts/check-corpus.ts [corpus-dir]
 * Exit code 1 when any problem is found.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS_DIR = path.resolve(process.argv[2] ?? path.join(ROOT, 'test', 'corpus'));
const SHARED_CASES = path.join(ROOT, 'test', 'fixtures', 'conformance', 'policy-eval', 'cases.json');

const EXPECTED = new Set(['Allow', 'ExplicitDeny', 'ImplicitDeny']);
const REQUIRED = [
  'name',
  'source',
  'why',
  'request',
  'identityPolicies',
  'resourcePolicy',
  'permissionsBoundary',
  'scps',
  'sessionPolicies',
  'resourceAccount',
  'expected',
];
const ALLOWED = new Set([...REQUIRED, 'expectBlockedBy', 'expectDecidedBy', 'note']);
const NAME_RE = /^[a-z0-9-]+\/[a-z0-9][a-z0-9-]*$/;
const URL_RE = /\(https:\/\/docs\.aws\.amazon\.com\/[^\s)]+\)/;
const ACCOUNT_RE = /^\d{12}$/;
const BLOCKED_RE = /^(scp\[\d+\]|resource|identity|boundary|session)$/;
const DECIDED_RE = /^(identity\[(\d+)\]|resource|boundary|session\[(\d+)\]|scp\[(\d+)\]\[(\d+)\])#(\d+)$/;
const LAYER_ORDER = ['scp', 'resource', 'identity', 'boundary', 'session'];

const problems: string[] = [];
const report = (where: string, msg: string): void => {
  problems.push(`${where}: ${msg}`);
};

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function statementCount(doc: Json | undefined): number | undefined {
  if (!isObj(doc)) return undefined;
  const st = doc.Statement;
  if (Array.isArray(st)) return st.length;
  if (isObj(st)) return 1;
  return undefined;
}

function checkPolicy(where: string, doc: Json | undefined, needsPrincipal: boolean): void {
  if (!isObj(doc)) {
    report(where, 'policy document must be an object');
    return;
  }
  if (statementCount(doc) === undefined) {
    report(where, 'Statement must be an object or an array');
    return;
  }
  const stmts = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  stmts.forEach((s, i) => {
    const w = `${where}.Statement[${i}]`;
    if (!isObj(s)) return report(w, 'statement must be an object');
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') report(w, 'Effect must be Allow or Deny');
    if (('Action' in s) === ('NotAction' in s)) report(w, 'exactly one of Action / NotAction is required');
    if ('Resource' in s && 'NotResource' in s) report(w, 'Resource and NotResource are exclusive');
    const hasPrincipal = 'Principal' in s || 'NotPrincipal' in s;
    if (needsPrincipal && !hasPrincipal) report(w, 'resource-based policy statement needs Principal or NotPrincipal');
    if (!needsPrincipal && hasPrincipal) report(w, 'Principal/NotPrincipal is only valid in a resource-based policy');
    if (!needsPrincipal && !('Resource' in s) && !('NotResource' in s)) report(w, 'Resource or NotResource is required');
  });
}

function checkContext(where: string, ctx: Json | undefined): void {
  if (!isObj(ctx)) return report(where, 'request.context must be an object');
  for (const [k, v] of Object.entries(ctx)) {
    const ok = typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
    if (!ok) report(where, `context value of ${k} must be a string or an array of strings`);
  }
}

function accountOf(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && ACCOUNT_RE.test(parts[4]) ? parts[4] : undefined;
}

function statementExists(c: Obj, id: string): boolean {
  const m = DECIDED_RE.exec(id);
  if (!m) return false;
  const idx = Number(m[6]);
  let doc: Json | undefined;
  if (m[2] !== undefined) {
    const list = c.identityPolicies;
    doc = Array.isArray(list) ? list[Number(m[2])] : undefined;
  } else if (m[1] === 'resource') {
    doc = c.resourcePolicy;
  } else if (m[1] === 'boundary') {
    doc = c.permissionsBoundary;
  } else if (m[3] !== undefined) {
    const list = c.sessionPolicies;
    doc = Array.isArray(list) ? list[Number(m[3])] : undefined;
  } else if (m[4] !== undefined) {
    const levels = c.scps;
    const level = Array.isArray(levels) ? levels[Number(m[4])] : undefined;
    doc = Array.isArray(level) ? level[Number(m[5])] : undefined;
  }
  const n = statementCount(doc ?? undefined);
  return n !== undefined && idx < n;
}

function layerRank(id: string): number {
  return LAYER_ORDER.findIndex((l) => id.startsWith(l));
}

function checkCase(file: string, c: Json, index: number, names: Map<string, string>): void {
  const where0 = `${file}[${index}]`;
  if (!isObj(c)) return report(where0, 'case must be an object');
  const name = typeof c.name === 'string' ? c.name : undefined;
  const where = name ? `${file}: ${name}` : where0;

  for (const key of REQUIRED) if (!(key in c)) report(where, `missing field "${key}"`);
  for (const key of Object.keys(c)) if (!ALLOWED.has(key)) report(where, `unknown field "${key}"`);

  if (!name || !NAME_RE.test(name)) report(where, 'name must look like "group/short-description"');
  else {
    const group = path.basename(file, '.json');
    if (!name.startsWith(`${group}/`)) report(where, `name must start with "${group}/"`);
    const prev = names.get(name);
    if (prev) report(where, `duplicate name (also in ${prev})`);
    names.set(name, file);
  }
  if (typeof c.source !== 'string' || !URL_RE.test(c.source)) report(where, 'source must name an AWS doc page with its URL in parentheses');
  if (typeof c.why !== 'string' || c.why.trim().length < 10) report(where, 'why must be a sentence');
  if ('note' in c && typeof c.note !== 'string') report(where, 'note must be a string');

  const req = c.request;
  let principalKind = '';
  if (!isObj(req)) report(where, 'request must be an object');
  else {
    for (const k of ['principal', 'action', 'resource']) {
      if (typeof req[k] !== 'string' || req[k] === '') report(where, `request.${k} must be a non-empty string`);
    }
    if (typeof req.principal === 'string') {
      if (!accountOf(req.principal)) report(where, 'request.principal must be an ARN that carries the account');
      principalKind = req.principal.split(':')[5]?.split('/')[0] ?? '';
    }
    if (typeof req.action === 'string' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(req.action)) {
      report(where, 'request.action must look like service:Action');
    }
    checkContext(where, req.context);
  }

  if (!Array.isArray(c.identityPolicies)) report(where, 'identityPolicies must be an array');
  else c.identityPolicies.forEach((d, i) => checkPolicy(`${where} identityPolicies[${i}]`, d, false));
  if (c.resourcePolicy !== null && c.resourcePolicy !== undefined) checkPolicy(`${where} resourcePolicy`, c.resourcePolicy, true);
  if (c.permissionsBoundary !== null && c.permissionsBoundary !== undefined) {
    checkPolicy(`${where} permissionsBoundary`, c.permissionsBoundary, false);
  }
  if (!Array.isArray(c.scps)) report(where, 'scps must be an array of levels');
  else {
    c.scps.forEach((level, li) => {
      if (!Array.isArray(level) || level.length === 0) return report(where, `scps[${li}] must be a non-empty array of documents`);
      level.forEach((d, di) => checkPolicy(`${where} scps[${li}][${di}]`, d, false));
    });
  }
  if (!Array.isArray(c.sessionPolicies)) report(where, 'sessionPolicies must be an array');
  else {
    if (c.sessionPolicies.length > 1) report(where, 'a case uses at most one session policy');
    if (c.sessionPolicies.length > 0 && principalKind !== 'assumed-role' && principalKind !== 'federated-user') {
      report(where, 'sessionPolicies are only for assumed-role / federated-user principals');
    }
    c.sessionPolicies.forEach((d, i) => checkPolicy(`${where} sessionPolicies[${i}]`, d, false));
  }
  if (c.resourceAccount !== null && (typeof c.resourceAccount !== 'string' || !ACCOUNT_RE.test(c.resourceAccount))) {
    report(where, 'resourceAccount must be a 12-digit account id or null');
  }

  const expected = c.expected;
  if (typeof expected !== 'string' || !EXPECTED.has(expected)) {
    report(where, 'expected must be Allow, ExplicitDeny or ImplicitDeny');
    return;
  }
  if (expected === 'Allow') {
    if ('expectBlockedBy' in c) report(where, 'expectBlockedBy is only for denied cases');
  } else if (typeof c.expectBlockedBy !== 'string' || !BLOCKED_RE.test(c.expectBlockedBy)) {
    report(where, 'expectBlockedBy must be one of scp[N], resource, identity, boundary, session');
  } else {
    const b = c.expectBlockedBy;
    const scpLevel = /^scp\[(\d+)\]$/.exec(b);
    if (scpLevel && (!Array.isArray(c.scps) || Number(scpLevel[1]) >= c.scps.length)) report(where, `${b} names a missing SCP level`);
    if (b === 'boundary' && c.permissionsBoundary === null) report(where, 'blocked by a boundary the case does not have');
    if (b === 'resource' && expected === 'ExplicitDeny' && c.resourcePolicy === null) report(where, 'explicitly denied by a missing resource policy');
    if (b === 'session' && expected === 'ExplicitDeny' && Array.isArray(c.sessionPolicies) && c.sessionPolicies.length === 0) {
      report(where, 'explicitly denied by a missing session policy');
    }
  }

  if ('expectDecidedBy' in c) {
    const ids = c.expectDecidedBy;
    if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) {
      report(where, 'expectDecidedBy must be an array of strings');
      return;
    }
    const strIds = ids as string[];
    if (expected === 'ImplicitDeny' && strIds.length > 0) report(where, 'expectDecidedBy must be [] for ImplicitDeny');
    if (expected !== 'ImplicitDeny' && strIds.length === 0) report(where, 'expectDecidedBy must not be empty for Allow / ExplicitDeny');
    if (new Set(strIds).size !== strIds.length) report(where, 'expectDecidedBy has duplicates');
    for (const id of strIds) {
      if (!DECIDED_RE.test(id)) report(where, `bad expectDecidedBy id "${id}"`);
      else if (!statementExists(c, id)) report(where, `expectDecidedBy id "${id}" names no statement of this case`);
    }
    for (let i = 1; i < strIds.length; i++) {
      if (layerRank(strIds[i]) < layerRank(strIds[i - 1])) {
        report(where, 'expectDecidedBy must be ordered scp, resource, identity, boundary, session');
        break;
      }
    }
    if (expected === 'ExplicitDeny' && typeof c.expectBlockedBy === 'string' && strIds.length > 0) {
      const first = strIds[0];
      const layer = c.expectBlockedBy.startsWith('scp[') ? `scp[${/^scp\[(\d+)\]/.exec(c.expectBlockedBy)?.[1]}][` : c.expectBlockedBy;
      if (!first.startsWith(layer)) report(where, `first expectDecidedBy entry ${first} is not in the blocking layer ${c.expectBlockedBy}`);
    }
  }
}

async function main(): Promise<void> {
  const names = new Map<string, string>();
  try {
    const shared = JSON.parse(await readFile(SHARED_CASES, 'utf8')) as Json;
    if (Array.isArray(shared)) {
      for (const c of shared) if (isObj(c) && typeof c.name === 'string') names.set(c.name, 'shared cases.json');
    }
  } catch {
    report(SHARED_CASES, 'cannot read the shared conformance cases');
  }

  const files = (await readdir(CORPUS_DIR)).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) report(CORPUS_DIR, 'no corpus files');
  const counts: string[] = [];
  let total = 0;
  for (const f of files) {
    let data: Json;
    try {
      data = JSON.parse(await readFile(path.join(CORPUS_DIR, f), 'utf8')) as Json;
    } catch (err) {
      report(f, `invalid JSON: ${(err as Error).message}`);
      continue;
    }
    if (!Array.isArray(data)) {
      report(f, 'file must hold an array of cases');
      continue;
    }
    data.forEach((c, i) => checkCase(f, c, i, names));
    counts.push(`${f.padEnd(40)} ${data.length}`);
    total += data.length;
  }

  for (const line of counts) console.log(line);
  console.log(`${'total'.padEnd(40)} ${total}`);
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    console.error(`${problems.length} problem(s) found`);
    process.exitCode = 1;
  } else {
    console.log('corpus OK');
  }
}

await main();
