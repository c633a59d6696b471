/**
 * The credential report end to end: the real AWS SDK v3 client, and the real AWS CLI (skipped
 * only when `aws` is absent outside CI), against a running server.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CredentialReportNotPresentException,
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetCredentialReportCommand,
  GetUserCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { startStandalone, type RunningGatehouse } from '../../src/server/standalone.js';
import { startTestServer, type TestServer } from './server-harness.js';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00';

const hasCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
/** The environment without any AWS settings of the machine's own. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
}

/** The root row of a fresh server: no password, keys, MFA or certificates. */
function rootRow(account: string): RegExp {
  return new RegExp(`^<root_account>,arn:aws:iam::${account}:root,${TIME},not_supported,N/A,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A$`);
}

describe('credential report with @aws-sdk/client-iam', () => {
  let gatehouse: RunningGatehouse;
  let dataDir: string;
  let iam: IAMClient;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-e2e-'));
    // Key usage written every 50 ms, so the report shows the administrator's last use.
    gatehouse = await startStandalone({ dataDir, port: 0, host: '127.0.0.1', log: () => undefined, env: {}, usageFlushMs: 50 });
    const file = JSON.parse(await readFile(join(dataDir, 'admin-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
    iam = new IAMClient({ endpoint: gatehouse.url, region: 'us-east-1', credentials: { accessKeyId: file.AccessKeyId, secretAccessKey: file.SecretAccessKey }, maxAttempts: 1 });
  });
  after(async () => {
    await gatehouse?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('generates, then returns the CSV with the header, root and administrator rows', async () => {
    await assert.rejects(iam.send(new GetCredentialReportCommand({})), (err: unknown) => err instanceof CredentialReportNotPresentException && err.$metadata.httpStatusCode === 410);
    // Wait until the administrator's key use is in the store.
    const user = await iam.send(new GetUserCommand({}));
    const keyId = (await readFile(join(dataDir, 'admin-credentials.json'), 'utf8')).match(/AKIA[A-Z2-7]{16}/)![0];
    for (let i = 0; i < 100 && !(await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keyId }))).AccessKeyLastUsed?.LastUsedDate; i++) await sleep(20);

    const started = await iam.send(new GenerateCredentialReportCommand({}));
    assert.deepEqual([started.State, started.Description], ['STARTED', 'No report exists. Starting a new report generation task']);
    const complete = await iam.send(new GenerateCredentialReportCommand({}));
    assert.deepEqual([complete.State, complete.Description], ['COMPLETE', undefined]);

    const out = await iam.send(new GetCredentialReportCommand({}));
    assert.equal(out.ReportFormat, 'text/csv');
    assert.ok(out.GeneratedTime instanceof Date);
    const lines = Buffer.from(out.Content!).toString('utf8').split('\n');
    assert.equal(lines[0], HEADER);
    assert.match(lines[1], rootRow(gatehouse.accountId));
    assert.match(
      lines[2],
      new RegExp(`^admin,${user.User!.Arn},${TIME},false,N/A,N/A,N/A,false,true,${TIME},${TIME},us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A$`),
    );
    assert.equal(lines.length, 3);
  });
});

describe('credential report with the AWS CLI', { skip: !hasCli && !process.env.CI ? 'aws CLI not installed' : false }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  /** Runs a shell command line with `aws` pointed at the server as the administrator. */
  const sh = (command: string) =>
    new Promise<string>((resolve, reject) => {
      const env = {
        ...cleanEnv(),
        AWS_ACCESS_KEY_ID: server.admin.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.admin.secretAccessKey,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_MAX_ATTEMPTS: '1',
        GATEHOUSE_URL: server.gatehouse.url,
      };
      execFile('bash', ['-c', `set -euo pipefail; ${command}`], { env, timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${command}: ${stderr}`)) : resolve(stdout))).stdin?.end();
    });

  it('generate-credential-report, then get-credential-report decoded with base64 -d', async () => {
    const started = JSON.parse(await sh('aws --endpoint-url "$GATEHOUSE_URL" iam generate-credential-report --output json')) as unknown;
    assert.deepEqual(started, { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' });
    assert.deepEqual(JSON.parse(await sh('aws --endpoint-url "$GATEHOUSE_URL" iam generate-credential-report --output json')), { State: 'COMPLETE' });
    const csv = await sh('aws --endpoint-url "$GATEHOUSE_URL" iam get-credential-report --query Content --output text | base64 -d');
    const lines = csv.split('\n');
    assert.equal(lines[0], HEADER);
    assert.match(lines[1], rootRow(server.gatehouse.accountId));
    assert.match(lines[2], new RegExp(`^admin,arn:aws:iam::${server.gatehouse.accountId}:user/admin,${TIME},false,N/A,N/A,N/A,false,true,${TIME},`));
  });
});
