import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { awsError } from '../../src/core/errors/index.js';
import {
  domainKey,
  encodePolicyDocument,
  errorResponse,
  escapeXmlText,
  formatTimestamp,
  operationNames,
  requestIdFromBytes,
  requestIdGenerator,
  serializeError,
  serializeResult,
  serviceModel,
  unknownOutputKeys,
  type ServiceModelData,
} from '../../src/protocol/index.js';
import { child, parseXml, textAt, type XmlElement } from './support/mini-xml.js';
import { SAMPLE_DATE, synthesize } from './support/synthesize.js';

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const RID = '4fc0d3ee-efef-11e9-9282-3b7bffe54a9b';

/** Parses a success body and returns its Result element, after checking the envelope. */
function result(xml: string, operation: string, ns = IAM_NS): XmlElement {
  const root = parseXml(xml);
  assert.equal(root.name, `${operation}Response`);
  assert.equal(root.attributes.xmlns, ns);
  assert.equal(textAt(root, 'ResponseMetadata', 'RequestId'), RID);
  return child(root, `${operation}Result`);
}

const names = (el: XmlElement) => el.children.map((c) => c.name);

const user = {
  path: '/eng/',
  userName: 'alice',
  userId: 'AIDAEXAMPLE0000000001',
  arn: 'arn:aws:iam::123456789012:user/eng/alice',
  createDate: '2024-01-02T03:04:05.678Z',
  tags: [{ key: 'team', value: 'a&b <c>' }],
};

