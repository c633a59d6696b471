import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildAuditEvent, unauthenticatedIdentity, type AuditEventInput, type UserIdentity } from '../../src/audit/event.js';
import { REDACTED } from '../../src/audit/redact.js';

const alice: UserIdentity = {
  type: 'IAMUser',
  principalId: 'AIDAJ45Q7YFFAREXAMPLE',
  arn: 'arn:aws:iam::123456789012:user/alice',
  accountId: '123456789012',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  userName: 'alice',
};

function input(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    identity: alice,
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateAccessKey',
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { userName: 'bob' },
    responseElements: { accessKey: { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY', status: 'Active', userName: 'bob', createDate: '2024-05-01T12:00:00Z' } },
    requestId: '4e4ef2a9-9f3f-4a4e-8c6c-3a0f1c0e0b1a',
    eventId: '0b8a4f57-1c8f-4d7d-9b0f-5c6f0e8f7a21',
    eventTime: new Date('2024-05-01T12:00:00.789Z'),
    readOnly: false,
    recipientAccountId: '123456789012',
    ...overrides,
  };
}

describe('buildAuditEvent', () => {
  test('a CloudTrail-shaped record with the constant fields', () => {
    const e = buildAuditEvent(input());
    assert.equal(e.eventVersion, '1.08');
    assert.equal(e.eventTime, '2024-05-01T12:00:00Z');
    assert.equal(e.eventType, 'AwsApiCall');
    assert.equal(e.managementEvent, true);
    assert.equal(e.eventCategory, 'Management');
    assert.equal(e.readOnly, false);
    assert.equal(e.requestID, '4e4ef2a9-9f3f-4a4e-8c6c-3a0f1c0e0b1a');
    assert.equal(e.eventID, '0b8a4f57-1c8f-4d7d-9b0f-5c6f0e8f7a21');
    assert.deepEqual(e.userIdentity, alice);
    assert.equal('errorCode' in e, false);
    assert.equal('errorMessage' in e, false);
  });

  test('fields in CloudTrail\'s order', () => {
    const e = buildAuditEvent(
      input({
        errorCode: 'EntityAlreadyExists',
        errorMessage: 'User with name bob already exists.',
        responseElements: null,
        resources: [{ ARN: 'arn:aws:iam::123456789012:user/bob', accountId: '123456789012', type: 'AWS::IAM::User' }],
      }),
    );
    assert.deepEqual(Object.keys(e), [
      'eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent',
      'errorCode', 'errorMessage', 'requestParameters', 'responseElements', 'requestID', 'eventID', 'readOnly', 'resources',
      'eventType', 'managementEvent', 'recipientAccountId', 'eventCategory',
    ]);
    assert.equal(e.responseElements, null);
  });

  test('the secret access key never reaches the record', () => {
    const e = buildAuditEvent(input());
    assert.equal((e.responseElements as { accessKey: { secretAccessKey: string } }).accessKey.secretAccessKey, REDACTED);
    assert.ok(!JSON.stringify(e).includes('je7MtGbClwBF'));
  });

  test('STS credentials: session token and secret hidden, key id kept', () => {
    const e = buildAuditEvent(
      input({
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRole',
        requestParameters: { roleArn: 'arn:aws:iam::123456789012:role/ops', roleSessionName: 's', tokenCode: '482913', serialNumber: 'arn:aws:iam::123456789012:mfa/alice' },
        responseElements: { credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'S', sessionToken: 'FwoGZXIvYXdzEBYaDK', expiration: '2024-05-01T13:00:00Z' } },
      }),
    );
    const text = JSON.stringify(e);
    assert.ok(!text.includes('FwoGZXIvYXdzEBYaDK'));
    assert.ok(!text.includes('482913'));
    assert.ok(text.includes('ASIAEXAMPLE'));
  });

  test('omitted parameters are null, as CloudTrail writes them', () => {
    const e = buildAuditEvent(input({ requestParameters: undefined, responseElements: undefined, readOnly: true }));
    assert.equal(e.requestParameters, null);
    assert.equal(e.responseElements, null);
  });

  test('the input objects are not modified and not shared', () => {
    const params = { userName: 'bob', password: 'x' };
    const e = buildAuditEvent(input({ requestParameters: params }));
    assert.deepEqual(params, { userName: 'bob', password: 'x' });
    assert.deepEqual(e.requestParameters, { userName: 'bob', password: REDACTED });
  });

  test('long strings are cut at 1 KB, as CloudTrail does', () => {
    const e = buildAuditEvent(input({ userAgent: 'x'.repeat(5000), errorCode: 'E', errorMessage: 'm'.repeat(2000) }));
    assert.equal(e.userAgent.length, 1024);
    assert.equal(e.errorMessage?.length, 1024);
  });
});

describe('unauthenticatedIdentity', () => {
  test('an unknown access key: type Unknown with the key id only', () => {
    assert.deepEqual(unauthenticatedIdentity('AKIAUNKNOWNEXAMPLE00'), { type: 'Unknown', accessKeyId: 'AKIAUNKNOWNEXAMPLE00' });
  });

  test('a known key with a bad signature: the key owner, as for a failed console sign-in', () => {
    const { accessKeyId: _omit, ...owner } = alice;
    assert.deepEqual(unauthenticatedIdentity('AKIAIOSFODNN7EXAMPLE', owner), alice);
  });

  test('no key at all: Unknown / Anonymous', () => {
    assert.deepEqual(unauthenticatedIdentity(undefined), { type: 'Unknown', principalId: 'Anonymous' });
  });

  test('a failed-authentication event', () => {
    const e = buildAuditEvent(
      input({
        identity: unauthenticatedIdentity('AKIAUNKNOWNEXAMPLE00'),
        eventSource: 'sts.amazonaws.com',
        eventName: 'GetCallerIdentity',
        requestParameters: null,
        responseElements: null,
        errorCode: 'InvalidClientTokenId',
        errorMessage: 'The security token included in the request is invalid.',
        readOnly: true,
      }),
    );
    assert.deepEqual(e.userIdentity, { type: 'Unknown', accessKeyId: 'AKIAUNKNOWNEXAMPLE00' });
    assert.equal(e.errorCode, 'InvalidClientTokenId');
  });
});
