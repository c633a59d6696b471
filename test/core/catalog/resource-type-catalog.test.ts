import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  actionsOfService,
  getResourceType,
  listServices,
  resourceTypesForArn,
  resourceTypesOfService,
} from '../../../src/core/catalog/index.js';

describe('getResourceType', () => {
  test('s3 object with its ARN format and condition keys', () => {
    const object = getResourceType('s3', 'object');
    assert.ok(object);
    assert.equal(object.service, 's3');
    assert.equal(object.name, 'object');
    assert.deepEqual(object.arnFormats, ['arn:${Partition}:s3:::${BucketName}/${ObjectName}']);
    assert.deepEqual(getResourceType('S3', 'BUCKET')?.arnFormats, ['arn:${Partition}:s3:::${BucketName}']);
    assert.deepEqual(getResourceType('iam', 'role')?.arnFormats, ['arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}']);
    assert.ok(getResourceType('iam', 'role')?.conditionKeys.includes('aws:ResourceTag/${TagKey}'));
  });

  test('unknown names are undefined; resourceTypesOfService', () => {
    assert.equal(getResourceType('s3', 'nosuchtype'), undefined);
    assert.equal(getResourceType('nosuchservice', 'object'), undefined);
    const iam = resourceTypesOfService('iam').map((rt) => rt.name);
    assert.ok(iam.includes('role') && iam.includes('user') && iam.includes('policy'));
    assert.deepEqual(resourceTypesOfService('nosuchservice'), []);
  });

  test('every resource type an action names exists', () => {
    const missing: string[] = [];
    for (const { key } of listServices()) {
      for (const action of actionsOfService(key)) {
        for (const rt of action.resourceTypes) if (!getResourceType(key, rt.name)) missing.push(`${action.action} ${rt.name}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});

describe('resourceTypesForArn', () => {
  const names = (service: string, arn: string) => resourceTypesForArn(service, arn).map((rt) => rt.name);

  test('the most specific format wins', () => {
    assert.deepEqual(names('s3', 'arn:aws:s3:::my-bucket'), ['bucket']);
    assert.deepEqual(names('s3', 'arn:aws:s3:::my-bucket/photos/cat.jpg'), ['object']);
    assert.deepEqual(names('s3', 'arn:aws:s3:us-east-1:123456789012:accesspoint/ap'), ['accesspoint']);
    assert.deepEqual(names('s3', 'arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/k'), ['accesspointobject']);
    assert.deepEqual(names('dynamodb', 'arn:aws:dynamodb:us-east-1:123456789012:table/t'), ['table']);
    assert.deepEqual(names('dynamodb', 'arn:aws:dynamodb:us-east-1:123456789012:table/t/index/i'), ['index']);
    assert.deepEqual(names('logs', 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f'), ['log-group']);
    assert.deepEqual(
      names('logs', 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:log-stream:s'),
      ['log-stream'],
    );
  });

  test('names with paths, other partitions, and ties', () => {
    assert.deepEqual(names('iam', 'arn:aws:iam::123456789012:role/service/app/Deploy'), ['role']);
    assert.deepEqual(names('iam', 'arn:aws-us-gov:iam::123456789012:user/bob'), ['user']);
    assert.deepEqual(names('sts', 'arn:aws:iam::123456789012:role/r'), ['role']);
    assert.deepEqual(names('sts', 'arn:aws:sts::123456789012:federated-user/bob'), ['federated-user']);
    assert.deepEqual(names('sns', 'arn:aws:sns:us-east-1:123456789012:topic'), ['topic']);
    assert.deepEqual(names('lambda', 'arn:aws:lambda:us-east-1:123456789012:function:f'), ['function']);
    assert.deepEqual(names('lambda', 'arn:aws:lambda:us-east-1:123456789012:function:f:1'), [
      'function alias',
      'function version',
    ]);
  });

  test('no match', () => {
    assert.deepEqual(names('s3', 'arn:aws:iam::123456789012:role/r'), []);
    assert.deepEqual(names('iam', 'arn:aws:iam::123456789012:nosuchtype/x'), []);
    // A placeholder of the first five fields does not swallow a colon.
    assert.deepEqual(names('iam', 'arn:aws:x:iam::123456789012:role/r'), []);
    assert.deepEqual(names('iam', 'not an arn'), []);
    assert.deepEqual(names('nosuchservice', 'arn:aws:s3:::b'), []);
  });
});
