/**
 * Phase 5: a data plane's cold start from its local snapshot. Builds a replica file
 * (`ReplicaFile`, what a data-plane node keeps in its data folder) holding 100,000 users each with
 * an access key (kRegion for every date of the key window, a SigV4a public key), managed
 * policies attached to them, some inline policies, and roles; then starts
 * `gatehouse serve --role data-plane` on it with the control plane out of reach (a restart while
 * cut off, the case that must be fast) and times spawn → `/health` answering, then the first
 * `/v1/authorize` of one of those users, and reads the process's resident memory.
 *
 * The key material of most keys is random bytes of the right size (a real kRegion is an HMAC the
 * node stores as it comes); 1,000 keys carry real material from a known secret, and one of them
 * signs the check after the start.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { deriveKey } from '../../src/core/crypto/index.js';
import { deriveRegionKey } from '../../src/core/sigv4/index.js';
import type { AuthorizeBody } from '../../src/data-plane/authorize.js';
import type { ReplicaAccessKey, ReplicaPolicy, ReplicaRecord, ReplicaRole, ReplicaUser } from '../../src/replication/feed-types.js';
import { feedWindows, keyWindowDates } from '../../src/replication/feed-windows.js';
import { ReplicaFile } from '../../src/replication/replica-file.js';
import { authorizeInput } from './inner-requests.js';
import { memoryOf, startServe, stop, type NodeProcess } from './processes.js';
import { PROD } from './seed.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function id(prefix: string, n: number, length: number): string {
  let s = '';
  let x = n;
  for (let i = 0; i < length; i++) {
    s = ALPHABET[x & 31] + s;
    x = Math.floor(x / 32);
  }
  return prefix + s;
}

export interface SnapshotSpec {
  users: number;
  roles: number;
  policies: number;
  /** Identity policy documents to draw from (the workload's); a simple one when empty. */
  documents: string[];
}

export interface BuiltSnapshot {
  file: string;
  records: number;
  bytes: number;
  buildSeconds: number;
  /** A user whose key carries real material, and its secret. */
  probe: { accessKeyId: string; secretAccessKey: string; userName: string };
  probeResource: string;
}

