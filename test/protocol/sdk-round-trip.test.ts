/**
 * The real AWS SDK for JavaScript v3 on both ends of the protocol, through an in-memory request
 * handler: every operation's synthetic input is serialized by the SDK and read back by
 * readQueryRequest, and every synthetic output is serialized by us and parsed by the SDK.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as IAM from '@aws-sdk/client-iam';
import * as STS from '@aws-sdk/client-sts';
import { awsError } from '../../src/core/errors/index.js';
import { decodeForm, operationNames, readQueryRequest, serializeError, serializeResult, serviceModel, type ServiceName } from '../../src/protocol/index.js';
import { synthesize, toModelNames } from './support/synthesize.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

interface Exchange {
  /** What the handler answers. */
  status: number;
  body: string;
  /** The last request body the SDK sent. */
  sent: string;
}

function fakeClient(service: ServiceName, exchange: Exchange) {
  const requestHandler = {
    async handle(request: { body?: unknown }) {
      exchange.sent = String(request.body ?? '');
      return {
        response: {
          statusCode: exchange.status,
          headers: { 'content-type': 'text/xml', 'x-amzn-requestid': 'rid' },
          body: new TextEncoder().encode(exchange.body),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
  };
  const config = { region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, requestHandler, maxAttempts: 1 };
  return service === 'iam' ? new IAM.IAMClient(config) : new STS.STSClient(config);
}

type CommandClass = new (input: unknown) => unknown;
const commands = (service: ServiceName) => (service === 'iam' ? IAM : STS) as unknown as Record<string, CommandClass>;

async function send(service: ServiceName, client: ReturnType<typeof fakeClient>, operation: string, input: unknown): Promise<Record<string, unknown>> {
  const Command = commands(service)[`${operation}Command`];
  assert.ok(Command, `the SDK has ${operation}`);
  const out = (await (client as unknown as { send(c: unknown): Promise<Record<string, unknown>> }).send(new Command(input))) as Record<string, unknown>;
  const { $metadata: _metadata, ...rest } = out;
  return rest;
}

describe('AWS SDK v3 round trip', () => {
  for (const service of ['iam', 'sts'] as const) {
    test(`${service.toUpperCase()}: every operation's SDK-serialized input reads back as the domain input`, async () => {
      const model = serviceModel(service);
      const exchange: Exchange = { status: 200, body: '', sent: '' };
      const client = fakeClient(service, exchange);
      let checked = 0;
      for (const operation of operationNames(service)) {
        const op = model.operations[operation];
        exchange.body = serializeResult(service, operation, undefined, 'rid');
        const domain = op?.input ? (synthesize(model, op.input, 'in', { text: 'a b&c=d/ü+' }) as Record<string, unknown>) : {};
        await send(service, client, operation, op?.input ? toModelNames(model, op.input, domain) : {});
        const read = readQueryRequest(decodeForm(exchange.sent));
        assert.equal(read.operation, operation);
        assert.deepEqual(read.input, domain, operation);
        checked++;
      }
      assert.equal(checked, service === 'iam' ? 176 : 11);
    });

    test(`${service.toUpperCase()}: every output we serialize parses in the SDK to the same value`, async () => {
      const model = serviceModel(service);
      const exchange: Exchange = { status: 200, body: '', sent: '' };
      const client = fakeClient(service, exchange);
      let checked = 0;
      for (const operation of operationNames(service)) {
        const op = model.operations[operation];
        if (!op?.output) continue;
        const domain = synthesize(model, op.output) as Record<string, unknown>;
        exchange.body = serializeResult(service, operation, domain, 'rid');
        const parsed = await send(service, client, operation, {});
        assert.deepEqual(parsed, toModelNames(model, op.output, domain), operation);
        checked++;
      }
      assert.equal(checked, service === 'iam' ? 97 : 11);
    });
  }

  test('errors: modelled codes become the modelled exception, others a service exception named by the code', async () => {
    const exchange: Exchange = { status: 0, body: '', sent: '' };
    const client = fakeClient('iam', exchange);
    const cases = [
      [awsError('NoSuchEntity', 'The user with name <bob> cannot be found.'), 'NoSuchEntityException', 'client', 404],
      [awsError('ServiceFailure', 'boom'), 'ServiceFailureException', 'server', 500],
      [awsError('LimitExceeded', 'Cannot exceed quota for UsersPerAccount: 5000.'), 'LimitExceededException', 'client', 409],
      [awsError('ValidationError', '1 validation error detected: x'), 'ValidationError', 'client', 400],
      [awsError('AccessDenied', 'User: arn:aws:iam::1:user/a is not authorized to perform: iam:GetUser'), 'AccessDenied', 'client', 403],
    ] as const;
    for (const [error, name, fault, status] of cases) {
      exchange.status = error.httpStatus;
      exchange.body = serializeError('iam', error, 'rid');
      await assert.rejects(send('iam', client, 'GetUser', { UserName: 'bob' }), (e: Error & { $fault?: string; $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(e.name, name);
        assert.equal(e.message, error.message);
        assert.equal(e.$fault, fault);
        assert.equal(e.$metadata?.httpStatusCode, status);
        return true;
      });
    }
  });
});
