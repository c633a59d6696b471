import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  actionsOfService,
  catalogSource,
  expandActionPattern,
  expandActionPatterns,
  getAction,
  getService,
  listActionNames,
  listServices,
  serviceExists,
} from '../../../src/core/catalog/index.js';

describe('getAction', () => {
  test('s3:GetObject is a Read action on objects', () => {
    const action = getAction('s3:GetObject');
    assert.ok(action);
    assert.equal(action.service, 's3');
    assert.equal(action.name, 'GetObject');
    assert.equal(action.action, 's3:GetObject');
    assert.deepEqual(action.accessLevels, ['Read']);
    assert.deepEqual(
      action.resourceTypes.map((rt) => rt.name),
      ['accesspointobject', 'object'],
    );
    assert.equal(action.resourceTypes.find((rt) => rt.name === 'object')?.required, false);
    // The reference writes this key with `<key>`, not `${TagKey}`.
    assert.ok(action.conditionKeys.includes('s3:ExistingObjectTag/<key>'));
    assert.ok(action.conditionKeys.includes('s3:authType'));
  });

  test('iam:PassRole is a Write action that requires a role', () => {
    const action = getAction('iam:PassRole');
    assert.ok(action);
    assert.deepEqual(action.accessLevels, ['Write']);
    assert.deepEqual(action.resourceTypes, [{ name: 'role', required: true, conditionKeys: [] }]);
    assert.deepEqual(action.conditionKeys, ['iam:AssociatedResourceArn', 'iam:PassedToService']);
  });

  test('combined access levels become a list', () => {
    assert.deepEqual(getAction('iam:PutRolePolicy')?.accessLevels, ['Permissions management', 'Write']);
    assert.deepEqual(getAction('iam:TagRole')?.accessLevels, ['Tagging', 'Write']);
    assert.deepEqual(getAction('iam:ListRoles')?.accessLevels, ['List']);
    assert.deepEqual(getAction('sts:GetCallerIdentity')?.resourceTypes, []);
  });

  test('is case-insensitive and returns the canonical case', () => {
    const canonical = getAction('s3:GetObject');
    assert.equal(getAction('S3:GETOBJECT'), canonical);
    assert.equal(getAction('s3:getobject'), canonical);
    assert.equal(getAction('IAM:passrole')?.action, 'iam:PassRole');
  });

  test('unknown names and patterns are undefined', () => {
    for (const name of ['s3:NoSuchAction', 'nosuchservice:GetObject', 'GetObject', '', 's3:', 's3:Get*', '*']) {
      assert.equal(getAction(name), undefined, name);
    }
  });
});

