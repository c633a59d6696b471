/**
 * IAM API benchmark over HTTP on loopback. Requests are signed once (SigV4, as the AWS CLI signs
 * them) and replayed by autocannon at 64 connections against a Gatehouse server in its own
 * process; a bare Node HTTP server with a fixed reply, measured in the same run, is the ceiling.
 *
 *   npm run bench:api          (BENCH_SECONDS=N changes the duration of each phase, default 10)
 */
import autocannon, { type Request as CannonRequest } from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signRequest } from '../src/core/sigv4/index.js';
import { cpuSeconds } from './dataplane/processes.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 64;
const cli = fileURLToPath(new URL('../src/cli/run.ts', import.meta.url));

function startProcess(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    });
    child.once('exit', (code) => reject(new Error(`process exited (${code}): ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((ok) => {
    if (child.exitCode !== null) return ok();
    child.once('exit', () => ok());
    child.kill('SIGTERM');
  });
}

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

async function run(title: string, url: string, serverPid: number | undefined, requests: CannonRequest[], pairs?: CannonRequest[][]): Promise<{ rps: number; p50: number; p99: number; errors: number; non2xx: number }> {
  let next = 0;
  const options: autocannon.Options = { url, connections: CONNECTIONS, duration: SECONDS, requests };
  if (pairs) {
    // Each cycle of a connection replays one pre-signed pair: CreateUser then DeleteUser of one
    // name. autocannon gives a connection a fresh context each time it starts the list over, so
    // every cycle takes the next pair, from a pool far too large for two connections to be
    // working on the same name at once.
    options.requests = [0, 1].map((step) => ({
      method: 'POST',
      setupRequest: (req: CannonRequest, context: Record<string, unknown>) => {
        context.pair ??= next++ % pairs.length;
        return { ...req, ...pairs[context.pair as number][step] };
      },
    })) as CannonRequest[];
  }
  const cpuBefore = await cpuSeconds(serverPid);
  const result = await autocannon(options);
  const cpuAfter = await cpuSeconds(serverPid);
  const out = { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
  // The server's CPU use (all its threads) shows whether it, and not the load generator, was the limit.
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? '' : `   server CPU ${(((cpuAfter - cpuBefore) / SECONDS) * 100).toFixed(0)}%`;
  console.log(`${title.padEnd(28)} ${out.rps.toFixed(0).padStart(7)} req/s   p50 ${String(out.p50).padStart(3)} ms   p99 ${String(out.p99).padStart(3)} ms   errors ${out.errors}   non-2xx ${out.non2xx}${cpu}`);
  return out;
}

async function main(): Promise<void> {
  console.log(`IAM API benchmark: ${CONNECTIONS} connections, ${SECONDS} s per phase, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-'));
  const bare = await startProcess(['-e', "require('http').createServer((q,s)=>{q.resume();q.on('end',()=>s.end('<ok/>'))}).listen(0,'127.0.0.1',function(){console.log('port '+this.address().port)})"], /port (\d+)/);
  const server = await startProcess(['--import', 'tsx', cli, 'serve', '--data-dir', dataDir, '--port', '0'], /listening on (http:\/\/\S+)/, { ...process.env, GATEHOUSE_MASTER_KEY: '' });
  try {
    const url = new URL(server.match[1]);
    const file = JSON.parse(await readFile(join(dataDir, 'admin-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
    const creds = { accessKeyId: file.AccessKeyId, secretAccessKey: file.SecretAccessKey };
    const getUser = signedQuery(url, creds, 'Action=GetUser&Version=2010-05-08&UserName=admin');
    const pairs = Array.from({ length: CONNECTIONS * 64 }, (_, i) => [
      signedQuery(url, creds, `Action=CreateUser&Version=2010-05-08&UserName=bench-${i}`),
      signedQuery(url, creds, `Action=DeleteUser&Version=2010-05-08&UserName=bench-${i}`),
    ]);

    const pid = server.child.pid;
    await run('warm-up GetUser', url.origin, pid, [getUser]);
    const ceiling = await run('bare Node HTTP (ceiling)', `http://127.0.0.1:${bare.match[1]}`, bare.child.pid, [{ method: 'POST', path: '/', body: getUser.body }]);
    const get = await run('signed GetUser', url.origin, pid, [getUser]);
    const write = await run('CreateUser + DeleteUser', url.origin, pid, [], pairs);
    const rss = await readFile(`/proc/${server.child.pid}/status`, 'utf8').then((s) => /VmHWM:\s+(\d+)/.exec(s)?.[1]).catch(() => undefined);
    console.log('');
    console.log(`GetUser: ${((get.rps / ceiling.rps) * 100).toFixed(0)}% of the ceiling (target ≥ 50%), p99 ${get.p99} ms (target < 15 ms)`);
    console.log(`Writes: ${write.rps.toFixed(0)} requests/s (target ≥ 1,000)`);
    if (rss) console.log(`Server peak resident memory: ${(Number(rss) / 1024).toFixed(0)} MiB`);
  } finally {
    await stop(server.child);
    await stop(bare.child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
