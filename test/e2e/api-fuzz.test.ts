/**
 * Every implemented IAM operation and every STS operation, called through the real AWS SDKs
 * against a running server with seeded random inputs: names of entities that exist and don't,
 * ARNs, policy documents good and bad, out-of-range numbers, empty and oversized strings. Whatever
 * the input, the answer is a success or a client error in AWS's form, never a 5xx, and the audit
 * trail still verifies.
 */
import assert from 'node:assert/strict';
import * as IAM from '@aws-sdk/client-iam';
import * as STS from '@aws-sdk/client-sts';
import fc from 'fast-check';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AUDIT_CHAIN_KEY_PURPOSE, AUDIT_DB_FILE, AuditLog } from '../../src/audit/index.js';
import { IAM_OPERATIONS } from '../../src/control-plane/operations/index.js';
import { deriveKey } from '../../src/core/crypto/index.js';
import { javaPatternToRegExp } from '../../src/protocol/aws-query/java-pattern.js';
import { operationNames, serviceModel, type ServiceModelData } from '../../src/protocol/index.js';
import type { MemberData } from '../../src/protocol/models/index.js';
import { loadMasterKey } from '../../src/server/master-key.js';
import { startTestServer, type TestServer } from './server-harness.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const RUNS_PER_OPERATION = 20;
const SEED = 20261122;
const ref = (m: MemberData) => (typeof m === 'string' ? m : m.shape);

/** Values a caller might send: existing names (set up below), near misses, and garbage. */
function stringPool(account: string): { plausible: string[]; garbage: string[] } {
  const names = ['fuzz-user', 'fuzz-role', 'fuzz-group', 'fuzz-policy', 'fuzz-profile', 'nobody', 'FUZZ-USER'];
  const arns = [
    `arn:aws:iam::${account}:user/fuzz-user`,
    `arn:aws:iam::${account}:role/fuzz-role`,
    `arn:aws:iam::${account}:policy/fuzz-policy`,
    `arn:aws:iam::${account}:mfa/fuzz-mfa`,
    'arn:aws:iam::aws:policy/ReadOnlyAccess',
    `arn:aws:iam::${account}:policy/missing`,
    'arn:aws:iam::999999999999:role/elsewhere',
    'arn:aws:s3:::bucket',
    'arn:',
  ];
  const documents = [
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${account}:root"},"Action":"sts:AssumeRole"}]}`,
    '{"Statement":[{"Effect":"Maybe"}]}',
    '{',
    '[]',
    'null',
  ];
  return {
    plausible: [...names, ...arns, ...documents, 'v1', 'v2', 'v9', 'Active', 'Inactive', '/', '/a/b/', '*', 's3:GetObject', 'iam:*', 'AKIAFUZZFUZZFUZZFUZZ', 'Correct-Horse-9!'],
    garbage: ['', ' ', 'x'.repeat(2049), '\u0000', 'ü✓😀', '../..', '%00', '<x/>'],
  };
}

/**
 * A string member: mostly the plausible values its model constraints accept, so that most calls
 * reach the operation's own checks; sometimes anything at all.
 */
function stringFor(shape: { pattern?: string; min?: number; max?: number }, pool: ReturnType<typeof stringPool>): fc.Arbitrary<string> {
  const pattern = shape.pattern === undefined ? undefined : javaPatternToRegExp(shape.pattern);
  const fits = pool.plausible.filter((v) => (pattern === undefined || pattern.test(v)) && v.length >= (shape.min ?? 0) && v.length <= (shape.max ?? Infinity));
  const any = fc.oneof(fc.constantFrom(...pool.plausible, ...pool.garbage), fc.string({ maxLength: 40 }));
  return fits.length ? fc.oneof({ arbitrary: fc.constantFrom(...fits), weight: 8 }, { arbitrary: any, weight: 1 }) : any;
}

