import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { proposeTightening } from '../../src/analysis/tighten/index.js';
import { runPolicyTighten, type IamWriter, type InlineOwner, type TightenCliIo } from '../../src/cli/commands/policy-tighten.js';
import { fixturePath } from '../analysis/usage/helpers.js';

const ACCOUNT_FILE = fixturePath('app-account.json');
const USAGE_FILE = fixturePath('app-usage.json');
const APP = 'arn:aws:iam::111122223333:role/service/app';
const APP_POLICY = 'arn:aws:iam::111122223333:policy/AppPolicy';
const ENDPOINT = 'http://gatehouse.test:8380';

interface FakeWriter extends IamWriter {
  calls: string[];
  created: { arn: string; document: unknown; setAsDefault: boolean }[];
  put: { owner: InlineOwner; name: string; document: unknown }[];
}

function fakeWriter(versions: { versionId: string; isDefault: boolean }[], inline: Record<string, string> = {}): FakeWriter {
  const w: FakeWriter = {
    calls: [],
    created: [],
    put: [],
    async listPolicyVersions(arn) {
      w.calls.push(`ListPolicyVersions ${arn}`);
      return versions;
    },
    async createPolicyVersion(arn, document, setAsDefault) {
      w.calls.push(`CreatePolicyVersion ${arn}`);
      w.created.push({ arn, document: JSON.parse(document), setAsDefault });
      return { versionId: `v${versions.length + 1}` };
    },
    async getInlinePolicy(owner, name) {
      w.calls.push(`Get${owner.kind}Policy ${owner.name} ${name}`);
      return inline[`${owner.kind}/${owner.name}/${name}`];
    },
    async putInlinePolicy(owner, name, document) {
      w.calls.push(`Put${owner.kind}Policy ${owner.name} ${name}`);
      w.put.push({ owner, name, document: JSON.parse(document) });
    },
  };
  return w;
}

async function run(argv: string[], extra: Partial<TightenCliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const written: Record<string, string> = {};
  const io: TightenCliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readFile: (p) => readFile(p, 'utf8'),
    writeFile: async (p, text) => {
      if (p in written) throw new Error(`EEXIST: ${p}`);
      written[p] = text;
    },
    now: () => new Date('2026-06-01T00:00:00Z'),
    env: {},
    ...extra,
  };
  const code = await runPolicyTighten(argv, io);
  return { code, stdout: out.join(''), stderr: err.join(''), written };
}

const BASE = ['--principal', APP, '--import', ACCOUNT_FILE, '--usage', USAGE_FILE];

