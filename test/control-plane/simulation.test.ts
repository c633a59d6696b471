import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entityId, KIND, type GroupEntity, type RoleEntity, type UserEntity } from '../../src/core/model/iam-entities.js';
import { ACCOUNT, createHarness, type Harness } from './harness.js';

interface Pos {
  line: number;
  column: number;
}
interface Stmt {
  sourcePolicyId: string;
  sourcePolicyType: string;
  startPosition?: Pos;
  endPosition?: Pos;
}
interface Rsr {
  evalResourceName: string;
  evalResourceDecision: string;
  matchedStatements?: Stmt[];
  missingContextValues?: string[];
  evalDecisionDetails?: Record<string, string>;
  permissionsBoundaryDecisionDetail?: { allowedByPermissionsBoundary: boolean };
}
interface Result {
  evalActionName: string;
  evalResourceName: string;
  evalDecision: string;
  matchedStatements: Stmt[];
  missingContextValues: string[];
  organizationsDecisionDetail?: { allowedByOrganizations: boolean };
  permissionsBoundaryDecisionDetail?: { allowedByPermissionsBoundary: boolean };
  evalDecisionDetails?: Record<string, string>;
  resourceSpecificResults?: Rsr[];
}
interface SimOut {
  evaluationResults: Result[];
  isTruncated: boolean;
  marker?: string;
}

const doc = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
/** Two-space pretty printing, as the recorded AWS cases used (statement at lines 3-9). */
const pretty = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
const at = (line: number, column: number): Pos => ({ line, column });
const stmt = (sourcePolicyId: string, start: Pos, end: Pos, sourcePolicyType = 'IAM Policy'): Stmt => ({ sourcePolicyId, sourcePolicyType, startPosition: start, endPosition: end });

