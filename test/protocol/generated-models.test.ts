import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compactModel, modelErrors, SERVICE_SOURCES } from '../../scripts/generate-models.js';
import { operationNames, SERVICE_MODELS, serviceForVersion } from '../../src/protocol/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('generated models', () => {
  test('say how they were generated', () => {
    for (const file of [...SERVICE_SOURCES.map((s) => s.output), 'src/core/errors/generated/model-errors.ts']) {
      const head = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').split('\n').slice(0, 4).join('\n');
      assert.match(head, /^\/\/ GENERATED FILE: DO NOT EDIT\./, file);
      assert.ok(head.includes('npm run models:generate') && head.includes('scripts/generate-models.ts'), file);
    }
  });

  test('metadata, versions and operation counts', () => {
    assert.equal(SERVICE_MODELS.iam.apiVersion, '2010-05-08');
    assert.equal(SERVICE_MODELS.iam.xmlNamespace, 'https://iam.amazonaws.com/doc/2010-05-08/');
    assert.equal(SERVICE_MODELS.sts.apiVersion, '2011-06-15');
    assert.equal(SERVICE_MODELS.sts.xmlNamespace, 'https://sts.amazonaws.com/doc/2011-06-15/');
    assert.equal(serviceForVersion('2010-05-08'), 'iam');
    assert.equal(serviceForVersion('2011-06-15'), 'sts');
    assert.equal(serviceForVersion('2012-01-01'), undefined);
    assert.equal(operationNames('iam').length, 176);
    assert.equal(operationNames('sts').length, 11);
    assert.deepEqual(SERVICE_MODELS.iam.operations.DeleteUser, { input: 'DeleteUserRequest' });
    assert.deepEqual(SERVICE_MODELS.iam.operations.GetAccountSummary, { output: 'GetAccountSummaryResponse', resultWrapper: 'GetAccountSummaryResult' });
  });

  test('keep what the protocol needs and nothing else', () => {
    const { shapes } = SERVICE_MODELS.iam;
    assert.deepEqual(shapes.userNameType, { type: 'string', min: 1, max: 64, pattern: '[\\w+=,.@-]+' });
    assert.deepEqual(shapes.tagListType, { type: 'list', member: 'Tag', max: 50 });
    assert.deepEqual(shapes.Tag, { type: 'structure', members: { Key: 'tagKeyType', Value: 'tagValueType' }, required: ['Key', 'Value'] });
    assert.deepEqual(shapes.statusType, { type: 'string', enum: ['Active', 'Inactive', 'Expired'] });
    assert.deepEqual(shapes.summaryMapType, { type: 'map', key: 'summaryKeyType', value: 'summaryValueType' });
    assert.deepEqual(shapes.passwordType?.type === 'string' && shapes.passwordType.sensitive, true);
    assert.equal(shapes.NoSuchEntityException, undefined, 'exceptions live in core/errors');
    assert.deepEqual(SERVICE_MODELS.sts.shapes.PolicyDescriptorType, { type: 'structure', members: { arn: 'arnType' } });
    const text = readFileSync(new URL('../../src/protocol/models/generated/iam-model.ts', import.meta.url), 'utf8');
    assert.doesNotMatch(text, /"documentation"|<p>/);
    assert.ok(text.length < 128 * 1024, `${text.length} bytes`);
  });

  test('the builder refuses model keys it does not know', () => {
    const source = SERVICE_SOURCES[0] as (typeof SERVICE_SOURCES)[number];
    const model = (extra: Record<string, unknown>) => ({
      metadata: { apiVersion: '2010-05-08', protocol: 'query', xmlNamespace: 'ns' },
      operations: { Op: { name: 'Op', input: { shape: 'OpRequest' } } },
      shapes: { OpRequest: { type: 'structure', members: { A: { shape: 'S', ...extra } } }, S: { type: 'string' } },
    });
    assert.doesNotThrow(() => compactModel(source, model({}), 'hash'));
    assert.deepEqual(compactModel(source, model({ locationName: 'a' }), 'hash').shapes.OpRequest, { type: 'structure', members: { A: { shape: 'S', locationName: 'a' } } });
    assert.throws(() => compactModel(source, model({ xmlAttribute: true }), 'hash'), /unsupported model key "xmlAttribute"/);
    assert.throws(() => compactModel(source, { ...model({}), metadata: { apiVersion: 'x', protocol: 'json', xmlNamespace: '' } }, 'hash'), /not "query"/);
  });

  test('conflicting error codes across services fail the build', () => {
    const m = (status: number) => ({
      metadata: { apiVersion: 'x', protocol: 'query', xmlNamespace: '' },
      operations: {},
      shapes: { E: { type: 'structure', members: {}, exception: true, error: { code: 'Same', httpStatusCode: status, senderFault: true } } },
    });
    assert.equal(modelErrors([{ service: 'iam', model: m(400) }, { service: 'sts', model: m(400) }]).length, 1);
    assert.throws(() => modelErrors([{ service: 'iam', model: m(400) }, { service: 'sts', model: m(409) }]), /error code Same/);
  });

  test('are up to date (scripts/check-models.ts passes)', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-models.ts'], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr || run.stdout);
    assert.match(run.stdout, /iam-model\.ts is up to date/);
    assert.match(run.stdout, /model-errors\.ts is up to date/);
  });
});