describe('serializeResult', () => {
  test('CreateUser: members in model order and names, timestamps in whole seconds, text escaped', () => {
    const xml = serializeResult('iam', 'CreateUser', { user }, RID);
    assert.equal(
      xml,
      `<CreateUserResponse xmlns="${IAM_NS}"><CreateUserResult><User><Path>/eng/</Path><UserName>alice</UserName>` +
        '<UserId>AIDAEXAMPLE0000000001</UserId><Arn>arn:aws:iam::123456789012:user/eng/alice</Arn>' +
        '<CreateDate>2024-01-02T03:04:05Z</CreateDate><Tags><member><Key>team</Key><Value>a&amp;b &lt;c&gt;</Value></member></Tags>' +
        `</User></CreateUserResult><ResponseMetadata><RequestId>${RID}</RequestId></ResponseMetadata></CreateUserResponse>`,
    );
    assert.equal(textAt(result(xml, 'CreateUser'), 'User', 'Tags', 'member', 'Value'), 'a&b <c>');
  });

  test('GetUser: undefined and null members are left out; unknown domain keys are ignored', () => {
    const xml = serializeResult('iam', 'GetUser', { user: { ...user, tags: undefined, passwordLastUsed: null, internalSecret: 's' }, extra: 1 }, RID);
    assert.deepEqual(names(child(result(xml, 'GetUser'), 'User')), ['Path', 'UserName', 'UserId', 'Arn', 'CreateDate']);
    assert.doesNotMatch(xml, /internalSecret|extra|<s>/);
    assert.deepEqual(unknownOutputKeys('iam', 'GetUser', { user: { ...user, internalSecret: 's' }, extra: 1 }), ['user.internalSecret', 'extra']);
  });

  test('ListUsers: lists as <member>, an empty list as an empty element, booleans', () => {
    const xml = serializeResult('iam', 'ListUsers', { users: [user, { ...user, userName: 'bob', tags: undefined }], isTruncated: true, marker: 'm1' }, RID);
    const r = result(xml, 'ListUsers');
    assert.deepEqual(names(r), ['Users', 'IsTruncated', 'Marker']);
    assert.deepEqual(names(child(r, 'Users')), ['member', 'member']);
    assert.equal(textAt(r, 'IsTruncated'), 'true');
    const empty = serializeResult('iam', 'ListUsers', { users: [], isTruncated: false }, RID);
    assert.match(empty, /<ListUsersResult><Users><\/Users><IsTruncated>false<\/IsTruncated><\/ListUsersResult>/);
  });

  test('ListAccessKeys', () => {
    const xml = serializeResult(
      'iam',
      'ListAccessKeys',
      { accessKeyMetadata: [{ userName: 'alice', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status: 'Active', createDate: new Date('2024-05-06T07:08:09Z') }], isTruncated: false },
      RID,
    );
    const m = child(child(result(xml, 'ListAccessKeys'), 'AccessKeyMetadata'), 'member');
    assert.deepEqual(
      m.children.map((c) => [c.name, c.text]),
      [
        ['UserName', 'alice'],
        ['AccessKeyId', 'AKIAIOSFODNN7EXAMPLE'],
        ['Status', 'Active'],
        ['CreateDate', '2024-05-06T07:08:09Z'],
      ],
    );
  });

  test('GetAccountAuthorizationDetails: nested lists of structures with URL-encoded policy documents', () => {
    const doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';
    const xml = serializeResult(
      'iam',
      'GetAccountAuthorizationDetails',
      {
        userDetailList: [
          {
            ...user,
            userPolicyList: [{ policyName: 'inline', policyDocument: doc }],
            groupList: ['admins', 'devs'],
            attachedManagedPolicies: [{ policyName: 'ReadOnlyAccess', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
          },
        ],
        roleDetailList: [
          {
            path: '/',
            roleName: 'r',
            roleId: 'AROAEXAMPLE',
            arn: 'arn:aws:iam::123456789012:role/r',
            createDate: SAMPLE_DATE,
            assumeRolePolicyDocument: doc,
            instanceProfileList: [],
            roleLastUsed: { lastUsedDate: SAMPLE_DATE, region: 'us-east-1' },
          },
        ],
        isTruncated: false,
      },
      RID,
    );
    const r = result(xml, 'GetAccountAuthorizationDetails');
    const detail = child(child(r, 'UserDetailList'), 'member');
    assert.equal(textAt(detail, 'UserPolicyList', 'member', 'PolicyDocument'), encodePolicyDocument(doc));
    assert.equal(decodeURIComponent(textAt(detail, 'UserPolicyList', 'member', 'PolicyDocument')), doc);
    assert.deepEqual(
      child(detail, 'GroupList').children.map((c) => [c.name, c.text]),
      [
        ['member', 'admins'],
        ['member', 'devs'],
      ],
    );
    const role = child(child(r, 'RoleDetailList'), 'member');
    assert.equal(textAt(role, 'RoleLastUsed', 'LastUsedDate'), '2024-01-02T03:04:05Z');
    assert.deepEqual(child(role, 'InstanceProfileList').children, []);
  });

  test('SimulatePrincipalPolicy: maps as <entry><key/><value/></entry>', () => {
    const xml = serializeResult(
      'iam',
      'SimulatePrincipalPolicy',
      {
        evaluationResults: [
          {
            evalActionName: 's3:GetObject',
            evalResourceName: '*',
            evalDecision: 'allowed',
            matchedStatements: [{ sourcePolicyId: 'p', sourcePolicyType: 'IAM Policy', startPosition: { line: 1, column: 2 }, endPosition: { line: 3, column: 4 } }],
            missingContextValues: [],
            evalDecisionDetails: { 'IAM Policy': 'allowed', 'Permissions Boundary Policy': 'implicitDeny' },
          },
        ],
        isTruncated: false,
      },
      RID,
    );
    const er = child(child(result(xml, 'SimulatePrincipalPolicy'), 'EvaluationResults'), 'member');
    assert.equal(textAt(er, 'MatchedStatements', 'member', 'StartPosition', 'Line'), '1');
    const entries = child(er, 'EvalDecisionDetails').children;
    assert.deepEqual(
      entries.map((e) => [e.name, textAt(e, 'key'), textAt(e, 'value')]),
      [
        ['entry', 'IAM Policy', 'allowed'],
        ['entry', 'Permissions Boundary Policy', 'implicitDeny'],
      ],
    );
    // A Map works as well as an object.
    const viaMap = serializeResult('iam', 'GetAccountSummary', { summaryMap: new Map([['Users', 3]]) }, RID);
    assert.match(viaMap, /<SummaryMap><entry><key>Users<\/key><value>3<\/value><\/entry><\/SummaryMap>/);
  });

  test('STS: namespace, exact lowercase member names, credentials', () => {
    const xml = serializeResult(
      'sts',
      'AssumeRole',
      {
        credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 's/k', sessionToken: 't+k==', expiration: new Date('2026-11-21T15:00:00.999Z') },
        assumedRoleUser: { assumedRoleId: 'AROAEXAMPLE:s1', arn: 'arn:aws:sts::123456789012:assumed-role/r/s1' },
        packedPolicySize: 6,
      },
      RID,
    );
    const r = result(xml, 'AssumeRole', STS_NS);
    assert.deepEqual(names(r), ['Credentials', 'AssumedRoleUser', 'PackedPolicySize']);
    assert.equal(textAt(r, 'Credentials', 'Expiration'), '2026-11-21T15:00:00Z');
    const gci = serializeResult('sts', 'GetCallerIdentity', { userId: 'AIDA', account: '123456789012', arn: 'arn:aws:iam::123456789012:user/a' }, RID);
    assert.deepEqual(names(result(gci, 'GetCallerIdentity', STS_NS)), ['UserId', 'Account', 'Arn']);
  });

  test('operations without output have no Result element, whatever the output', () => {
    for (const output of [undefined, {}, { ignored: 1 }]) {
      assert.equal(
        serializeResult('iam', 'DeleteUser', output, RID),
        `<DeleteUserResponse xmlns="${IAM_NS}"><ResponseMetadata><RequestId>${RID}</RequestId></ResponseMetadata></DeleteUserResponse>`,
      );
    }
    // An operation with an output shape but nothing to say still has its (empty) Result.
    assert.match(serializeResult('iam', 'GetAccountPasswordPolicy', undefined, RID), /<GetAccountPasswordPolicyResult><\/GetAccountPasswordPolicyResult>/);
  });

  test('values of the wrong kind are a bug in the use case and throw', () => {
    assert.throws(() => serializeResult('iam', 'GetUser', { user: 'alice' }, RID), /output user: expected an object, got string/);
    assert.throws(() => serializeResult('iam', 'ListUsers', { users: { a: 1 } }, RID), /output users: expected an array/);
    assert.throws(() => serializeResult('iam', 'GetUser', { user: { ...user, createDate: 'yesterday' } }, RID), /user.createDate: expected a Date/);
    assert.throws(() => serializeResult('iam', 'GetUser', { user: { ...user, userName: { x: 1 } } }, RID), /user.userName: expected a string/);
    assert.throws(() => serializeResult('iam', 'NoSuchOperation', {}, RID), /iam has no operation NoSuchOperation/);
  });

  test('blobs are base64: bytes as given, strings as UTF-8', () => {
    const xml = serializeResult('iam', 'GetCredentialReport', { content: 'user,arn\nü', reportFormat: 'text/csv', generatedTime: SAMPLE_DATE }, RID);
    assert.equal(Buffer.from(textAt(result(xml, 'GetCredentialReport'), 'Content'), 'base64').toString('utf8'), 'user,arn\nü');
    const bytes = serializeResult('iam', 'GetCredentialReport', { content: new Uint8Array([0, 255]) }, RID);
    assert.equal(textAt(result(bytes, 'GetCredentialReport'), 'Content'), 'AP8=');
  });
});

/** Checks that `el` mirrors the domain value `value` of shape `shapeName`, member by member. */
function assertMirrors(model: ServiceModelData, shapeName: string, value: unknown, el: XmlElement, where: string): void {
  const shape = model.shapes[shapeName];
  assert.ok(shape, shapeName);
  switch (shape.type) {
    case 'structure': {
      const v = value as Record<string, unknown>;
      const expected = Object.keys(shape.members).filter((name) => v[domainKey(name)] !== undefined);
      assert.deepEqual(names(el), expected, where);
      for (const [name, m] of Object.entries(shape.members)) {
        if (v[domainKey(name)] === undefined) continue;
        assertMirrors(model, typeof m === 'string' ? m : m.shape, v[domainKey(name)], child(el, name), `${where}.${name}`);
      }
      return;
    }
    case 'list': {
      const items = value as unknown[];
      assert.deepEqual(names(el), items.map(() => 'member'), where);
      items.forEach((item, i) => assertMirrors(model, shape.member, item, el.children[i] as XmlElement, `${where}[${i}]`));
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>);
      assert.deepEqual(names(el), entries.map(() => 'entry'), where);
      entries.forEach(([k, v], i) => {
        const entry = el.children[i] as XmlElement;
        assert.equal(textAt(entry, 'key'), k, where);
        assertMirrors(model, shape.value, v, child(entry, 'value'), `${where}{${k}}`);
      });
      return;
    }
    case 'timestamp':
      assert.equal(el.text, formatTimestamp(value), where);
      return;
    case 'blob':
      assert.deepEqual(new Uint8Array(Buffer.from(el.text, 'base64')), value, where);
      return;
    default:
      assert.equal(el.text, String(value), where);
  }
}

