/**
 * Lint on write through the real AWS SDK: with `warn` the write is done and the findings come in
 * the `x-gatehouse-policy-lint` header and the audit event, the body unchanged; with `reject` the
 * SDK gets MalformedPolicyDocument and nothing is written.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, GetPolicyCommand, GetRoleCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { runAuditQuery } from '../../src/cli/commands/audit-query.js';
import { createLiveClient, type LiveClient } from '../../src/cli/live-client.js';
import { startStandalone, type RunningGatehouse } from '../../src/server/standalone.js';

const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const TYPO = doc({ Effect: 'Allow', Action: 's3:GetObjekt', Resource: 'arn:aws:s3:::reports/*' }, { Effect: 'Allow', NotAction: 's3:*', Resource: 'arn:aws:s3:::reports' });

describe('policy lint on write, through the SDK', () => {
  let dataDir: string;
  let gatehouse: RunningGatehouse;
  let iam: IAMClient;
  let live: LiveClient;
  /** The x-gatehouse-policy-lint header of the last answer (undefined when absent). */
  let lintHeader: string | undefined;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-lint-on-write-'));
    gatehouse = await startStandalone({ dataDir, port: 0, host: '127.0.0.1', log: () => undefined, env: {} });
    const file = join(dataDir, 'admin-credentials.json');
    const creds = JSON.parse(await readFile(file, 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
    iam = new IAMClient({ endpoint: gatehouse.url, region: 'us-east-1', credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey }, maxAttempts: 1 });
    iam.middlewareStack.add(
      (next) => async (args) => {
        lintHeader = undefined;
        const out = await next(args);
        lintHeader = (out.response as { headers?: Record<string, string> }).headers?.['x-gatehouse-policy-lint'];
        return out;
      },
      { step: 'deserialize', name: 'policyLintHeader' },
    );
    live = createLiveClient({ endpoint: gatehouse.url, credentialsFile: file }, { readFile: (p) => readFile(p, 'utf8') });
  });
  after(async () => {
    iam?.destroy();
    await gatehouse?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('off (the default): no header', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'dev' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'off', PolicyDocument: TYPO }));
    assert.equal(lintHeader, undefined);
  });

  it('warn: the write is done, the header names the findings, the body is AWS\'s', async () => {
    await live.putJson('/v1/analysis/settings', { policyLint: 'warn' });
    const out = await iam.send(new CreatePolicyCommand({ PolicyName: 'typo', PolicyDocument: TYPO }));
    assert.equal(lintHeader, 'count=2; ids=REF-ACTION,PAT-ALLOW-NOTACTION');
    assert.equal(out.Policy?.PolicyName, 'typo');
    const got = await iam.send(new GetPolicyCommand({ PolicyArn: out.Policy!.Arn }));
    assert.equal(got.Policy?.DefaultVersionId, 'v1');
    assert.equal(lintHeader, undefined, 'reads carry no lint header');
  });

  it('reject: MalformedPolicyDocument naming the finding, and nothing written', async () => {
    await live.putJson('/v1/analysis/settings', { policyLint: 'reject' });
    await assert.rejects(iam.send(new CreatePolicyCommand({ PolicyName: 'refused', PolicyDocument: TYPO })), (err: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => {
      assert.equal(err.name, 'MalformedPolicyDocumentException');
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.equal(err.message, 'Policy lint REF-ACTION at $.Statement[0].Action: The action "s3:GetObjekt" does not exist in Amazon S3. Did you mean "s3:GetObject"?');
      return true;
    });
    const account = gatehouse.accountId;
    await assert.rejects(iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${account}:policy/refused` })), { name: 'NoSuchEntityException' });
    // A trust policy naming a user that does not exist.
    const trust = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:user/ghost` }, Action: 'sts:AssumeRole' });
    await assert.rejects(iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust })), { name: 'MalformedPolicyDocumentException', message: /^Policy lint REF-ENTITY at \$\.Statement\[0\]\.Principal\.AWS: / });
    await assert.rejects(iam.send(new GetRoleCommand({ RoleName: 'r' })), { name: 'NoSuchEntityException' });
  });

  it('records the findings in the audit event of the call', async () => {
    await gatehouse.close();
    const lines: string[] = [];
    const code = await runAuditQuery(['--data-dir', dataDir, '--json'], { stdout: (t) => lines.push(...t.split('\n').filter(Boolean)), stderr: () => undefined, readFile: (p) => readFile(p, 'utf8') });
    assert.equal(code, 0);
    const events = lines.map((l) => JSON.parse(l) as { eventName: string; errorCode?: string; additionalEventData?: { policyLint?: { mode: string; findings: { id: string; severity: string; path: string }[] } } });
    const created = events.find((e) => e.eventName === 'CreatePolicy' && !e.errorCode);
    assert.deepEqual(created?.additionalEventData?.policyLint?.mode, 'warn');
    assert.deepEqual(
      created?.additionalEventData?.policyLint?.findings.map((f) => [f.id, f.severity, f.path]),
      [
        ['REF-ACTION', 'error', '$.Statement[0].Action'],
        ['PAT-ALLOW-NOTACTION', 'security', '$.Statement[1].NotAction'],
      ],
    );
    const refused = events.find((e) => e.eventName === 'CreatePolicy' && e.errorCode);
    assert.equal(refused?.errorCode, 'MalformedPolicyDocument');
    // The setting's changes are audited too.
    assert.ok(events.some((e) => e.eventName === 'PutAnalysisSettings' && !e.errorCode));
    assert.equal(events.find((e) => e.eventName === 'PutUserPolicy')?.additionalEventData, undefined);
  });
});