function valueFor(model: ServiceModelData, shapeName: string, pool: ReturnType<typeof stringPool>, depth = 0): fc.Arbitrary<unknown> {
  const shape = model.shapes[shapeName];
  if (!shape || depth > 4) return fc.constant(undefined);
  switch (shape.type) {
    case 'structure': {
      const members: Record<string, fc.Arbitrary<unknown>> = {};
      const required = new Set(shape.required ?? []);
      for (const [name, m] of Object.entries(shape.members)) {
        const value = valueFor(model, ref(m), pool, depth + 1);
        // A required member is nearly always sent, an optional one half the time.
        members[name] = fc.option(value, { nil: undefined, freq: required.has(name) ? 20 : 2 });
      }
      return fc.record(members);
    }
    case 'list':
      return fc.array(valueFor(model, shape.member, pool, depth + 1), { maxLength: 3 });
    case 'map':
      return fc.dictionary(fc.string({ maxLength: 8 }), valueFor(model, shape.value, pool, depth + 1), { maxKeys: 2 });
    case 'string':
      return shape.enum ? fc.oneof({ arbitrary: fc.constantFrom(...shape.enum), weight: 8 }, { arbitrary: stringFor({}, pool), weight: 1 }) : stringFor(shape, pool);
    case 'integer':
    case 'long':
      return fc.oneof(
        { arbitrary: fc.integer({ min: shape.min ?? 0, max: Math.min(shape.max ?? 100_000, 100_000) }), weight: 6 },
        { arbitrary: fc.constantFrom(-1, 0, 1001, 43201, 2 ** 31), weight: 1 },
      );
    case 'boolean':
      return fc.boolean();
    case 'timestamp':
      return fc.constant(new Date('2024-01-02T03:04:05Z'));
    case 'blob':
      return fc.constant(new Uint8Array([1, 2, 3]));
    default:
      return fc.constant(undefined);
  }
}

describe('IAM and STS APIs under random input (seeded)', () => {
  let server: TestServer;
  let client: IAM.IAMClient;
  let account: string;
  before(async () => {
    server = await startTestServer();
    client = server.iam();
    const trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
    await client.send(new IAM.CreateUserCommand({ UserName: 'fuzz-user' }));
    await client.send(new IAM.CreateRoleCommand({ RoleName: 'fuzz-role', AssumeRolePolicyDocument: trust }));
    await client.send(new IAM.CreateGroupCommand({ GroupName: 'fuzz-group' }));
    await client.send(new IAM.CreatePolicyCommand({ PolicyName: 'fuzz-policy', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}' }));
    await client.send(new IAM.CreateInstanceProfileCommand({ InstanceProfileName: 'fuzz-profile' }));
    account = (await client.send(new IAM.GetUserCommand({}))).User!.Arn!.split(':')[4];
  });
  after(async () => {
    await server?.stop();
  });

  /** Calls each operation with seeded random inputs; returns the calls answered with a 5xx (or no answer). */
  async function fuzz(service: 'iam' | 'sts', operations: readonly string[], send: (operation: string, input: unknown) => Promise<unknown>): Promise<string[]> {
    const model = serviceModel(service);
    const pool = stringPool(account);
    const failures: string[] = [];
    for (const operation of operations) {
      const inputShape = model.operations[operation]?.input;
      const inputs = inputShape ? fc.sample(valueFor(model, inputShape, pool), { numRuns: RUNS_PER_OPERATION, seed: SEED }) : [{}];
      for (const input of inputs) {
        try {
          await send(operation, input);
        } catch (err) {
          const e = err as Error & { $metadata?: { httpStatusCode?: number }; $fault?: string };
          const status = e.$metadata?.httpStatusCode;
          if (status === undefined || status >= 500 || e.$fault === 'server') failures.push(`${operation} ${JSON.stringify(input).slice(0, 300)} → ${status} ${e.name}: ${e.message}`);
        }
      }
    }
    return failures;
  }

  it('answers every IAM operation with a success or a client error, never a 5xx', async () => {
    const commands = IAM as unknown as Record<string, new (input: unknown) => IAM.ListUsersCommand>;
    const failures = await fuzz(
      'iam',
      IAM_OPERATIONS.map((op) => op.name),
      (operation, input) => client.send(new commands[`${operation}Command`](input)),
    );
    assert.deepEqual(failures, []);
    // And it still answers (the administrator is not among the names the inputs use).
    assert.equal((await client.send(new IAM.GetUserCommand({}))).User?.UserName, 'admin');
  });

  it('answers every STS operation with a success or a client error, never a 5xx', async () => {
    const sts = new STS.STSClient({ endpoint: server.gatehouse.url, region: 'us-east-1', credentials: server.admin, maxAttempts: 1 });
    const commands = STS as unknown as Record<string, new (input: unknown) => STS.GetCallerIdentityCommand>;
    const failures = await fuzz('sts', operationNames('sts'), (operation, input) => sts.send(new commands[`${operation}Command`](input)));
    assert.deepEqual(failures, []);
    assert.equal((await sts.send(new STS.GetCallerIdentityCommand({}))).Account, account);
  });

  it('keeps an audit trail of all those calls that verifies', async () => {
    await server.gatehouse.close();
    const key = (await loadMasterKey(server.dataDir, { env: {} })).key;
    const audit = AuditLog.open(join(server.dataDir, AUDIT_DB_FILE), deriveKey(key, AUDIT_CHAIN_KEY_PURPOSE));
    try {
      const verified = audit.verify();
      assert.equal(verified.ok, true, JSON.stringify(verified.problems));
      assert.ok(verified.checked > 2000, `only ${verified.checked} events`);
    } finally {
      audit.close();
    }
  });
});