describe('gatehouse policy tighten', () => {
  it('shows each diff with the reasons and the proof', async () => {
    const r = await run(BASE);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `Tightening role app (${APP}) from its use since 2026-05-02: 10 usage records, 229 requests, 6 actions`);
    assert.ok(lines.includes('inline policy extra of role app: nothing of it was used; remove it (the proposal keeps no statement)'));
    assert.ok(lines.includes(`managed policy ${APP_POLICY} (v2) is shared with arn:aws:iam::111122223333:role/old-batch: their recorded use is kept too`));
    assert.ok(lines.includes(`--- managed policy ${APP_POLICY} (v2) (current)`));
    assert.ok(lines.includes('-      "Action": "sqs:*",'));
    assert.ok(lines.includes('+      "Resource": "arn:aws:sqs:us-east-1:111122223333:app-jobs"'));
    assert.ok(lines.includes('  - $.Statement[1].Action[1] (WriteData) s3:DeleteObject: not used since 2026-05-02'));
    assert.ok(lines.includes('  - $.Statement[1] (PassRoles) iam:PassRole on arn:aws:iam::111122223333:role/*: never granted effectively (denied by the permissions boundary arn:aws:iam::111122223333:policy/AppBoundary)'));
    assert.equal(lines.at(-1), 'Proof: the proposal grants nothing the current policy does not (checked 8 action/resource pairs)');
  });

  it('--json has the proposals and the proof', async () => {
    const r = await run([...BASE, '--json', '--since', '30d']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { policies: { policyId: string; proposed: { Statement: { Sid: string }[] } | null; removals: unknown[] }[]; proof: { proven: boolean; checked: number } };
    assert.deepEqual(result.policies.map((p) => [p.policyId, p.proposed?.Statement.map((s) => s.Sid) ?? null, p.removals.length]), [
      ['extra', null, 2],
      [APP_POLICY, ['ReadData', 'ReadData2', 'WriteData', 'Queues', 'NoProdDeletes'], 6],
    ]);
    assert.deepEqual(result.proof, { proven: true, checked: 8, counterexamples: [] });
  });

  it('--apply creates a new default version and prints how to go back', async () => {
    const writer = fakeWriter([{ versionId: 'v2', isDefault: true }, { versionId: 'v1', isDefault: false }]);
    const r = await run([...BASE, '--apply', '--endpoint', ENDPOINT], { iamWriter: () => writer });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(writer.calls, [`ListPolicyVersions ${APP_POLICY}`, `CreatePolicyVersion ${APP_POLICY}`]);
    assert.equal(writer.created[0].setAsDefault, true);
    assert.deepEqual((writer.created[0].document as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid), ['ReadData', 'ReadData2', 'WriteData', 'Queues', 'NoProdDeletes']);
    const applied = r.stdout.slice(r.stdout.indexOf('\nApplied to'));
    assert.equal(
      applied,
      `
Applied to ${ENDPOINT}:
  extra: not applied: nothing of it was used: delete it yourself if nothing else needs it
      aws iam delete-role-policy --role-name app --policy-name extra
      aws --endpoint-url ${ENDPOINT} iam delete-role-policy --role-name app --policy-name extra
  ${APP_POLICY}: created v3 as the default version (was v2)
    To restore the previous version:
      aws iam set-default-policy-version --policy-arn ${APP_POLICY} --version-id v2
      aws --endpoint-url ${ENDPOINT} iam set-default-policy-version --policy-arn ${APP_POLICY} --version-id v2
`,
    );
  });

  it('--apply stops before writing anything when the policy has 5 versions, or changed since', async () => {
    const five = fakeWriter(['v6', 'v5', 'v4', 'v3', 'v2'].map((versionId) => ({ versionId, isDefault: versionId === 'v2' })));
    const full = await run([...BASE, '--apply', '--endpoint', ENDPOINT], { iamWriter: () => five });
    assert.equal(full.code, 1);
    assert.deepEqual(five.calls, [`ListPolicyVersions ${APP_POLICY}`]);
    assert.match(full.stderr, new RegExp(`LimitExceeded: ${APP_POLICY} already has 5 versions, the most a managed policy can have; delete one and run again, e\\.g\\. aws iam delete-policy-version --policy-arn ${APP_POLICY} --version-id v3\\n$`));
    const moved = fakeWriter([{ versionId: 'v3', isDefault: true }, { versionId: 'v2', isDefault: false }]);
    const changed = await run([...BASE, '--apply', '--endpoint', ENDPOINT], { iamWriter: () => moved });
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /the default version is v3, not v2 as in the account analysed: read the account again and rerun/);
    assert.equal(moved.created.length, 0);
  });

  it('--apply on an inline policy saves the current document first, and names the file', async (t) => {
    const current = { Version: '2012-10-17', Statement: [{ Sid: 'Data', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::b/*' }] };
    const account = {
      UserDetailList: [{ UserName: 'dev', UserId: 'AIDADEV0000000000001', Arn: 'arn:aws:iam::111122223333:user/dev', Path: '/', GroupList: [], AttachedManagedPolicies: [], UserPolicyList: [{ PolicyName: 'data', PolicyDocument: current }] }],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [],
    };
    const usage = [{ principal: 'arn:aws:iam::111122223333:user/dev', action: 's3:GetObject', resource: 'arn:aws:s3:::b/in/1.csv', count: 4, firstSeen: '2026-05-20T00:00:00Z', lastSeen: '2026-05-21T00:00:00Z', allowedBy: [{ policyId: 'arn:aws:iam::111122223333:user/dev:inline/data', statementIndex: 0 }] }];
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-tighten-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'account.json'), JSON.stringify(account));
    await writeFile(join(dir, 'usage.json'), JSON.stringify(usage));
    const inputs = ['--principal', 'dev', '--import', join(dir, 'account.json'), '--usage', join(dir, 'usage.json')];
    const writer = fakeWriter([], { 'user/dev/data': JSON.stringify(current) });
    const r = await run([...inputs, '--apply', '--endpoint', ENDPOINT, '--backup-dir', '/backups'], { iamWriter: () => writer });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(writer.calls, ['GetuserPolicy dev data', 'PutuserPolicy dev data']);
    const backup = '/backups/user-dev-data.20260601T000000Z.json';
    assert.deepEqual(JSON.parse(r.written[backup]), current);
    assert.deepEqual(writer.put[0].document, { Version: '2012-10-17', Statement: [{ Sid: 'Data', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/in/1.csv' }] });
    assert.ok(r.stdout.includes(`  inline policy data: replaced; the previous document is saved in ${backup}\n    To restore it:\n      aws iam put-user-policy --user-name dev --policy-name data --policy-document file://${backup}\n`));
    // Changed since it was read: nothing written.
    const drifted = fakeWriter([], { 'user/dev/data': JSON.stringify({ ...current, Statement: [] }) });
    const refused = await run([...inputs, '--apply', '--endpoint', ENDPOINT], { iamWriter: () => drifted });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /inline policy data of user dev changed since the account was read: read the account again and rerun/);
    assert.deepEqual(drifted.put, []);
  });

  it('--apply on a group\'s policy puts the group policy; an AWS managed one is written to a file with the commands', async (t) => {
    const groupDoc = { Version: '2012-10-17', Statement: [{ Sid: 'ReadAll', Effect: 'Allow', Action: 's3:Get*', Resource: '*' }] };
    const writer = fakeWriter([], { 'group/devs/dev-read': JSON.stringify(groupDoc) });
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-tighten-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const r = await run(['--principal', 'alice', '--import', ACCOUNT_FILE, '--usage', USAGE_FILE, '--apply', '--endpoint', ENDPOINT, '--backup-dir', dir], { iamWriter: () => writer });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes('inline policy dev-read of group devs is shared with arn:aws:iam::111122223333:user/bob: their recorded use is kept too\n'));
    assert.deepEqual(writer.calls, ['GetgroupPolicy devs dev-read', 'PutgroupPolicy devs dev-read']);
    assert.deepEqual(writer.put[0].document, { Version: '2012-10-17', Statement: [{ Sid: 'ReadAll', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/readme.txt' }] });
    assert.match(r.stdout, /aws iam put-group-policy --group-name devs --policy-name dev-read --policy-document file:\/\/.*\/group-devs-dev-read\.20260601T000000Z\.json\n/);

    const sqs = 'arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess';
    const bob = [{ principal: 'arn:aws:iam::111122223333:user/bob', action: 'sqs:ListQueues', resource: '*', count: 1, firstSeen: '2026-05-25T00:00:00Z', lastSeen: '2026-05-25T00:00:00Z', allowedBy: [{ policyId: sqs, policyVersion: 'v3', statementIndex: 0 }] }];
    await writeFile(join(dir, 'bob.json'), JSON.stringify(bob));
    const aws = fakeWriter([]);
    const b = await run(['--principal', 'bob', '--import', ACCOUNT_FILE, '--usage', join(dir, 'bob.json'), '--apply', '--endpoint', ENDPOINT, '--backup-dir', dir], { iamWriter: () => aws });
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual(aws.calls, []);
    const file = join(dir, 'AmazonSQSReadOnlyAccess-tightened.json');
    assert.deepEqual(JSON.parse(b.written[file]).Statement, [{ Effect: 'Allow', Action: 'sqs:ListQueues', Resource: '*' }]);
    assert.ok(b.stdout.includes(`  ${sqs}: not applied: AWS managed policies take no new versions: create a policy of the proposal (${file}), attach it to user bob and detach ${sqs}\n      aws iam create-policy --policy-name AmazonSQSReadOnlyAccess-tightened --policy-document file://${file}\n`));
  });

  it('refuses to apply when the proof fails', async () => {
    const writer = fakeWriter([{ versionId: 'v2', isDefault: true }]);
    // A proposer gone wrong: it adds iam:* to the managed policy's proposal.
    const faulty: typeof proposeTightening = (input) => {
      const result = proposeTightening(input);
      const p = result.policies[1];
      p.proposed = { ...(p.proposed as object), Statement: [...((p.proposed as { Statement: unknown[] }).Statement), { Effect: 'Allow', Action: 'iam:*', Resource: '*' }] };
      return { ...result, proof: { proven: false, checked: 1, counterexamples: [{ policyId: p.policyId, kind: 'not-granted', statementIndex: 5, action: 'iam:AddClientIDToOpenIDConnectProvider', resource: '*', message: 'the current policy does not allow iam:AddClientIDToOpenIDConnectProvider on *' }] } };
    };
    const r = await run([...BASE, '--apply', '--endpoint', ENDPOINT], { iamWriter: () => writer, tighten: faulty });
    assert.equal(r.code, 1);
    assert.deepEqual(writer.calls, []);
    assert.match(r.stdout, /\nProof FAILED: the proposal could grant what the current policy does not \(checked 1 action\/resource pair\):\n {2}- arn:aws:iam::111122223333:policy\/AppPolicy proposed \$\.Statement\[5\]: the current policy does not allow iam:AddClientIDToOpenIDConnectProvider on \*\n$/);
    assert.match(r.stderr, /gatehouse policy tighten: not applied: the proof failed\n$/);
  });

  it('usage errors', async () => {
    const noEndpoint = await run([...BASE, '--apply']);
    assert.equal(noEndpoint.code, 2);
    assert.match(noEndpoint.stderr, /^gatehouse policy tighten: --apply needs --endpoint URL/);
    const noPrincipal = await run(['--import', ACCOUNT_FILE, '--usage', USAGE_FILE]);
    assert.equal(noPrincipal.code, 2);
    assert.match(noPrincipal.stderr, /--principal ARN is required/);
    const backup = await run([...BASE, '--backup-dir', '/tmp']);
    assert.equal(backup.code, 2);
    assert.match(backup.stderr, /--backup-dir goes with --apply/);
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: gatehouse policy tighten --principal ARN/);
  });

  it('a principal without recorded use gets no proposal', async () => {
    const r = await run(['--principal', 'old-batch', '--import', ACCOUNT_FILE, '--usage', USAGE_FILE]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'Tightening role old-batch (arn:aws:iam::111122223333:role/old-batch) from its use since 2026-05-02: 0 usage records, 0 requests, 0 actions\nno recorded use by arn:aws:iam::111122223333:role/old-batch since 2026-05-02: nothing to base a proposal on (see `gatehouse usage unused`)\n');
  });
});
