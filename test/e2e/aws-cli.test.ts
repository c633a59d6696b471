/** The real AWS CLI against a running server (skipped only when `aws` is absent outside CI). */
import assert from 'node:assert/strict';
import { spawnSync, execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { scanQrCode } from '../control-plane/scan-qr-code.js';
import { startTestServer, type TestServer } from './server-harness.js';

const hasCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
/** The environment without any AWS settings of the machine's own. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
}

const script = fileURLToPath(new URL('./aws-cli-scenario.sh', import.meta.url));

describe('AWS CLI', { skip: !hasCli && !process.env.CI ? 'aws CLI not installed' : false }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  /** Runs `aws --endpoint-url URL iam ARGS` as the administrator. */
  const iam = (...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(
        'aws',
        ['--endpoint-url', server.gatehouse.url, 'iam', ...args],
        { env: { ...cleanEnv(), ...adminEnv(), AWS_DEFAULT_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1' }, timeout: 60_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`aws iam ${args.join(' ')}: ${stderr}`)) : resolve(stdout)),
      ).stdin?.end();
    });
  const adminEnv = () => ({ AWS_ACCESS_KEY_ID: server.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: server.admin.secretAccessKey, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });

  it('writes a virtual MFA device\'s QR code and seed files with --outfile, as the AWS docs show', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-mfa-'));
    try {
      const qr = join(dir, 'qr.png');
      const seedFile = join(dir, 'seed.txt');
      await iam('create-virtual-mfa-device', '--virtual-mfa-device-name', 'cli-phone', '--outfile', qr, '--bootstrap-method', 'QRCodePNG');
      await iam('create-virtual-mfa-device', '--virtual-mfa-device-name', 'cli-tablet', '--outfile', seedFile, '--bootstrap-method', 'Base32StringSeed');
      assert.match(scanQrCode(await readFile(qr)) ?? '', /^otpauth:\/\/totp\/cli-phone@admin\?secret=[A-Z2-7]{64}$/);
      assert.match(await readFile(seedFile, 'utf8'), /^[A-Z2-7]{64}$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('creates a user and a policy, calls with the new keys, and is denied outside the policy', async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile('bash', [script], {
        env: { ...cleanEnv(), GATEHOUSE_URL: server.gatehouse.url, AWS_ACCESS_KEY_ID: server.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: server.admin.secretAccessKey, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
        timeout: 120_000,
      }, (err, stdout, stderr) => resolve({ code: err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) ?? 1 : 0, stdout, stderr }));
      child.stdin?.end();
    });
    assert.equal(result.code, 0, `script failed:\n${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /cli-user/);
    assert.match(result.stdout, /An error occurred \(AccessDenied\) when calling the CreateUser operation: User: arn:aws:iam::\d{12}:user\/cli-user is not authorized to perform: iam:CreateUser/);
    assert.match(result.stdout, /scenario passed/);
  });
});