/** Writes the replica file of `region` into `dataDir` (replica.db, as a data-plane node names it). */
export async function buildSnapshot(dataDir: string, region: string, masterKey: Buffer, spec: SnapshotSpec): Promise<BuiltSnapshot> {
  const started = performance.now();
  const now = new Date();
  const windows = feedWindows(now, {}, deriveKey(masterKey, 'sts-token-keys'));
  const dates = keyWindowDates(windows.keyWindow);
  const records: ReplicaRecord[] = [{ kind: 'account', id: PROD, account: PROD, data: { accountId: PROD, allowUsersToChangePassword: false } }];
  const fallback = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }] });
  const docs = spec.documents.length ? spec.documents : [fallback];
  const policyArns: string[] = [];
  for (let i = 0; i < spec.policies; i++) {
    const name = `bench-policy-${i}`;
    const arn = `arn:aws:iam::${PROD}:policy/${name}`;
    policyArns.push(arn);
    const data: ReplicaPolicy = { arn, policyId: id('ANPA', i, 17), policyName: name, defaultVersionId: 'v1', document: docs[i % docs.length] };
    records.push({ kind: 'policy', id: arn, account: PROD, data });
  }
  // The probe's own policy allows what the check after the start asks.
  const probePolicy = `arn:aws:iam::${PROD}:policy/bench-cold-start-probe`;
  records.push({ kind: 'policy', id: probePolicy, account: PROD, data: { arn: probePolicy, policyId: id('ANPA', 999_999, 17), policyName: 'bench-cold-start-probe', defaultVersionId: 'v1', document: fallback } });
  const pick = (n: number) => policyArns[n % policyArns.length];
  const realSecret = (n: number) => `bench/cold/start/secret/${String(n).padStart(16, '0')}`;
  const fake = () => randomBytes(32).toString('base64');
  for (let i = 0; i < spec.users; i++) {
    const userName = `user-${String(i).padStart(6, '0')}`;
    const attached = [pick(i), pick(i * 7 + 3)];
    if (i % 3 === 0) attached.push(pick(i * 13 + 5));
    if (i === 0) attached.push(probePolicy);
    const user: ReplicaUser = {
      arn: `arn:aws:iam::${PROD}:user/${userName}`,
      path: '/',
      userName,
      userId: id('AIDA', i, 17),
      attachedPolicies: attached,
      inlinePolicies: i % 10 === 0 ? { inline: docs[(i * 31) % docs.length] } : {},
      tags: [
        { key: 'team', value: ['red', 'blue', 'green', 'yellow', 'ops'][i % 5] },
        { key: 'project', value: ['apollo', 'gemini', 'mercury', 'artemis'][i % 4] },
      ],
      groups: [],
      mfaDevices: [],
    };
    records.push({ kind: 'user', id: `${PROD}/${userName}`, account: PROD, data: user });
    const accessKeyId = id('AKIA', i, 16);
    const real = i % 100 === 0;
    const regionKeys: Record<string, string> = {};
    for (const d of dates) regionKeys[d] = real ? deriveRegionKey(realSecret(i), d, region).toString('base64') : fake();
    const point = randomBytes(65);
    point[0] = 4;
    const key: ReplicaAccessKey = { accessKeyId, userName, status: 'Active', regionKeys, sigv4aPublicKey: point.toString('base64') };
    records.push({ kind: 'access-key', id: accessKeyId, account: PROD, data: key });
  }
  for (let i = 0; i < spec.roles; i++) {
    const roleName = `bench-role-${i}`;
    const role: ReplicaRole = {
      arn: `arn:aws:iam::${PROD}:role/${roleName}`,
      path: '/',
      roleName,
      roleId: id('AROA', i, 17),
      attachedPolicies: [pick(i * 3), pick(i * 5 + 1)],
      inlinePolicies: { inline: docs[(i * 17) % docs.length] },
      tags: [],
      assumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PROD}:root` }, Action: 'sts:AssumeRole' }] }),
      maxSessionDuration: 3600,
    };
    records.push({ kind: 'role', id: `${PROD}/${roleName}`, account: PROD, data: role });
  }
  const path = join(dataDir, 'replica.db');
  const file = ReplicaFile.open(path);
  try {
    file.saveSnapshot({ region, revision: 1, time: now.toISOString(), windows, records });
  } finally {
    file.close();
  }
  const bytes = (await stat(path)).size;
  return {
    file: path,
    records: records.length,
    bytes,
    buildSeconds: (performance.now() - started) / 1000,
    probe: { accessKeyId: id('AKIA', 0, 16), secretAccessKey: realSecret(0), userName: 'user-000000' },
    probeResource: 'arn:aws:s3:::bench-cold-start/report.csv',
  };
}

/** A loopback port nothing listens on: the control plane of a region that is cut off. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

export interface ColdStart {
  /** Spawn → the node prints that it listens (seconds). */
  listening: number;
  /** Spawn → `GET /health` answers 200 (seconds). */
  health: number;
  /** The first /v1/authorize after the start (ms), and its decision. */
  firstCheckMs: number;
  firstDecision: string;
  /** Resident memory once it answers, and its peak (bytes). */
  rss: number;
  peak: number;
  records: number | undefined;
}

/** Starts a data-plane node on `dataDir` (its replica file in place) while its control plane is unreachable. */
export async function coldStart(dataDir: string, region: string, probe?: { input: () => object }): Promise<ColdStart> {
  const port = await closedPort();
  let node: NodeProcess | undefined;
  try {
    node = await startServe(
      ['--role', 'data-plane', '--region', region, '--control-plane', `http://127.0.0.1:${port}`, '--data-dir', dataDir, '--port', '0'],
      /^gatehouse: data plane \S+ listening on (http:\/\/\S+)/,
      { GATEHOUSE_REPLICATION_TOKEN: 'bench-cut-off' },
      120_000,
    );
    const listening = (performance.now() - node.spawnedAt) / 1000;
    let records: number | undefined;
    for (;;) {
      const res = await fetch(new URL('/health', node.url)).catch(() => undefined);
      if (res?.status === 200) {
        const body = (await res.json()) as { regions: { counts: Record<string, number> }[] };
        records = Object.values(body.regions[0]?.counts ?? {}).reduce((a, b) => a + b, 0);
        break;
      }
      await new Promise((ok) => setTimeout(ok, 5));
    }
    const health = (performance.now() - node.spawnedAt) / 1000;
    let firstCheckMs = NaN;
    let firstDecision = 'not checked';
    if (probe) {
      const t = performance.now();
      const res = await fetch(new URL('/v1/authorize', node.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(probe.input()) });
      const body = (await res.json()) as AuthorizeBody;
      firstCheckMs = performance.now() - t;
      firstDecision = body.error ? `${res.status} ${body.error.code}` : body.decision;
    }
    const mem = await memoryOf(node.pid);
    return { listening, health, firstCheckMs, firstDecision, rss: mem?.rss ?? NaN, peak: mem?.peak ?? NaN, records };
  } finally {
    await stop(node);
  }
}

/** The inner request the probe user signs after the cold start. */
export function coldStartProbe(built: BuiltSnapshot, region: string): { input: () => object } {
  return { input: () => authorizeInput({ principal: '', action: 's3:GetObject', resource: built.probeResource, context: {}, resourceAccount: PROD }, built.probe, region, new Date()) };
}
