/** Starts a standalone Gatehouse on a random loopback port in a fresh temp folder. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { startStandalone, type RunningGatehouse } from '../../src/server/standalone.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface TestServer {
  gatehouse: RunningGatehouse;
  dataDir: string;
  admin: Credentials;
  logs: string[];
  iam(credentials?: Credentials, region?: string): IAMClient;
  stop(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-e2e-'));
  const logs: string[] = [];
  const gatehouse = await startStandalone({ dataDir, port: 0, host: '127.0.0.1', log: (l) => logs.push(l), env: {} });
  const file = JSON.parse(await readFile(join(dataDir, 'admin-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
  const admin = { accessKeyId: file.AccessKeyId, secretAccessKey: file.SecretAccessKey };
  return {
    gatehouse,
    dataDir,
    admin,
    logs,
    iam: (credentials = admin, region = 'us-east-1') => new IAMClient({ endpoint: gatehouse.url, region, credentials, maxAttempts: 1 }),
    async stop() {
      await gatehouse.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
