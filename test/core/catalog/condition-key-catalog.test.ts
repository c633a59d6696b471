import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  actionsOfService,
  getConditionKey,
  getResourceType,
  isGlobalConditionKey,
  listGlobalConditionKeys,
  listServices,
} from '../../../src/core/catalog/index.js';

describe('getConditionKey', () => {
  test('types of global keys', () => {
    const expected: Record<string, string> = {
      'aws:SourceIp': 'IPAddress',
      'aws:CurrentTime': 'Date',
      'aws:EpochTime': 'Date',
      'aws:MultiFactorAuthPresent': 'Bool',
      'aws:MultiFactorAuthAge': 'Numeric',
      'aws:PrincipalArn': 'ARN',
      'aws:TagKeys': 'ArrayOfString',
      'aws:SecureTransport': 'Bool',
    };
    for (const [name, type] of Object.entries(expected)) {
      const key = getConditionKey(name);
      assert.ok(key, name);
      assert.deepEqual(key.types, [type], name);
      assert.equal(key.global, true, name);
      assert.equal(key.name, name);
    }
  });

  test('is case-insensitive and returns the documented spelling', () => {
    assert.equal(getConditionKey('AWS:SOURCEIP')?.name, 'aws:SourceIp');
    assert.equal(getConditionKey('s3:PREFIX')?.name, 's3:prefix');
  });

  test('service keys', () => {
    const prefix = getConditionKey('s3:prefix');
    assert.ok(prefix);
    assert.deepEqual(prefix.types, ['String']);
    assert.equal(prefix.global, false);
    assert.deepEqual(prefix.services, ['s3']);
    assert.deepEqual(getConditionKey('iam:PassedToService')?.types, ['String']);
    assert.deepEqual(getConditionKey('sts:ExternalId')?.services, ['sts']);
  });

  test('a key documented with different types has them all', () => {
    assert.deepEqual(getConditionKey('identitystore:UserId')?.types, ['ArrayOfString', 'String']);
  });

  test('instances of templated keys resolve to their template', () => {
    const cases: [string, string][] = [
      ['aws:ResourceTag/team', 'aws:ResourceTag/${TagKey}'],
      ['aws:RequestTag/cost-center', 'aws:RequestTag/${TagKey}'],
      ['aws:PrincipalTag/dept', 'aws:PrincipalTag/${TagKey}'],
      ['aws:resourcetag/a/b', 'aws:ResourceTag/${TagKey}'],
      ['s3:ExistingObjectTag/env', 's3:ExistingObjectTag/<key>'],
      ['s3:ExistingObjectTag/${TagKey}', 's3:ExistingObjectTag/<key>'],
      ['iam:ResourceTag/owner', 'iam:ResourceTag/${TagKey}'],
      ['kms:EncryptionContext:aws:pi', 'kms:EncryptionContext:${EncryptionContextKey}'],
      ['secretsmanager:ResourceTag/env', 'secretsmanager:ResourceTag/tag-key'],
      ['token.actions.example.ghe.com:actor', 'token.actions.${Domain}.ghe.com:actor'],
    ];
    for (const [name, template] of cases) {
      const key = getConditionKey(name);
      assert.equal(key?.name, template, name);
      assert.equal(key?.templated, true, name);
    }
    assert.deepEqual(getConditionKey('aws:ResourceTag/team')?.types, ['String']);
    assert.equal(getConditionKey('aws:ResourceTag/team')?.global, true);
  });

  test('the most specific template wins, and an exact key beats any template', () => {
    assert.equal(getConditionKey('events:Metadata/k/Matcher')?.name, 'events:Metadata/${MetadataKey}/Matcher');
    assert.equal(getConditionKey('events:Metadata/k')?.name, 'events:Metadata/${MetadataKey}');
    const exact = getConditionKey('ssm:resourceTag/aws:ssmmessages:session-id');
    assert.equal(exact?.name, 'ssm:resourceTag/aws:ssmmessages:session-id');
    assert.equal(exact?.templated, false);
  });

  test('unknown keys and empty variable parts are undefined', () => {
    for (const name of ['aws:NoSuchKey', 'aws:ResourceTag/', 'nosuchservice:key', 's3:', '', 'aws:SourceIpX']) {
      assert.equal(getConditionKey(name), undefined, name);
    }
  });

  test('every key an action or resource type lists resolves', () => {
    const missing: string[] = [];
    for (const { key: service } of listServices()) {
      for (const action of actionsOfService(service)) {
        const keys = [...action.conditionKeys, ...action.resourceTypes.flatMap((rt) => rt.conditionKeys)];
        for (const rt of action.resourceTypes) keys.push(...(getResourceType(service, rt.name)?.conditionKeys ?? []));
        for (const key of keys) if (!getConditionKey(key)) missing.push(`${action.action} ${key}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});

describe('global condition keys', () => {
  test('isGlobalConditionKey', () => {
    assert.equal(isGlobalConditionKey('aws:SourceIp'), true);
    assert.equal(isGlobalConditionKey('aws:sourceip'), true);
    assert.equal(isGlobalConditionKey('aws:PrincipalTag/team'), true);
    assert.equal(isGlobalConditionKey('aws:TokenIssueTime'), true);
    assert.equal(isGlobalConditionKey('s3:prefix'), false);
    assert.equal(isGlobalConditionKey('aws:NoSuchKey'), false);
  });

  test('listGlobalConditionKeys: sorted, global, templates in the ${TagKey} form', () => {
    const globals = listGlobalConditionKeys();
    assert.ok(globals.length > 40, `${globals.length} global keys`);
    const names = globals.map((k) => k.name);
    assert.deepEqual(names, [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    assert.ok(globals.every((k) => k.global && k.types.length > 0 && k.category));
    assert.ok(names.includes('aws:PrincipalTag/${TagKey}'));
    assert.ok(!names.some((n) => n.endsWith('/tag-key')));
  });
});