describe('services', () => {
  test('serviceExists and getService', () => {
    assert.equal(serviceExists('s3'), true);
    assert.equal(serviceExists('IAM'), true);
    assert.equal(serviceExists('sts'), true);
    assert.equal(serviceExists('nosuchservice'), false);
    assert.deepEqual(getService('S3'), { key: 's3', name: 'Amazon S3' });
    assert.equal(getService('nosuchservice'), undefined);
  });

  test('listServices is sorted by key and names every service', () => {
    const services = listServices();
    assert.ok(services.length > 400, `${services.length} services`);
    const keys = services.map((s) => s.key);
    assert.deepEqual(keys, [...keys].sort());
    assert.ok(keys.includes('iam') && keys.includes('sts') && keys.includes('ec2'));
    assert.ok(services.every((s) => s.name.length > 0));
  });

  test('actionsOfService lists the actions of one service, sorted', () => {
    const sts = actionsOfService('STS').map((a) => a.name);
    assert.ok(sts.includes('AssumeRole'));
    assert.ok(sts.includes('TagSession'));
    assert.deepEqual(sts, [...sts].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    assert.ok(actionsOfService('sts').every((a) => a.service === 'sts'));
    assert.deepEqual(actionsOfService('nosuchservice'), []);
  });

  test('catalogSource names the package and version', () => {
    assert.match(catalogSource(), /^@cloud-copilot\/iam-data@\d+\.\d+\.\d+$/);
  });
});

describe('expandActionPattern', () => {
  test('s3:Get* covers s3:GetObject and not s3:PutObject', () => {
    const actions = expandActionPattern('s3:Get*');
    assert.ok(actions.includes('s3:GetObject'));
    assert.ok(actions.includes('s3:GetBucketPolicy'));
    assert.ok(!actions.includes('s3:PutObject'));
    assert.ok(actions.every((a) => a.startsWith('s3:Get')));
  });

  test('* alone is every action of the catalog', () => {
    const all = expandActionPattern('*');
    assert.ok(all.length > 15000, `${all.length} actions`);
    assert.equal(new Set(all).size, all.length);
    assert.deepEqual(all, listActionNames());
    assert.ok(all.includes('s3:GetObject') && all.includes('iam:PassRole'));
  });

  test('service:* is every action of the service', () => {
    assert.deepEqual(
      expandActionPattern('iam:*'),
      actionsOfService('iam').map((a) => a.action),
    );
  });

  test('matching is case-insensitive and returns canonical names', () => {
    assert.deepEqual(expandActionPattern('S3:GETOBJECT'), ['s3:GetObject']);
    assert.deepEqual(expandActionPattern('iam:passrole'), ['iam:PassRole']);
    assert.ok(expandActionPattern('S3:get*').includes('s3:GetObject'));
  });

  test('? matches exactly one character', () => {
    assert.deepEqual(expandActionPattern('iam:?assRole'), ['iam:PassRole']);
    assert.deepEqual(expandActionPattern('iam:??assRole'), []);
    assert.deepEqual(expandActionPattern('sts:AssumeRol?'), ['sts:AssumeRole']);
  });

  test('wildcards in the service part glob the whole name', () => {
    const getObject = expandActionPattern('*:GetObject');
    assert.ok(getObject.includes('s3:GetObject'));
    assert.ok(getObject.includes('s3-object-lambda:GetObject'));
    assert.ok(getObject.every((a) => a.endsWith(':GetObject')));
    const s3ish = expandActionPattern('s3*');
    assert.ok(s3ish.includes('s3:GetObject') && s3ish.includes('s3-outposts:GetObject'));
    assert.ok(s3ish.every((a) => a.startsWith('s3')));
  });

  test('no match, no prefix, and regex characters are literal', () => {
    assert.deepEqual(expandActionPattern('s3'), []);
    assert.deepEqual(expandActionPattern('nosuchservice:*'), []);
    assert.deepEqual(expandActionPattern('s3:.*'), []);
    assert.deepEqual(expandActionPattern('s3:Get(Object)'), []);
    assert.deepEqual(expandActionPattern(''), []);
  });
});

describe('expandActionPatterns', () => {
  test('is the sorted union, without duplicates', () => {
    assert.deepEqual(expandActionPatterns(['sts:AssumeRole', 'iam:PassRole', 'IAM:PassRole']), [
      'iam:PassRole',
      'sts:AssumeRole',
    ]);
    const gets = expandActionPattern('s3:Get*');
    assert.deepEqual(expandActionPatterns(['s3:GetObject', 's3:Get*']), gets);
    assert.deepEqual(expandActionPatterns([]), []);
  });

  test('{not: true} is the complement, as for NotAction', () => {
    const total = listActionNames().length;
    const notS3 = expandActionPatterns(['s3:*'], { not: true });
    assert.equal(notS3.length, total - actionsOfService('s3').length);
    assert.ok(!notS3.includes('s3:GetObject'));
    assert.ok(notS3.includes('iam:PassRole'));
    assert.deepEqual(expandActionPatterns(['*'], { not: true }), []);
    assert.equal(expandActionPatterns([], { not: true }).length, total);
  });
});
