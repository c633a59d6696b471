/**
 * IAM API benchmark over HTTP on loopback. Requests are signed once (SigV4, as the AWS CLI signs
 * them) and replayed by autocannon at 64 connections against a standalone Gatehouse server in its
 * own process; a bare Node HTTP server with a fixed reply, measured in the same run, is the ceiling.
 *
 *   npm run bench:api          (BENCH_SECONDS=N: seconds per phase, default 10;
 *                               BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=DIR' profiles the server)
 */
import type { Request as CannonRequest } from 'autocannon';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '../src/core/sigv4/index.js';
import { cannon, load, memoryOf, startProcess, startServe, stop } from './dataplane/processes.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 64;

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
}

function signedQuery(url: URL, creds: Creds, body: string): CannonRequest {
  const headers: [string, string][] = [
    ['Host', url.host],
    ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
  ];
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  const signed = signRequest({ method: 'POST', path: '/', query: '', headers, bodySha256 }, creds, { now: new Date(), region: 'us-east-1', service: 'iam' });
  return { method: 'POST', path: '/', headers: Object.fromEntries(signed.headers), body };
}

/**
 * Each cycle of a connection replays one pre-signed pair: CreateUser then DeleteUser of one name.
 * autocannon gives a connection a fresh context each time it starts the list over, so every cycle
 * takes the next pair, from a pool far too large for two connections to work on one name at once.
 */
function pairCycle(pairs: CannonRequest[][]): CannonRequest[] {
  let next = 0;
  return [0, 1].map((step) => ({
    method: 'POST',
    setupRequest: (req: CannonRequest, context: Record<string, unknown>) => {
      context.pair ??= next++ % pairs.length;
      return { ...req, ...pairs[context.pair as number][step] };
    },
  })) as CannonRequest[];
}

async function main(): Promise<void> {
  console.log(`IAM API benchmark: ${CONNECTIONS} connections, ${SECONDS} s per phase, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${load()}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-'));
  const bare = await startProcess(['-e', "require('http').createServer((q,s)=>{q.resume();q.on('end',()=>s.end('<ok/>'))}).listen(0,'127.0.0.1',function(){console.log('port '+this.address().port)})"], /port (\d+)/);
  const server = await startServe(['--data-dir', dataDir, '--port', '0'], /listening on (http:\/\/\S+)/, {});
  try {
    const url = new URL(server.url);
    const file = JSON.parse(await readFile(join(dataDir, 'admin-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
    const creds = { accessKeyId: file.AccessKeyId, secretAccessKey: file.SecretAccessKey };
    const getUser = signedQuery(url, creds, 'Action=GetUser&Version=2010-05-08&UserName=admin');
    const pairs = Array.from({ length: CONNECTIONS * 64 }, (_, i) => [
      signedQuery(url, creds, `Action=CreateUser&Version=2010-05-08&UserName=bench-${i}`),
      signedQuery(url, creds, `Action=DeleteUser&Version=2010-05-08&UserName=bench-${i}`),
    ]);

    const phase = (title: string, target: string, pid: number, requests: CannonRequest[]) => cannon(title, target, pid, requests, SECONDS, CONNECTIONS);
    await phase('warm-up GetUser', url.origin, server.pid, [getUser]);
    const ceiling = await phase('bare Node HTTP (ceiling)', `http://127.0.0.1:${bare.url}`, bare.pid, [{ method: 'POST', path: '/', body: getUser.body }]);
    const get = await phase('signed GetUser', url.origin, server.pid, [getUser]);
    const write = await phase('CreateUser + DeleteUser', url.origin, server.pid, pairCycle(pairs));
    const memory = await memoryOf(server.pid);
    console.log('');
    console.log(`GetUser: ${((get.rps / ceiling.rps) * 100).toFixed(0)}% of the ceiling (target ≥ 50%), p99 ${get.p99} ms (target < 15 ms)`);
    console.log(`Writes: ${write.rps.toFixed(0)} requests/s (target ≥ 1,000)`);
    if (memory) console.log(`Server peak resident memory: ${(memory.peak / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await stop(server);
    await stop(bare);
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