const A = 'arn:aws:s3:::sim-bucket/a';
const B = 'arn:aws:s3:::sim-bucket/b';
const S3_OBJECT = 'arn:aws:s3:::${BucketName}/${ObjectName}';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/eng/alice`;

async function simulate(h: Harness, op: 'SimulatePrincipalPolicy' | 'SimulateCustomPolicy', input: Record<string, unknown>): Promise<SimOut> {
  return (await h.call(op, input)) as SimOut;
}

/** Attaches a managed policy, through AttachUserPolicy/AttachGroupPolicy once they exist. */
async function attach(h: Harness, kind: 'user' | 'group', name: string, policyArn: string): Promise<void> {
  const op = kind === 'user' ? 'AttachUserPolicy' : 'AttachGroupPolicy';
  if (h.service.has(op)) {
    await h.call(op, { [`${kind}Name`]: name, policyArn });
    return;
  }
  await h.env.store.write(async (tx) => {
    const k = kind === 'user' ? KIND.user : KIND.group;
    const rec = await tx.get<UserEntity | GroupEntity>(k, entityId(ACCOUNT, name));
    assert.ok(rec);
    await tx.put(k, entityId(ACCOUNT, name), ACCOUNT, { ...rec.data, attachedPolicies: [...rec.data.attachedPolicies, policyArn] });
  });
  h.service.changed();
}

/**
 * The recorded principal case: a user with an inline policy, in a group with an inline policy,
 * and a managed policy attached to both.
 */
async function principalFixture(): Promise<Harness> {
  const h = await createHarness();
  await h.call('CreateUser', { userName: 'alice', path: '/eng/' });
  await h.call('CreateGroup', { groupName: 'devs' });
  await h.call('AddUserToGroup', { groupName: 'devs', userName: 'alice' });
  await h.call('PutUserPolicy', { userName: 'alice', policyName: 'UserInline', policyDocument: pretty({ Effect: 'Allow', Action: 's3:GetObject', Resource: A, Sid: 'UserInline' }) });
  await h.call('PutGroupPolicy', { groupName: 'devs', policyName: 'GroupInline', policyDocument: pretty({ Effect: 'Allow', Action: 's3:PutObject', Resource: B, Sid: 'GroupInline' }) });
  const managed = (await h.call('CreatePolicy', { policyName: 'ManagedDelete', path: '/sim/', policyDocument: pretty({ Effect: 'Allow', Action: 's3:DeleteObject', Resource: '*', Sid: 'ManagedDelete' }) })) as { policy: { arn: string } };
  await attach(h, 'user', 'alice', managed.policy.arn);
  await attach(h, 'group', 'devs', managed.policy.arn);
  return h;
}

describe('SimulatePrincipalPolicy', () => {
  it("evaluates a user's own, group and attached policies per action and resource", async () => {
    const h = await principalFixture();
    const out = await simulate(h, 'SimulatePrincipalPolicy', { policySourceArn: ALICE, actionNames: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resourceArns: [A, B] });
    assert.equal(out.isTruncated, false);
    const [get, put, del] = out.evaluationResults;
    assert.deepEqual(get, {
      evalActionName: 's3:GetObject',
      evalResourceName: S3_OBJECT,
      evalDecision: 'implicitDeny',
      matchedStatements: [stmt('user_alice_UserInline', at(3, 17), at(9, 6))],
      missingContextValues: [],
      organizationsDecisionDetail: { allowedByOrganizations: true },
      evalDecisionDetails: {},
      resourceSpecificResults: [
        { evalResourceName: A, evalResourceDecision: 'allowed', matchedStatements: [stmt('user_alice_UserInline', at(3, 17), at(9, 6))] },
        { evalResourceName: B, evalResourceDecision: 'implicitDeny' },
      ],
    });
    assert.deepEqual(put.matchedStatements, [stmt('group_devs_GroupInline', at(3, 17), at(9, 6))]);
    assert.deepEqual(put.resourceSpecificResults?.map((r) => r.evalResourceDecision), ['implicitDeny', 'allowed']);
    // Attached to the user and to its group, the managed policy is reported once, by name.
    assert.equal(del.evalDecision, 'allowed');
    assert.deepEqual(del.matchedStatements, [stmt('ManagedDelete', at(3, 17), at(9, 6))]);
    assert.deepEqual(del.resourceSpecificResults?.[1].matchedStatements, [stmt('ManagedDelete', at(3, 17), at(9, 6))]);
  });

  it('simulates groups and roles, resolves the entity by name, and adds PolicyInputList', async () => {
    const h = await principalFixture();
    const group = await simulate(h, 'SimulatePrincipalPolicy', { policySourceArn: `arn:aws:iam::${ACCOUNT}:group/wrong-path/devs`, actionNames: ['s3:GetObject', 's3:PutObject'], resourceArns: [B] });
    assert.deepEqual(
      group.evaluationResults.map((r) => [r.evalResourceName, r.evalDecision, r.matchedStatements.map((s) => s.sourcePolicyId)]),
      [
        [B, 'implicitDeny', []],
        [B, 'allowed', ['group_devs_GroupInline']],
      ],
    );
    await h.call('CreateRole', { roleName: 'app', assumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }) });
    await h.call('PutRolePolicy', { roleName: 'app', policyName: 'RoleInline', policyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) });
    const role = await simulate(h, 'SimulatePrincipalPolicy', {
      policySourceArn: `arn:aws:iam::${ACCOUNT}:role/app`,
      actionNames: ['s3:GetObject', 's3:ListBucket'],
      policyInputList: [doc({ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' })],
    });
    assert.deepEqual(role.evaluationResults[0].matchedStatements, [stmt('role_app_RoleInline', at(1, 38), at(1, 95))]);
    // s3:ListBucket is one character longer than s3:GetObject.
    assert.deepEqual(role.evaluationResults[1].matchedStatements, [stmt('PolicyInputList.1', at(1, 38), at(1, 96))]);
  });

  it('reports the permissions boundary, attached or passed in, and lets a boundary deny decide', async () => {
    const h = await principalFixture();
    const boundary = (await h.call('CreatePolicy', { policyName: 'ReadWrite', policyDocument: doc({ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: '*' }) })) as { policy: { arn: string } };
    await h.call('PutUserPermissionsBoundary', { userName: 'alice', permissionsBoundary: boundary.policy.arn });
    const out = await simulate(h, 'SimulatePrincipalPolicy', { policySourceArn: ALICE, actionNames: ['s3:GetObject', 's3:DeleteObject'], resourceArns: [A] });
    const [get, del] = out.evaluationResults;
    // The boundary's Allow is not listed: AllowedByPermissionsBoundary says it.
    assert.equal(get.evalDecision, 'allowed');
    assert.deepEqual(get.matchedStatements.map((s) => s.sourcePolicyId), ['user_alice_UserInline']);
    assert.deepEqual(get.permissionsBoundaryDecisionDetail, { allowedByPermissionsBoundary: true });
    assert.deepEqual(get.resourceSpecificResults?.[0].permissionsBoundaryDecisionDetail, { allowedByPermissionsBoundary: true });
    assert.equal(del.evalDecision, 'implicitDeny');
    assert.deepEqual(del.matchedStatements, []);
    assert.deepEqual(del.permissionsBoundaryDecisionDetail, { allowedByPermissionsBoundary: false });

    // A boundary passed in replaces the attached one.
    const denyAll = doc({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' });
    const replaced = await simulate(h, 'SimulatePrincipalPolicy', { policySourceArn: ALICE, actionNames: ['s3:GetObject'], permissionsBoundaryPolicyInputList: [denyAll] });
    assert.equal(replaced.evaluationResults[0].evalDecision, 'explicitDeny');
    assert.deepEqual(replaced.evaluationResults[0].matchedStatements, [stmt('PermissionsBoundaryPolicyInputList.1', at(1, 38), at(1, 94), 'Permissions Boundary Policy')]);
    assert.deepEqual(replaced.evaluationResults[0].permissionsBoundaryDecisionDetail, { allowedByPermissionsBoundary: false });

    // Excluding the boundary (and the inline policies) is hypothetical only.
    const excluded = await simulate(h, 'SimulatePrincipalPolicy', { policySourceArn: ALICE, actionNames: ['s3:GetObject', 's3:DeleteObject'], policyExclusionList: [{ policyType: 'permission-boundary' }, { policyType: 'inline' }] });
    assert.deepEqual(excluded.evaluationResults.map((r) => [r.evalDecision, r.permissionsBoundaryDecisionDetail]), [
      ['implicitDeny', undefined],
      ['allowed', undefined],
    ]);
    const again = await simulate(h, 'SimulatePrincipalPolicy', { policySourceArn: ALICE, actionNames: ['s3:DeleteObject'] });
    assert.equal(again.evaluationResults[0].evalDecision, 'implicitDeny');
  });

  it('leaves out the policies PolicyExclusionList names, managed ones by their pathless ARN', async () => {
    const h = await principalFixture();
    const run = async (policyExclusionList: unknown[]) =>
      (await simulate(h, 'SimulatePrincipalPolicy', { policySourceArn: ALICE, actionNames: ['s3:DeleteObject', 's3:PutObject'], resourceArns: [B], policyExclusionList })).evaluationResults.map((r) => r.evalDecision);
    assert.deepEqual(await run([{ policyArn: `arn:aws:iam::${ACCOUNT}:policy/Managed*` }, { inlinePolicyIdentifier: { policyName: 'GroupInline', attachmentType: 'group', attachmentName: 'd?vs' } }]), ['implicitDeny', 'implicitDeny']);
    // AWS-COMPAT (recorded): the ARN with the policy's path matches nothing.
    assert.deepEqual(await run([{ policyArn: `arn:aws:iam::${ACCOUNT}:policy/sim/ManagedDelete` }]), ['allowed', 'allowed']);
    assert.deepEqual(await run([{ policyType: 'user-managed' }]), ['implicitDeny', 'allowed']);
  });

  it('answers AWS errors for unknown or invalid sources and inputs', async () => {
    const h = await principalFixture();
    const call = (input: Record<string, unknown>) => h.call('SimulatePrincipalPolicy', { actionNames: ['s3:GetObject'], ...input });
    await assert.rejects(call({ policySourceArn: `arn:aws:iam::${ACCOUNT}:user/nobody` }), { code: 'NoSuchEntity', message: 'Unable to retrieve specified IAM entity.' });
    await assert.rejects(call({ policySourceArn: `arn:aws:iam::${ACCOUNT}:root` }), { code: 'InvalidInput', message: `Invalid ARN provided in the request: arn:aws:iam::${ACCOUNT}:root` });
    await assert.rejects(call({ policySourceArn: 'arn:aws:iam::999999999999:user/alice' }), {
      code: 'InvalidInput',
      message: `Invalid Policy Source Arn: caller's account ${ACCOUNT} does not have access to policies in account 999999999999.`,
    });
    await assert.rejects(call({ policySourceArn: ALICE, policyInputList: ['{'] }), { code: 'InvalidInput', message: 'Policy input list item 1 has invalid content' });
    await assert.rejects(call({ policySourceArn: ALICE, actionNames: ['GetObject'] }), { code: 'InvalidInput', message: 'The action is invalid since it is missing names' });
    await assert.rejects(call({ policySourceArn: ALICE, resourceArns: ['not-an-arn'] }), { code: 'InvalidInput', message: 'ResourceNames are not in a valid ARN format: not-an-arn.' });
    const allow = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    await assert.rejects(call({ policySourceArn: ALICE, permissionsBoundaryPolicyInputList: [allow, allow] }), { code: 'InvalidInput', message: 'The list of Permissions Boundary policies cannot exceed 1 items.' });
  });

  it('is authorized on the simulated entity: a user may be allowed to simulate only itself', async () => {
    const h = await principalFixture();
    await h.call('CreateUser', { userName: 'bob' });
    const bob = await h.userCaller('bob');
    const input = { policySourceArn: ALICE, actionNames: ['s3:GetObject'] };
    await assert.rejects(h.call('SimulatePrincipalPolicy', input, bob), {
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${ALICE} because no identity-based policy allows the iam:SimulatePrincipalPolicy action`,
    });
    await h.call('PutUserPolicy', { userName: 'bob', policyName: 'self', policyDocument: doc({ Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: 'arn:aws:iam::*:user/${aws:username}' }) });
    const self = (await h.call('SimulatePrincipalPolicy', { policySourceArn: `arn:aws:iam::${ACCOUNT}:user/bob`, actionNames: ['iam:SimulatePrincipalPolicy'], resourceArns: [`arn:aws:iam::${ACCOUNT}:user/bob`] }, bob)) as SimOut;
    // The simulated caller's own name fills ${aws:username}.
    assert.equal(self.evaluationResults[0].evalDecision, 'allowed');
    await assert.rejects(h.call('SimulatePrincipalPolicy', input, bob), { code: 'AccessDenied' });
    await assert.rejects(h.call('SimulateCustomPolicy', { policyInputList: [], actionNames: ['s3:GetObject'] }, bob), {
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: iam:SimulateCustomPolicy on resource: * because no identity-based policy allows the iam:SimulateCustomPolicy action`,
    });
  });
});