describe('round trip over the models', () => {
  for (const service of ['iam', 'sts'] as const) {
    test(`every ${service.toUpperCase()} output shape serializes member by member under its model names`, () => {
      const model = serviceModel(service);
      let checked = 0;
      for (const operation of operationNames(service)) {
        const op = model.operations[operation];
        if (!op?.output) continue;
        const output = synthesize(model, op.output) as Record<string, unknown>;
        const xml = serializeResult(service, operation, output, RID);
        const r = result(xml, operation, model.xmlNamespace);
        assertMirrors(model, op.output, output, r, operation);
        assert.deepEqual(unknownOutputKeys(service, operation, output), [], operation);
        checked++;
      }
      assert.equal(checked, service === 'iam' ? 97 : 11);
    });
  }
});

describe('serializeError', () => {
  test('ErrorResponse with Type, Code, Message and RequestId', () => {
    const xml = serializeError('iam', awsError('NoSuchEntity', 'The user with name <bob> cannot be found.'), RID);
    assert.equal(
      xml,
      `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>` +
        `<Message>The user with name &lt;bob&gt; cannot be found.</Message></Error><RequestId>${RID}</RequestId></ErrorResponse>`,
    );
    const root = parseXml(xml);
    assert.equal(textAt(root, 'Error', 'Message'), 'The user with name <bob> cannot be found.');
    const sts = parseXml(serializeError('sts', { code: 'ServiceFailure', message: 'x', senderFault: false }, RID));
    assert.equal(sts.attributes.xmlns, STS_NS);
    assert.equal(textAt(sts, 'Error', 'Type'), 'Receiver');
  });

  test('errorResponse: the model status, and InternalFailure for anything unexpected', () => {
    const conflict = errorResponse('iam', awsError('EntityAlreadyExists', 'User with name a already exists.'), RID);
    assert.equal(conflict.status, 409);
    assert.equal(textAt(parseXml(conflict.body), 'Error', 'Code'), 'EntityAlreadyExists');
    const internal = errorResponse('sts', new TypeError('cannot read properties of undefined (reading "secret")'), RID);
    assert.equal(internal.status, 500);
    assert.equal(internal.error.code, 'InternalFailure');
    assert.doesNotMatch(internal.body, /secret|TypeError/);
    assert.equal(textAt(parseXml(internal.body), 'Error', 'Type'), 'Receiver');
  });
});

