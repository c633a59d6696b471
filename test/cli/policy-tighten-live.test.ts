/**
 * `gatehouse policy tighten --endpoint URL --apply` against a running Gatehouse: usage recorded by
 * /v1/authorize, the account and the usage read through the analysis API, the proposal written
 * through the IAM API (a new default version, an inline policy replaced after its backup), and
 * IAM's limit of five versions respected.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateUserCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserPolicyCommand,
  PutUserPolicyCommand,
  SetDefaultPolicyVersionCommand,
} from '@aws-sdk/client-iam';
import { runPolicyTighten, type TightenCliIo } from '../../src/cli/commands/policy-tighten.js';
import { signServiceRequest } from '../e2e/region-harness.js';
import { startTestServer, type Credentials, type TestServer } from '../e2e/server-harness.js';

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const DATA_POLICY = doc(
  { Sid: 'ReadReports', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*'] },
  { Sid: 'WriteReports', Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::reports/*' },
);
const QUEUE_POLICY = doc({ Sid: 'Queues', Effect: 'Allow', Action: 'sqs:*', Resource: '*' });

describe('gatehouse policy tighten --apply on a running Gatehouse', () => {
  let server: TestServer;
  let account: string;
  let app: Credentials;
  let backups: string;
  let credentials: string;
  let policyArn: string;

  async function authorize(action: string, resource: string): Promise<void> {
    const request = await signServiceRequest({ credentials: app, service: 'reports', region: 'us-east-1', method: 'GET', url: 'https://reports.internal/x' });
    const res = await fetch(`${server.gatehouse.url}/v1/authorize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request, action, resource }) });
    assert.equal(((await res.json()) as { decision: string }).decision, 'Allow', `${action} on ${resource}`);
  }

  async function tighten(...extra: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const io: TightenCliIo = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), readFile: (p) => readFile(p, 'utf8'), writeFile: (p, t) => writeFile(p, t, { flag: 'wx' }), env: {} };
    const code = await runPolicyTighten(['--principal', 'app', '--endpoint', server.gatehouse.url, '--credentials', credentials, ...extra], io);
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  before(async () => {
    server = await startTestServer();
    account = server.gatehouse.accountId;
    credentials = join(server.dataDir, 'admin-credentials.json');
    backups = await mkdtemp(join(tmpdir(), 'gatehouse-backups-'));
    const iam = server.iam();
    await iam.send(new CreateUserCommand({ UserName: 'app' }));
    const policy = await iam.send(new CreatePolicyCommand({ PolicyName: 'report-data', PolicyDocument: JSON.stringify(DATA_POLICY) }));
    policyArn = policy.Policy!.Arn!;
    await iam.send(new AttachUserPolicyCommand({ UserName: 'app', PolicyArn: policyArn }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'app', PolicyName: 'queues', PolicyDocument: JSON.stringify(QUEUE_POLICY) }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'app' }));
    app = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    await authorize('s3:GetObject', 'arn:aws:s3:::reports/2026/q1.csv');
    await authorize('s3:GetObject', 'arn:aws:s3:::reports/2026/q2.csv');
    await authorize('s3:ListBucket', 'arn:aws:s3:::reports');
    await authorize('sqs:SendMessage', `arn:aws:sqs:us-east-1:${account}:report-jobs`);
  });
  after(async () => {
    await server?.stop();
    if (backups) await rm(backups, { recursive: true, force: true });
  });

  it('writes the proven proposal and says how to restore each policy', async () => {
    const r = await tighten('--apply', '--backup-dir', backups);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /\nProof: the proposal grants nothing the current policy does not \(checked \d+ action\/resource pairs\)\n/);
    const iam = server.iam();

    // The managed policy: a new default version v2 with what was used.
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy!.DefaultVersionId, 'v2');
    const v2 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v2' }));
    assert.deepEqual(JSON.parse(decodeURIComponent(v2.PolicyVersion!.Document!)), doc(
      { Sid: 'ReadReports', Effect: 'Allow', Action: 's3:GetObject', Resource: ['arn:aws:s3:::reports/2026/q1.csv', 'arn:aws:s3:::reports/2026/q2.csv'] },
      { Sid: 'ReadReports2', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::reports' },
    ));
    assert.ok(r.stdout.includes(`  ${policyArn}: created v2 as the default version (was v1)\n    To restore the previous version:\n      aws iam set-default-policy-version --policy-arn ${policyArn} --version-id v1\n      aws --endpoint-url ${server.gatehouse.url} iam set-default-policy-version --policy-arn ${policyArn} --version-id v1\n`));

    // The inline policy: replaced, its old document in the backup file the output names.
    const inline = await iam.send(new GetUserPolicyCommand({ UserName: 'app', PolicyName: 'queues' }));
    assert.deepEqual(JSON.parse(decodeURIComponent(inline.PolicyDocument!)), doc({ Sid: 'Queues', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-1:${account}:report-jobs` }));
    const backup = /the previous document is saved in (\S+)\n/.exec(r.stdout)?.[1];
    assert.ok(backup?.startsWith(join(backups, 'user-app-queues.')), r.stdout);
    assert.deepEqual(JSON.parse(await readFile(backup!, 'utf8')), QUEUE_POLICY);

    // Tightened already: nothing more to do.
    const again = await tighten('--apply');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to tighten: every statement was used as written\.\nNothing to apply\.\n$/);
  });

  it('stops at IAM\'s limit of five versions without writing', async () => {
    const iam = server.iam();
    // Back to the broad v1 (as the printed command does), with versions v3..v5 beside it.
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v1' }));
    for (let i = 0; i < 3; i++) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: JSON.stringify(DATA_POLICY) }));
    const r = await tighten('--apply');
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`LimitExceeded: ${policyArn} already has 5 versions, the most a managed policy can have; delete one and run again, e\\.g\\. aws iam delete-policy-version --policy-arn ${policyArn} --version-id v2\\n$`));
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy!.DefaultVersionId, 'v1');
  });
});