describe('SimulateCustomPolicy', () => {
  it('answers allowed, implicitDeny and explicitDeny with the deciding statements at their positions', async () => {
    const h = await createHarness();
    const allow = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
    const out = await simulate(h, 'SimulateCustomPolicy', { policyInputList: [allow], actionNames: ['s3:GetObject', 's3:PutObject'] });
    // Recorded AWS output for this input, member for member.
    assert.deepEqual(out, {
      evaluationResults: [
        { evalActionName: 's3:GetObject', evalResourceName: '*', evalDecision: 'allowed', matchedStatements: [stmt('PolicyInputList.1', at(1, 38), at(1, 95))], missingContextValues: [] },
        { evalActionName: 's3:PutObject', evalResourceName: '*', evalDecision: 'implicitDeny', matchedStatements: [], missingContextValues: [] },
      ],
      isTruncated: false,
    });
    const denyWins = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Sid":"Allow"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Sid":"Deny"}]}';
    const denied = await simulate(h, 'SimulateCustomPolicy', { policyInputList: [denyWins], actionNames: ['s3:GetObject'] });
    assert.equal(denied.evaluationResults[0].evalDecision, 'explicitDeny');
    assert.deepEqual(denied.evaluationResults[0].matchedStatements, [stmt('PolicyInputList.1', at(1, 109), at(1, 179))]);
  });

  it('locates statements as AWS does in pretty-printed, CRLF and single-statement documents', async () => {
    const h = await createHarness();
    const prettyTwo = pretty({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Sid: 'First' }, { Effect: 'Deny', Action: 's3:PutObject', Resource: '*', Sid: 'Second' });
    const crlf = ' \r\n{\r\n  "Version": "2012-10-17",\r\n  "Statement": [\r\n    {\r\n      "Effect": "Allow",\r\n      "Action": "s3:GetObject",\r\n      "Resource": "*"\r\n    }\r\n  ]\r\n}\r\n ';
    const single = '{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}';
    const positions = async (text: string, action: string) => (await simulate(h, 'SimulateCustomPolicy', { policyInputList: [text], actionNames: [action] })).evaluationResults[0].matchedStatements;
    assert.deepEqual(await positions(prettyTwo, 's3:GetObject'), [stmt('PolicyInputList.1', at(3, 17), at(9, 6))]);
    assert.deepEqual(await positions(prettyTwo, 's3:PutObject'), [stmt('PolicyInputList.1', at(9, 6), at(15, 6))]);
    assert.deepEqual(await positions(crlf, 's3:GetObject'), [stmt('PolicyInputList.1', at(4, 17), at(9, 6))]);
    assert.deepEqual(await positions(single, 's3:GetObject'), [stmt('PolicyInputList.1', at(1, 16), at(1, 77))]);
  });

  it('takes ContextEntries into the decision and lists the keys that were not supplied', async () => {
    const h = await createHarness();
    const policy = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } });
    const run = (contextEntries?: unknown[]) => simulate(h, 'SimulateCustomPolicy', { policyInputList: [policy], actionNames: ['s3:GetObject'], contextEntries });
    const missing = (await run()).evaluationResults[0];
    assert.equal(missing.evalDecision, 'implicitDeny');
    assert.deepEqual(missing.missingContextValues, ['aws:SourceIp']);
    const inside = (await run([{ contextKeyName: 'aws:SourceIp', contextKeyValues: ['203.0.113.10'], contextKeyType: 'ip' }])).evaluationResults[0];
    assert.equal(inside.evalDecision, 'allowed');
    assert.deepEqual(inside.missingContextValues, []);
    const outside = (await run([{ contextKeyName: 'AWS:SOURCEIP', contextKeyValues: ['198.51.100.1'], contextKeyType: 'ip' }])).evaluationResults[0];
    assert.equal(outside.evalDecision, 'implicitDeny');
    assert.deepEqual(outside.missingContextValues, []);

    // List types make multivalued keys.
    const tags = doc({ Effect: 'Allow', Action: 'iam:TagUser', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost'] } } });
    const tagged = await simulate(h, 'SimulateCustomPolicy', { policyInputList: [tags], actionNames: ['iam:TagUser'], contextEntries: [{ contextKeyName: 'aws:TagKeys', contextKeyValues: ['team', 'owner'], contextKeyType: 'stringList' }] });
    assert.equal(tagged.evaluationResults[0].evalDecision, 'implicitDeny');

    await assert.rejects(run([{ contextKeyName: 'aws:SourceIp', contextKeyValues: ['999.0.0.1'], contextKeyType: 'ip' }]), { code: 'InvalidInput', message: 'Invalid context value for key aws:SourceIp: expected IP address.' });
    await assert.rejects(run([{ contextKeyName: 'stack:test', contextKeyValues: ['a', 'b'], contextKeyType: 'string' }]), { code: 'InvalidInput', message: 'Context key string expected a single value, but received 2.' });
    await assert.rejects(run([{ contextKeyName: 'stack:n', contextKeyValues: ['abc'], contextKeyType: 'numeric' }]), { code: 'InvalidInput', message: 'Invalid context value for key stack:n: expected numeric format.' });
    await assert.rejects(
      run([
        { contextKeyName: 'stack:test', contextKeyValues: ['a'], contextKeyType: 'string' },
        { contextKeyName: 'STACK:TEST', contextKeyValues: ['b'], contextKeyType: 'string' },
      ]),
      { code: 'InvalidInput', message: 'Duplicate context key: STACK:TEST.' },
    );
  });

  it('lists missing keys of every statement when the request is not allowed, policy variables included', async () => {
    const h = await createHarness();
    const policy = doc(
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::sim-bucket/${aws:username}' },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } },
    );
    const out = await simulate(h, 'SimulateCustomPolicy', { policyInputList: [policy], actionNames: ['s3:GetObject'], resourceArns: [A] });
    assert.deepEqual(out.evaluationResults[0].missingContextValues, ['aws:username', 'aws:CurrentTime']);
    assert.deepEqual(out.evaluationResults[0].resourceSpecificResults?.[0].missingContextValues, ['aws:username', 'aws:CurrentTime']);
    const withCaller = await simulate(h, 'SimulateCustomPolicy', { policyInputList: [policy], actionNames: ['s3:GetObject'], resourceArns: ['arn:aws:s3:::sim-bucket/alice'], callerArn: ALICE });
    // The simulated caller supplies aws:username.
    assert.equal(withCaller.evaluationResults[0].evalDecision, 'allowed');
    assert.deepEqual(withCaller.evaluationResults[0].missingContextValues, []);
  });

  it('aggregates several resources: the most restrictive decision on top, each resource below', async () => {
    const h = await createHarness();
    const policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::sim-bucket/a"}]}';
    const out = await simulate(h, 'SimulateCustomPolicy', { policyInputList: [policy], actionNames: ['s3:GetObject'], resourceArns: [A, B] });
    assert.deepEqual(out.evaluationResults, [
      {
        evalActionName: 's3:GetObject',
        evalResourceName: S3_OBJECT,
        evalDecision: 'implicitDeny',
        matchedStatements: [stmt('PolicyInputList.1', at(1, 38), at(1, 119))],
        missingContextValues: [],
        evalDecisionDetails: {},
        resourceSpecificResults: [
          { evalResourceName: A, evalResourceDecision: 'allowed', matchedStatements: [stmt('PolicyInputList.1', at(1, 38), at(1, 119))] },
          { evalResourceName: B, evalResourceDecision: 'implicitDeny' },
        ],
      },
    ]);
  });

  it('simulates a resource policy, cross-account with per-policy-type details', async () => {
    const h = await createHarness();
    const identity = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    const bucket = doc({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::sim-bucket/*' });
    const base = { actionNames: ['s3:GetObject'], resourceArns: [A], callerArn: ALICE, resourcePolicy: bucket, resourceOwner: 'arn:aws:iam::999999999999:root' };
    const both = (await simulate(h, 'SimulateCustomPolicy', { ...base, policyInputList: [identity] })).evaluationResults[0];
    assert.equal(both.evalDecision, 'allowed');
    assert.deepEqual(both.matchedStatements.map((s) => [s.sourcePolicyId, s.sourcePolicyType]), [
      ['ResourcePolicy', 'Resource Policy'],
      ['PolicyInputList.1', 'IAM Policy'],
    ]);
    assert.deepEqual(both.evalDecisionDetails, { 'IAM Policy': 'allowed', 'Resource Policy': 'allowed' });
    const noIdentity = (await simulate(h, 'SimulateCustomPolicy', { ...base, policyInputList: [] })).evaluationResults[0];
    assert.equal(noIdentity.evalDecision, 'implicitDeny');
    assert.deepEqual(noIdentity.evalDecisionDetails, { 'IAM Policy': 'implicitDeny', 'Resource Policy': 'allowed' });
    assert.deepEqual(noIdentity.resourceSpecificResults?.[0].evalDecisionDetails, { 'IAM Policy': 'implicitDeny', 'Resource Policy': 'allowed' });

    await assert.rejects(h.call('SimulateCustomPolicy', { ...base, policyInputList: [], callerArn: undefined }), { code: 'InvalidInput', message: 'Invalid caller - Caller cannot be null or empty.' });
    await assert.rejects(h.call('SimulateCustomPolicy', { ...base, policyInputList: [], resourceArns: undefined }), { code: 'InvalidInput', message: 'Invalid Entity Arn: * does not clearly define entity type and name.' });
    await assert.rejects(h.call('SimulateCustomPolicy', { ...base, policyInputList: [], resourceOwner: '999999999999' }), { code: 'InvalidInput', message: 'Invalid Resource Owner.' });
  });

  it('applies ordered SCP levels and the boundary, and decides identity-only for sts:AssumeRole', async () => {
    const h = await createHarness();
    const allowAll = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
    const scpDeny = doc({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' });
    const out = await simulate(h, 'SimulateCustomPolicy', {
      policyInputList: [allowAll],
      actionNames: ['s3:GetObject', 's3:PutObject', 'sts:AssumeRole'],
      orderedOrganizationPolicyInputList: [{ serviceControlPolicyInputList: [allowAll] }, { serviceControlPolicyInputList: [scpDeny, allowAll] }],
    });
    assert.deepEqual(
      out.evaluationResults.map((r) => [r.evalDecision, r.matchedStatements.length, r.organizationsDecisionDetail]),
      [
        ['explicitDeny', 0, { allowedByOrganizations: false }],
        ['allowed', 1, { allowedByOrganizations: true }],
        ['allowed', 1, { allowedByOrganizations: true }],
      ],
    );
    await assert.rejects(h.call('SimulateCustomPolicy', { policyInputList: [allowAll], actionNames: ['s3:GetObject'], orderedOrganizationPolicyInputList: [{ serviceControlPolicyInputList: [] }] }), {
      code: 'InvalidInput',
      message: 'Organization policy at index 1 must contain at least one service control policy',
    });
  });

  it('paginates by action with MaxItems and Marker', async () => {
    const h = await createHarness();
    const input = { policyInputList: [doc({ Effect: 'Allow', Action: '*', Resource: '*' })], actionNames: ['s3:PutObject', 'iam:GetUser', 's3:GetObject'], maxItems: 2 };
    const first = await simulate(h, 'SimulateCustomPolicy', input);
    assert.equal(first.isTruncated, true);
    assert.deepEqual(first.evaluationResults.map((r) => r.evalActionName), ['s3:PutObject', 'iam:GetUser']);
    const second = await simulate(h, 'SimulateCustomPolicy', { ...input, marker: first.marker });
    assert.deepEqual(second.evaluationResults.map((r) => r.evalActionName), ['s3:GetObject']);
    assert.equal(second.isTruncated, false);
    assert.equal(second.marker, undefined);
    await assert.rejects(h.call('SimulateCustomPolicy', { ...input, marker: 'not-a-simulation-marker' }), { code: 'InvalidInput', message: 'Invalid marker for pagination.' });
  });
});

describe('GetContextKeysFor*Policy', () => {
  it('lists condition keys and policy variables as written, once regardless of case', async () => {
    const h = await createHarness();
    const example = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}';
    const other = doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'AWS:CURRENTTIME': 'x', 'aws:MultiFactorAuthPresent': 'false' }, StringLike: { 's3:prefix': '${aws:userid}/*' } } });
    assert.deepEqual(await h.call('GetContextKeysForCustomPolicy', { policyInputList: [example, other] }), { contextKeyNames: ['aws:username', 'aws:CurrentTime', 'aws:MultiFactorAuthPresent', 's3:prefix', 'aws:userid'] });
    await assert.rejects(h.call('GetContextKeysForCustomPolicy', { policyInputList: ['{'] }), { code: 'InvalidInput', message: 'Policy input list item 1 has invalid content' });
  });

  it("collects the keys of a principal's own and group policies, then the given ones", async () => {
    const h = await principalFixture();
    await h.call('PutGroupPolicy', { groupName: 'devs', policyName: 'Ip', policyDocument: doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }) });
    await h.call('PutUserPolicy', { userName: 'alice', policyName: 'Mfa', policyDocument: doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }) });
    const out = await h.call('GetContextKeysForPrincipalPolicy', { policySourceArn: ALICE, policyInputList: [doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } })] });
    assert.deepEqual(out, { contextKeyNames: ['aws:MultiFactorAuthPresent', 'aws:SourceIp', 'aws:RequestedRegion'] });
    await assert.rejects(h.call('GetContextKeysForPrincipalPolicy', { policySourceArn: `arn:aws:iam::${ACCOUNT}:role/none` }), { code: 'NoSuchEntity', message: 'Unable to retrieve specified IAM entity.' });
  });

  it('changes nothing in the store', async () => {
    const h = await principalFixture();
    const before = await h.env.store.revision();
    await h.call('SimulatePrincipalPolicy', { policySourceArn: ALICE, actionNames: ['s3:GetObject'] });
    await h.call('GetContextKeysForPrincipalPolicy', { policySourceArn: ALICE });
    assert.equal(await h.env.store.revision(), before);
    const role = await h.env.store.read(async (tx) => tx.get<RoleEntity>(KIND.role, entityId(ACCOUNT, 'none')));
    assert.equal(role, undefined);
  });
});
