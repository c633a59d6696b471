import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runUsage, type UsageCliIo } from '../../src/cli/commands/usage.js';
import { UsageLog } from '../../src/data-plane/usage-log.js';
import { appUsage, fixturePath } from '../analysis/usage/helpers.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], extra: Partial<UsageCliIo> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: UsageCliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readFile: (p) => readFile(p, 'utf8'),
    now: () => new Date('2026-06-01T00:00:00Z'),
    env: {},
    ...extra,
  };
  const code = await runUsage(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const ACCOUNT = fixturePath('app-account.json');
const USAGE = fixturePath('app-usage.json');
const APP = 'arn:aws:iam::111122223333:role/service/app';

describe('gatehouse usage last-accessed', () => {
  it('prints services and actions like Access Advisor', async () => {
    const r = await run(['last-accessed', '--principal', APP, '--import', ACCOUNT, '--usage', USAGE]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `Last accessed by role app (${APP})`);
    assert.equal(lines[1], '230 requests; services used: 2 of 4 granted; actions used: 7 of 105 granted');
    assert.equal(lines[3], 'SERVICE   NAME                    LAST ACCESSED         ENTITIES  REQUESTS  ACTIONS USED');
    assert.equal(lines[4], 'sqs       Amazon SQS              2026-05-31T11:30:00Z  1         200       3 of 20');
    assert.equal(lines[5], 's3        Amazon S3               2026-05-30T10:00:00Z  2         30        4 of 4');
    assert.equal(lines[6], 'dynamodb  Amazon DynamoDB         never                 0         0         0 of 79');
    assert.equal(lines[9], 'Actions used:');
    assert.equal(lines[10], '  ACTION              LAST ACCESSED         REQUESTS  RESOURCES  LAST CALLER');
    assert.equal(lines[16], '  s3:GetObject        2026-05-25T10:00:00Z  15        5          arn:aws:sts::111122223333:assumed-role/app/task-1');
  });

  it('--json, a role named by a session ARN, and --since', async () => {
    const r = await run(['last-accessed', '--principal', 'arn:aws:sts::111122223333:assumed-role/app/task-9', '--import', ACCOUNT, '--usage', USAGE, '--since', '2026-05-29T00:00:00Z', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { principal: { arn: string }; since: string; summary: Record<string, number> };
    assert.equal(report.principal.arn, APP);
    assert.equal(report.since, '2026-05-29T00:00:00.000Z');
    assert.deepEqual(report.summary, { servicesGranted: 4, servicesUsed: 2, actionsGranted: 105, actionsUsed: 4, requests: 212 });
  });

  it('usage errors: missing principal, unknown one, unknown option, bad time, no usage', async () => {
    const missing = await run(['last-accessed', '--import', ACCOUNT, '--usage', USAGE]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^gatehouse usage last-accessed: --principal ARN is required\n\nUsage: gatehouse usage last-accessed/);
    const unknown = await run(['last-accessed', '--principal', 'ghost', '--import', ACCOUNT, '--usage', USAGE]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^gatehouse usage last-accessed: no user or role ghost in account 111122223333 \(it has arn:aws:iam::111122223333:user\/alice, /);
    const option = await run(['last-accessed', '--principal', APP, '--import', ACCOUNT, '--usage', USAGE, '--verbose']);
    assert.equal(option.code, 2);
    assert.match(option.stderr, /unknown option --verbose/);
    const since = await run(['last-accessed', '--principal', APP, '--import', ACCOUNT, '--usage', USAGE, '--since', 'last week']);
    assert.equal(since.code, 2);
    assert.match(since.stderr, /--since last week is not a time/);
    const noUsage = await run(['last-accessed', '--principal', APP, '--import', ACCOUNT]);
    assert.equal(noUsage.code, 2);
    assert.match(noUsage.stderr, /give the usage: --usage FILE, --data-dir DIR/);
    const noFile = await run(['last-accessed', '--principal', APP, '--import', '/nonexistent.json', '--usage', USAGE]);
    assert.equal(noFile.code, 1);
    assert.match(noFile.stderr, /cannot read \/nonexistent\.json: no such file/);
  });

  it('help and unknown commands', async () => {
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: gatehouse usage <command>/);
    const sub = await run(['unused', '--help']);
    assert.match(sub.stdout, /^Usage: gatehouse usage unused/);
    const bad = await run(['nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^gatehouse usage: unknown command 'nope'/);
  });
});

describe('gatehouse usage with --data-dir', () => {
  let dir: string;
  before(async () => {
    // A standalone node's usage.db, and a data-plane node's in a subfolder.
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-usage-'));
    await mkdir(join(dir, 'eu-west-1'));
    const records = appUsage();
    for (const [file, part] of [[join(dir, 'usage.db'), records.slice(0, 6)], [join(dir, 'eu-west-1', 'usage.db'), records.slice(6)]] as const) {
      const log = UsageLog.open(file);
      log.merge(part);
      log.close();
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every usage database of the folder', async () => {
    const fromDir = await run(['last-accessed', '--principal', APP, '--import', ACCOUNT, '--data-dir', dir, '--json']);
    const fromFile = await run(['last-accessed', '--principal', APP, '--import', ACCOUNT, '--usage', USAGE, '--json']);
    assert.equal(fromDir.code, 0, fromDir.stderr);
    assert.deepEqual(JSON.parse(fromDir.stdout), JSON.parse(fromFile.stdout));
  });

  it('a folder without usage is an error', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'gatehouse-usage-empty-'));
    try {
      const r = await run(['last-accessed', '--principal', APP, '--import', ACCOUNT, '--data-dir', empty]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no usage database in .* \(looked for .*usage\*\.db and .*usage\.db\)/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('gatehouse usage unused', () => {
  it('lists the findings with their ids and a summary', async () => {
    const r = await run(['unused', '--import', ACCOUNT, '--usage', USAGE]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'Unused since 2026-03-03T00:00:00Z (as of 2026-06-01T00:00:00Z), 6 principals checked:');
    assert.equal(lines[1], 'UNUSED-ACCESS-KEY arn:aws:iam::111122223333:user/alice: access key AKIAALICEKEY00000002 of alice never used');
    assert.equal(lines[2], 'UNUSED-PASSWORD arn:aws:iam::111122223333:user/alice: console password of alice not used since 2026-03-03; last used 2025-12-01');
    assert.equal(lines[6], `UNUSED-PERMISSION ${APP}: 1 of 4 granted s3 actions not used since 2026-03-03 (s3:DeleteObject)`);
    assert.equal(lines[8], 'UNUSED-ROLE arn:aws:iam::111122223333:role/old-batch: role old-batch not used since 2026-03-03; last used 2025-09-15');
    assert.equal(lines[9], '1 unused role, 1 unused access key, 1 unused password, 5 services with unused permissions');
    assert.equal(lines[10], 'Usage by callers not in the account (ignored): arn:aws:iam::111122223333:user/deleted-user');
  });

  it('--since, --principal and --json; without usage only credentials and roles', async () => {
    const r = await run(['unused', '--import', ACCOUNT, '--usage', USAGE, '--since', '7d', '--principal', APP, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { since: string; findings: { id: string; subject: string }[] };
    assert.equal(report.since, '2026-05-25T00:00:00.000Z');
    assert.deepEqual(report.findings.map((f) => [f.id, f.subject]), [['UNUSED-PERMISSION', 'dynamodb'], ['UNUSED-PERMISSION', 'logs'], ['UNUSED-PERMISSION', 's3'], ['UNUSED-PERMISSION', 'sqs']]);
    const bare = await run(['unused', '--import', ACCOUNT, '--json']);
    assert.equal(bare.code, 0);
    assert.match(bare.stderr, /no usage given .*permissions are not checked/);
    assert.deepEqual((JSON.parse(bare.stdout) as { findings: { id: string }[] }).findings.map((f) => f.id), ['UNUSED-ACCESS-KEY', 'UNUSED-PASSWORD', 'UNUSED-ROLE']);
  });
});

describe('gatehouse usage policy', () => {
  it('prints the policy on stdout and what it is made of on stderr', async () => {
    const r = await run(['policy', '--principal', APP, '--import', ACCOUNT, '--usage', USAGE]);
    assert.equal(r.code, 0, r.stderr);
    const policy = JSON.parse(r.stdout) as { Statement: { Sid: string }[] };
    assert.deepEqual(policy.Statement.map((s) => s.Sid), ['S3Read', 'S3List', 'S3Write', 'SqsReadWrite']);
    assert.equal(
      r.stderr,
      `gatehouse usage policy: role app: 10 usage records (229 requests) since 2026-05-02T00:00:00Z
  S3Read: s3:GetObject on arn:aws:s3:::app-data/reports/* (5 resources observed)
  S3List: s3:ListBucket on arn:aws:s3:::app-data
  S3Write: s3:PutObject on arn:aws:s3:::app-data/uploads/a.bin
  SqsReadWrite: sqs:DeleteMessage, sqs:ReceiveMessage, sqs:SendMessage on arn:aws:sqs:us-east-1:111122223333:app-jobs
`,
    );
  });

  it('--max-resources 10 keeps the five objects; nothing used exits 1', async () => {
    const r = await run(['policy', '--principal', APP, '--import', ACCOUNT, '--usage', USAGE, '--max-resources', '10', '--json']);
    const result = JSON.parse(r.stdout) as { document: { Statement: { Resource: string | string[] }[] } };
    assert.equal((result.document.Statement[0].Resource as string[]).length, 5);
    const none = await run(['policy', '--principal', 'old-batch', '--import', ACCOUNT, '--usage', USAGE]);
    assert.equal(none.code, 1);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /no recorded use since 2026-05-02T00:00:00.000Z/);
  });
});
