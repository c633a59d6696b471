import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AwsError } from '../../src/core/errors/index.js';
import { decodeForm, parseQueryRequest, readQueryRequest, routeQueryRequest } from '../../src/protocol/index.js';

const botocore = (path: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/conformance/models/botocore/${path}`, import.meta.url), 'utf8')) as {
    operations: Record<string, unknown>;
  };
const MODEL_OPERATIONS = {
  iam: Object.keys(botocore('iam/2010-05-08/service-2.json').operations),
  sts: Object.keys(botocore('sts/2011-06-15/service-2.json').operations),
};
const VERSION = { iam: '2010-05-08', sts: '2011-06-15' } as const;

const parse = (body: string) => parseQueryRequest(decodeForm(body));
const input = (body: string) => parse(body).input;

/** The AwsError `fn` throws. */
function thrown(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
  assert.fail('expected an AwsError');
}

/** The ValidationError message of an IAM request body (Action and Version added). */
function validation(action: string, params: string, version: string = VERSION.iam): string {
  const e = thrown(() => parse(`Action=${action}&Version=${version}&${params}`));
  assert.equal(e.code, 'ValidationError', e.message);
  assert.equal(e.httpStatus, 400);
  return e.message;
}

describe('routing', () => {
  test('every operation of both models is routable by Version and Action', () => {
    assert.equal(MODEL_OPERATIONS.iam.length, 176);
    assert.equal(MODEL_OPERATIONS.sts.length, 11);
    for (const service of ['iam', 'sts'] as const) {
      for (const operation of MODEL_OPERATIONS[service]) {
        const params = new Map([
          ['Action', operation],
          ['Version', VERSION[service]],
        ]);
        assert.deepEqual(routeQueryRequest(params), { service, version: VERSION[service], operation });
        // Reading an empty input never throws: missing members are violations, not crashes.
        const read = readQueryRequest(params);
        assert.equal(read.operation, operation);
      }
    }
  });

  test('MissingAction when Action is absent or empty', () => {
    for (const body of ['Version=2010-05-08', 'Action=&Version=2010-05-08', '']) {
      const e = thrown(() => parse(body));
      assert.deepEqual([e.code, e.httpStatus, e.message], ['MissingAction', 400, 'Missing Action']);
    }
  });

  test('InvalidAction in AWS wording for unknown actions and versions', () => {
    const cases: [string, string][] = [
      ['Action=Foo&Version=2010-05-08', 'Could not find operation Foo for version 2010-05-08'],
      ['Action=listusers&Version=2010-05-08', 'Could not find operation listusers for version 2010-05-08'],
      ['Action=ListUsers&Version=2011-06-15', 'Could not find operation ListUsers for version 2011-06-15'],
      ['Action=GetCallerIdentity&Version=2010-05-08', 'Could not find operation GetCallerIdentity for version 2010-05-08'],
      ['Action=ListUsers&Version=2012-01-01', 'Could not find operation ListUsers for version 2012-01-01'],
      ['Action=ListUsers', 'Could not find operation ListUsers for version NO_VERSION_SPECIFIED'],
      ['Action=ListUsers&Version=', 'Could not find operation ListUsers for version NO_VERSION_SPECIFIED'],
      ['Action=toString&Version=2010-05-08', 'Could not find operation toString for version 2010-05-08'],
      ['Action=__proto__&Version=2010-05-08', 'Could not find operation __proto__ for version 2010-05-08'],
    ];
    for (const [body, message] of cases) {
      const e = thrown(() => parse(body));
      assert.deepEqual([e.code, e.httpStatus, e.senderFault, e.message], ['InvalidAction', 400, true, message]);
    }
  });

  test('operations without input read as {}', () => {
    assert.deepEqual(parse('Action=GetAccountSummary&Version=2010-05-08'), {
      service: 'iam',
      version: '2010-05-08',
      operation: 'GetAccountSummary',
      input: {},
    });
    assert.deepEqual(input('Action=GetCallerIdentity&Version=2011-06-15&Junk=1'), {});
  });
});

interface Capture {
  id: string;
  request: { body: string };
}

describe('real client requests (test/fixtures/conformance/wire)', () => {
  const captures = readFileSync(new URL('../fixtures/conformance/wire/captured-requests.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Capture);
  const byId = (prefix: string) => {
    const c = captures.find((x) => x.id.startsWith(prefix));
    assert.ok(c, prefix);
    return readQueryRequest(decodeForm(c.request.body));
  };

  test('all 77 bodies route and convert', () => {
    assert.equal(captures.length, 77);
    for (const c of captures) {
      const r = readQueryRequest(decodeForm(c.request.body));
      assert.ok(r.operation, c.id);
    }
  });

  test('CLI (+) and SDK (%20) encodings give the same input: lists of structures, UTF-8', () => {
    const sdk = byId('071-');
    const cli = byId('075-');
    const expected = {
      path: '/eng/',
      userName: 'tagged',
      tags: [
        { key: 'team', value: 'a b&c=d' },
        { key: 'ü', value: '✓' },
      ],
    };
    assert.deepEqual(sdk.input, expected);
    assert.deepEqual(cli.input, expected);
    // As AWS would, the tag values fail the model's pattern: `&` and `✓` are not letters, spaces or numbers.
    assert.deepEqual(sdk.violations, [
      "Value 'a b&c=d' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
      "Value '✓' at 'tags.2.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
    ]);
  });

  test('the SDK empty list `Tags=` is an empty list', () => {
    const r = byId('072-');
    assert.deepEqual(r.input, { userName: 'emptytags', tags: [] });
    assert.deepEqual(r.violations, []);
  });

  test('a policy document arrives as its JSON text', () => {
    for (const id of ['073-', '076-']) {
      const r = byId(id);
      assert.deepEqual(r.input, {
        userName: 'x',
        policyName: 'p',
        policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
      });
      assert.deepEqual(r.violations, []);
    }
  });

  test('STS AssumeRole: lowercase `arn` member, integers, scalar lists', () => {
    for (const id of ['074-', '077-']) {
      const r = byId(id);
      assert.equal(r.service, 'sts');
      assert.deepEqual(r.input, {
        roleArn: 'arn:aws:iam::123456789012:role/r',
        roleSessionName: 's1',
        policyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
        durationSeconds: 900,
        tags: [{ key: 'k', value: 'v' }],
        transitiveTagKeys: ['k'],
        externalId: 'ext id',
      });
      // ExternalId allows no spaces.
      assert.deepEqual(r.violations, ["Value 'ext id' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*"]);
    }
  });

  test('every other capture is valid as sent', () => {
    const special = ['071-', '074-', '075-', '077-'];
    for (const c of captures) {
      if (special.some((p) => c.id.startsWith(p))) continue;
      assert.deepEqual(readQueryRequest(decodeForm(c.request.body)).violations, [], c.id);
    }
  });
});

describe('input conversion', () => {
  test('domain keys are model member names with the first letter lowercased', () => {
    assert.deepEqual(input('Action=UploadSSHPublicKey&Version=2010-05-08&UserName=bob&SSHPublicKeyBody=ssh-rsa+AAAA'), {
      userName: 'bob',
      sSHPublicKeyBody: 'ssh-rsa AAAA',
    });
    assert.deepEqual(input('Action=GetSSHPublicKey&Version=2010-05-08&UserName=bob&SSHPublicKeyId=APKAEIBAERJR2EXAMPLE&Encoding=SSH'), {
      userName: 'bob',
      sSHPublicKeyId: 'APKAEIBAERJR2EXAMPLE',
      encoding: 'SSH',
    });
  });

  test('integers and booleans are converted; booleans ignore case', () => {
    assert.deepEqual(input('Action=ListUsers&Version=2010-05-08&MaxItems=100&Marker=abc'), { marker: 'abc', maxItems: 100 });
    assert.deepEqual(input('Action=CreatePolicyVersion&Version=2010-05-08&PolicyArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fp&PolicyDocument=%7B%7D&SetAsDefault=TRUE'), {
      policyArn: 'arn:aws:iam::123456789012:policy/p',
      policyDocument: '{}',
      setAsDefault: true,
    });
    assert.equal(input('Action=CreateLoginProfile&Version=2010-05-08&UserName=a&Password=p&PasswordResetRequired=false').passwordResetRequired, false);
  });

  test('a value that is not of its type is InvalidParameterValue', () => {
    for (const [body, message] of [
      ['Action=ListUsers&Version=2010-05-08&MaxItems=ten', 'Value (ten) for parameter MaxItems is invalid. Expected an integer.'],
      ['Action=ListUsers&Version=2010-05-08&MaxItems=1.5', 'Value (1.5) for parameter MaxItems is invalid. Expected an integer.'],
      ['Action=ListUsers&Version=2010-05-08&MaxItems=99999999999', 'Value (99999999999) for parameter MaxItems is invalid. Expected an integer.'],
      ['Action=CreatePolicyVersion&Version=2010-05-08&PolicyArn=x&PolicyDocument=x&SetAsDefault=yes', 'Value (yes) for parameter SetAsDefault is invalid. Expected true or false.'],
    ] as const) {
      const e = thrown(() => parse(body));
      assert.deepEqual([e.code, e.httpStatus, e.message], ['InvalidParameterValue', 400, message]);
    }
  });

  test('unknown parameters are ignored', () => {
    assert.deepEqual(input('Action=GetUser&Version=2010-05-08&UserName=bob&Foo=1&UserName.x=2&Tags.member.1.Key=k'), { userName: 'bob' });
  });

  test('list elements are ordered by index, gaps close up; other names under a list are ignored', () => {
    assert.deepEqual(
      input('Action=UntagUser&Version=2010-05-08&UserName=u&TagKeys.member.10=c&TagKeys.member.2=b&TagKeys.member.1=a&TagKeys.member.x=z&TagKeys.member.0=z&TagKeys.member.01=z').tagKeys,
      ['a', 'b', 'c'],
    );
    assert.deepEqual(input('Action=TagUser&Version=2010-05-08&UserName=u&Tags.member.3.Key=k3&Tags.member.3.Value=v3&Tags.member.1.Key=k1&Tags.member.1.Value=v1').tags, [
      { key: 'k1', value: 'v1' },
      { key: 'k3', value: 'v3' },
    ]);
  });

  test('nested lists of structures with lists inside (SimulatePrincipalPolicy ContextEntries)', () => {
    const body =
      'Action=SimulatePrincipalPolicy&Version=2010-05-08&PolicySourceArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Auser%2Fbob' +
      '&ActionNames.member.1=s3%3AGetObject&ActionNames.member.2=s3%3APutObject&ResourceArns=' +
      '&ContextEntries.member.1.ContextKeyName=aws%3ASourceIp&ContextEntries.member.1.ContextKeyType=ip' +
      '&ContextEntries.member.1.ContextKeyValues.member.1=10.0.0.1&ContextEntries.member.1.ContextKeyValues.member.2=10.0.0.2';
    assert.deepEqual(input(body), {
      policySourceArn: 'arn:aws:iam::123456789012:user/bob',
      actionNames: ['s3:GetObject', 's3:PutObject'],
      resourceArns: [],
      contextEntries: [{ contextKeyName: 'aws:SourceIp', contextKeyValues: ['10.0.0.1', '10.0.0.2'], contextKeyType: 'ip' }],
    });
  });
});

describe('constraint validation (ValidationError, AWS wording)', () => {
  test('pattern', () => {
    assert.equal(
      validation('CreateUser', 'UserName=bad+name'),
      "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
  });

  test('required', () => {
    assert.equal(validation('CreateUser', ''), "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null");
  });

  test('length, then pattern, for one value; several violations joined with "; "', () => {
    assert.equal(
      validation('CreateUser', 'UserName='),
      "2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
    assert.equal(
      validation('CreateUser', `UserName=${'a'.repeat(65)}`),
      `1 validation error detected: Value '${'a'.repeat(65)}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
  });

  test('enum', () => {
    assert.equal(
      validation('UpdateAccessKey', 'AccessKeyId=AKIAIOSFODNN7EXAMPLE&Status=Gone'),
      "1 validation error detected: Value 'Gone' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
    );
  });

  test('integer ranges', () => {
    assert.equal(
      validation('AssumeRole', 'RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s1&DurationSeconds=43201', VERSION.sts),
      "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
    );
    assert.equal(
      validation('ListUsers', 'MaxItems=0'),
      "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    assert.equal(
      validation('CreateRole', 'RoleName=r&AssumeRolePolicyDocument=%7B%7D&MaxSessionDuration=60'),
      "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    );
  });

  test('nested paths: list index from 1, then `member`', () => {
    assert.equal(
      validation('TagUser', 'UserName=u&Tags.member.1.Key=ok&Tags.member.1.Value=v&Tags.member.2.Key=a*b&Tags.member.2.Value=v'),
      "1 validation error detected: Value 'a*b' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
    );
    assert.equal(
      validation('TagUser', 'UserName=u&Tags.member.1.Key=k'),
      "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null",
    );
    assert.equal(
      validation('UntagUser', `UserName=u&TagKeys.member.1=${'k'.repeat(129)}`),
      `1 validation error detected: Value '${'k'.repeat(129)}' at 'tagKeys.1.member' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
    assert.equal(
      validation('AssumeRole', 'RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s1&PolicyArns.member.1.arn=arn%3Ashort', VERSION.sts),
      "1 validation error detected: Value 'arn:short' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    );
  });

  test('list length', () => {
    const tags = Array.from({ length: 51 }, (_, i) => `Tags.member.${i + 1}.Key=k${i}&Tags.member.${i + 1}.Value=v`).join('&');
    const message = validation('TagUser', `UserName=u&${tags}`);
    assert.match(message, /^1 validation error detected: Value '\[\{Key=k0, Value=v\}, \{Key=k1, Value=v\}, .*\]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50$/);
    assert.equal(
      validation('ListPoliciesGrantingServiceAccess', 'Arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Auser%2Fbob&ServiceNamespaces='),
      "1 validation error detected: Value '[]' at 'serviceNamespaces' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  test('members are checked in model order and all reported', () => {
    assert.equal(
      validation('PutUserPolicy', 'PolicyName=bad+name&PolicyDocument=%01'),
      '3 validation errors detected: ' +
        "Value null at 'userName' failed to satisfy constraint: Member must not be null; " +
        "Value 'bad name' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; " +
        "Value '\u0001' at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
    );
  });

  test('sensitive values are not quoted', () => {
    assert.equal(
      validation('CreateLoginProfile', 'UserName=bob&Password=%01'),
      "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
    );
  });

  test('STS names: roleSessionName', () => {
    assert.equal(
      validation('AssumeRole', 'RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s', VERSION.sts),
      "1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    );
  });
});
