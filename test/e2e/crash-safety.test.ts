/**
 * kill -9 during a burst of writes: after a restart every acknowledged write is there, nothing
 * that was not requested is, and the audit chain verifies.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CreateUserCommand, GetUserCommand, IAMClient, paginateListUsers } from '@aws-sdk/client-iam';
import { AUDIT_CHAIN_KEY_PURPOSE, AUDIT_DB_FILE, AuditLog } from '../../src/audit/index.js';
import { deriveKey } from '../../src/core/crypto/index.js';
import { loadMasterKey } from '../../src/server/master-key.js';
import { startStandalone } from '../../src/server/standalone.js';

const cli = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));

describe('crash safety', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('keeps every acknowledged write and nothing half-written after SIGKILL', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-crash-'));
    dirs.push(dataDir);
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GATEHOUSE_MASTER_KEY: '' } });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${out}`)));
    });
    const creds = JSON.parse(await readFile(join(dataDir, 'admin-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
    const iam = new IAMClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey }, maxAttempts: 1 });

    const acknowledged = new Set<string>();
    const requested = new Set<string>();
    let n = 0;
    const worker = async () => {
      for (;;) {
        const name = `crash-${n++}`;
        requested.add(name);
        try {
          await iam.send(new CreateUserCommand({ UserName: name, Tags: [{ Key: 'n', Value: name }] }));
          acknowledged.add(name);
          if (acknowledged.size === 60) child.kill('SIGKILL');
        } catch {
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    iam.destroy();
    assert.ok(acknowledged.size >= 60, `only ${acknowledged.size} writes were acknowledged`);

    const restarted = await startStandalone({ dataDir, port: 0, log: () => undefined, env: {} });
    try {
      const client = new IAMClient({ endpoint: restarted.url, region: 'us-east-1', credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey }, maxAttempts: 1 });
      const present: string[] = [];
      for await (const page of paginateListUsers({ client, pageSize: 1000 }, {})) present.push(...(page.Users ?? []).map((u) => u.UserName!));
      for (const name of acknowledged) assert.ok(present.includes(name), `acknowledged user ${name} is missing`);
      for (const name of present) if (name !== 'admin') assert.ok(requested.has(name), `unexpected user ${name}`);
      for (const name of present.filter((p) => p !== 'admin')) {
        const user = await client.send(new GetUserCommand({ UserName: name }));
        assert.deepEqual(user.User?.Tags, [{ Key: 'n', Value: name }], `user ${name} is incomplete`);
      }
      client.destroy();
    } finally {
      await restarted.close();
    }
    const key = (await loadMasterKey(dataDir, { env: {} })).key;
    const audit = AuditLog.open(join(dataDir, AUDIT_DB_FILE), deriveKey(key, AUDIT_CHAIN_KEY_PURPOSE));
    const verified = audit.verify();
    audit.close();
    assert.equal(verified.ok, true, JSON.stringify(verified.problems));
    assert.ok(verified.checked > 0);
  });
});
