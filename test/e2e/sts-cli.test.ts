/** STS in two regions with the real AWS CLI (skipped only when `aws` is absent outside CI). */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startRegionServer, type RegionServer } from './region-harness.js';

const hasCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
/** The environment without any AWS settings of the machine's own. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
}

const script = fileURLToPath(new URL('./aws-cli-sts-scenario.sh', import.meta.url));
const cli = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

describe('AWS CLI: STS in two regions', { skip: !hasCli && !process.env.CI ? 'aws CLI not installed' : false }, () => {
  let s: RegionServer;
  before(async () => {
    s = await startRegionServer();
  });
  after(async () => {
    await s?.stop();
  });

  it('assumes a role in eu-west-1, uses it in us-east-1 and against IAM, chains, and is denied by its session policy', async () => {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        'bash',
        [script],
        {
          cwd: root,
          env: { ...cleanEnv(), GATEHOUSE_URL: s.url, GATEHOUSE_CLI: cli, AWS_ACCESS_KEY_ID: s.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: s.admin.secretAccessKey },
          timeout: 120_000,
        },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });
    const out = result.stdout;
    assert.equal(result.code, 0, `script failed:\n${out}\n${result.stderr}`);
    const a = s.accountId;
    assert.match(out, new RegExp(`^arn:aws:iam::${a}:role/cli-reader$`, 'm'));
    assert.match(out, new RegExp(`^arn:aws:sts::${a}:assumed-role/cli-reader/cli-eu$`, 'm'), 'get-caller-identity in us-east-1 shows the session from eu-west-1');
    assert.match(out, /^cli-reader$/m, 'list-roles with the session');
    assert.match(out, /An error occurred \(ValidationError\) when calling the AssumeRole operation: The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining\./);
    assert.match(out, new RegExp(`^arn:aws:sts::${a}:assumed-role/cli-reader/cli-chain$`, 'm'));
    assert.match(
      out,
      new RegExp(`An error occurred \\(AccessDenied\\) when calling the ListRoles operation: User: arn:aws:sts::${a}:assumed-role/cli-reader/cli-limited is not authorized to perform: iam:ListRoles on resource: .* because no session policy allows the iam:ListRoles action`),
    );
    assert.match(out, new RegExp(`^Deny: User: arn:aws:sts::${a}:assumed-role/cli-reader/cli-eu is not authorized to perform: reports:GetReport on resource: arn:aws:reports:eu-west-1:${a}:report/2026 because no identity-based policy allows the reports:GetReport action$`, 'm'));
    assert.match(out, new RegExp(`^\\{"allowed":false,"action":"reports:GetReport","principal":"arn:aws:sts::${a}:assumed-role/cli-reader/cli-eu"\\}$`, 'm'));
    assert.match(out, /sts scenario passed/);
  });
});
