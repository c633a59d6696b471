/** The CLI's live client: credentials resolution, signed IAM calls, and one-line errors. */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLiveClient, iamError, LiveApiError, LiveClientError } from '../../src/cli/live-client.js';
import { startTestServer, type TestServer } from '../e2e/server-harness.js';

const diskIo = { readFile: (p: string) => readFile(p, 'utf8') };

describe('iamError', () => {
  it('reads the code and the message of an AWS error body, unescaping XML', () => {
    const body = `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name a&amp;b &lt;x&gt; cannot be found.</Message></Error><RequestId>1</RequestId></ErrorResponse>`;
    assert.deepEqual(iamError(body), { code: 'NoSuchEntity', message: 'The user with name a&b <x> cannot be found.' });
  });

  it('is undefined for a success body or text that is no error', () => {
    assert.equal(iamError('<ListUsersResponse><ListUsersResult><Users></Users></ListUsersResult></ListUsersResponse>'), undefined);
    assert.equal(iamError('not xml <Code>x</Code>'), undefined);
  });
});

describe('live client against a standalone server', () => {
  let server: TestServer;
  let credentialsFile: string;

  before(async () => {
    server = await startTestServer();
    credentialsFile = join(server.dataDir, 'admin-credentials.json');
  });
  after(async () => {
    await server?.stop();
  });

  it('signs IAM calls with the admin-credentials.json that the server wrote', async () => {
    const client = createLiveClient({ endpoint: server.gatehouse.url, credentialsFile }, diskIo);
    const created = await client.iam('CreateUser', { UserName: 'live-a', Path: "/team(x)!*'~+/" });
    assert.equal(created.status, 200, created.body);
    assert.match(created.body, /<UserName>live-a<\/UserName>/);
    // The characters encodeURIComponent leaves alone, and '+', survive signing and form decoding.
    assert.match(created.body, /<Path>\/team\(x\)!\*&apos;~\+\/<\/Path>|<Path>\/team\(x\)!\*'~\+\/<\/Path>/);
    const missing = await client.iam('GetUser', { UserName: 'nobody' });
    assert.equal(missing.status, 404);
    assert.deepEqual(iamError(missing.body), { code: 'NoSuchEntity', message: 'The user with name nobody cannot be found.' });
    await assert.rejects(client.iamOk('GetUser', { UserName: 'nobody' }), (err: unknown) => err instanceof LiveApiError && err.code === 'NoSuchEntity' && err.status === 404);
  });

  it('uses AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when no file is given', async () => {
    const env = { AWS_ACCESS_KEY_ID: server.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: server.admin.secretAccessKey };
    const client = createLiveClient({ endpoint: server.gatehouse.url, env }, { readFile: () => Promise.reject(new Error('must not read a file')) });
    assert.match(await client.iamOk('ListUsers', {}), /<UserName>admin<\/UserName>/);
  });

  it('answers a wrong secret with the server\'s code', async () => {
    const env = { AWS_ACCESS_KEY_ID: server.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: 'wrong' };
    const client = createLiveClient({ endpoint: server.gatehouse.url, env }, diskIo);
    const res = await client.iam('ListUsers', {});
    assert.equal(res.status, 403);
    assert.equal(iamError(res.body)?.code, 'SignatureDoesNotMatch');
  });

  it('says clearly when the JSON API is not there', async () => {
    const client = createLiveClient({ endpoint: server.gatehouse.url, credentialsFile }, diskIo);
    await assert.rejects(client.getJson('/v1/analysis/nothing-here'), (err: unknown) => err instanceof LiveApiError && err.status === 404 && err.code === 'NotFound');
  });

  it('refuses a credentials file without keys, naming the file', async () => {
    const bad = join(server.dataDir, 'bad.json');
    await writeFile(bad, '{"Version":1}');
    const client = createLiveClient({ endpoint: server.gatehouse.url, credentialsFile: bad }, diskIo);
    await assert.rejects(client.iam('ListUsers', {}), { name: 'LiveClientError', message: `credentials file ${bad} has no AccessKeyId and SecretAccessKey` });
  });
});

describe('live client errors', () => {
  it('names the default credentials file when nothing else gives credentials', async () => {
    const client = createLiveClient({ endpoint: 'http://127.0.0.1:9', env: {} }, { readFile: () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOENT' })) });
    await assert.rejects(client.iam('ListUsers', {}), {
      message: 'no credentials: pass --credentials FILE, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where gatehouse-data/admin-credentials.json exists (no such file)',
    });
  });

  it('reports an unreachable endpoint in one line', async () => {
    const client = createLiveClient({ endpoint: 'http://127.0.0.1:1', env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' } }, diskIo);
    await assert.rejects(client.getJson('/v1/analysis/settings'), (err: unknown) => err instanceof LiveClientError && /^cannot reach Gatehouse at http:\/\/127\.0\.0\.1:1: /.test(err.message) && !err.message.includes('\n'));
  });

  it('refuses an endpoint that is not an http URL', async () => {
    const client = createLiveClient({ endpoint: 'ftp://x', env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' } }, diskIo);
    await assert.rejects(client.iam('ListUsers', {}), { message: '--endpoint ftp://x must be an http:// or https:// URL' });
  });
});