describe('helpers', () => {
  test('encodePolicyDocument follows RFC 3986: only A-Z a-z 0-9 - . _ ~ stay', () => {
    assert.equal(encodePolicyDocument('{"Action":"s3:*"}'), '%7B%22Action%22%3A%22s3%3A%2A%22%7D');
    assert.equal(encodePolicyDocument("a b!'()*~-._"), "a%20b%21%27%28%29%2A~-._");
    assert.equal(encodePolicyDocument('\n\tü'), '%0A%09%C3%BC');
    assert.equal(decodeURIComponent(encodePolicyDocument('{"a": [1, "*"]}')), '{"a": [1, "*"]}');
  });

  test('escapeXmlText: markup, CR, and characters XML cannot carry', () => {
    assert.equal(escapeXmlText('plain'), 'plain');
    assert.equal(escapeXmlText('a&b<c>d"e\'f'), 'a&amp;b&lt;c&gt;d"e\'f');
    assert.equal(escapeXmlText('a\r\nb\tc'), 'a&#13;\nb\tc');
    assert.equal(escapeXmlText('x\u0000y\u001Fz\uFFFE'), 'x\uFFFDy\uFFFDz\uFFFD');
    assert.equal(escapeXmlText('😀'), '😀');
    assert.equal(escapeXmlText('a\uD800b\uDC00'), 'a\uFFFDb\uFFFD');
    assert.equal(parseXml(`<a>${escapeXmlText('a\r\n&<>')}</a>`).text, 'a\r\n&<>');
  });

  test('formatTimestamp accepts Date, ISO strings and epoch milliseconds', () => {
    assert.equal(formatTimestamp(new Date('2024-01-02T03:04:05.999Z')), '2024-01-02T03:04:05Z');
    assert.equal(formatTimestamp('2024-01-02T04:04:05+01:00'), '2024-01-02T03:04:05Z');
    assert.equal(formatTimestamp(0), '1970-01-01T00:00:00Z');
    assert.throws(() => formatTimestamp('not a date'), /expected a Date/);
  });

  test('request ids are UUID v4 from injected bytes', () => {
    const bytes = new Uint8Array(16).fill(0xff);
    assert.equal(requestIdFromBytes(bytes), 'ffffffff-ffff-4fff-bfff-ffffffffffff');
    assert.equal(requestIdFromBytes(new Uint8Array(16)), '00000000-0000-4000-8000-000000000000');
    assert.throws(() => requestIdFromBytes(new Uint8Array(8)), /16 random bytes/);
    let n = 0;
    const next = requestIdGenerator((size) => new Uint8Array(size).fill(n++));
    assert.match(next(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(next(), next());
  });
});
