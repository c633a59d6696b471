/**
 * Property tests of tightening: on random policies (actions from a small part of the catalog,
 * wildcards, NotAction/NotResource, conditions, Denies) and random usage recorded by the engine,
 * the proposal never allows a request the current policy denies (checked by sampling requests
 * against both with the engine, independently of the prover), keeps every request that was used,
 * and is proven; and the prover never accepts a proposal that the engine finds wider.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AccountIndex, type AccountModel } from '../../../src/analysis/account/index.js';
import { proposeTightening, proveNoWidening } from '../../../src/analysis/tighten/index.js';
import type { UsageRecord } from '../../../src/analysis/usage/index.js';
import { CompiledPolicy, compilePolicy, evaluate, type ContextValue } from '../../../src/core/policy/index.js';

const ACCOUNT = '111122223333';
const USER = `arn:aws:iam::${ACCOUNT}:user/u`;
const MANAGED = `arn:aws:iam::${ACCOUNT}:policy/m`;
const INLINE_ID = `${USER}:inline/p`;

const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 'sqs:SendMessage', 'sqs:ReceiveMessage', 'dynamodb:GetItem', 'dynamodb:PutItem'];
/** Requests beyond what the policies name, to catch grants of other actions. */
const SAMPLE_ACTIONS = [...ACTIONS, 's3:GetObjectAcl', 'sqs:DeleteMessage', 'iam:PassRole', 'dynamodb:Scan'];
const ACTION_PATTERNS = [...ACTIONS, 's3:Get*', 's3:*Object', 'sqs:*', 'dynamodb:*Item', 's3:*', '*'];
const RESOURCES = [
  'arn:aws:s3:::b1',
  'arn:aws:s3:::b1/k1',
  'arn:aws:s3:::b1/dir/k2',
  'arn:aws:s3:::b1/dir/k3',
  'arn:aws:s3:::b1/dir/k4',
  'arn:aws:s3:::b2',
  'arn:aws:s3:::b2/k5',
  'arn:aws:s3:::u/notes.txt',
  `arn:aws:sqs:us-east-1:${ACCOUNT}:q1`,
  `arn:aws:sqs:us-east-1:${ACCOUNT}:q2`,
  `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t1`,
  `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t2`,
];
const SAMPLE_RESOURCES = [...RESOURCES, '*', 'arn:aws:s3:::b3/x', 'arn:aws:s3:::b1/dir/sub/k9', `arn:aws:sqs:eu-west-1:${ACCOUNT}:q1`];
const RESOURCE_PATTERNS = [
  ...RESOURCES,
  'arn:aws:s3:::b1/*',
  'arn:aws:s3:::b1/dir/*',
  'arn:aws:s3:::*',
  'arn:aws:s3:::b?/*',
  `arn:aws:sqs:*:${ACCOUNT}:q*`,
  `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/*`,
  '*',
  'arn:aws:s3:::${aws:username}/*',
];
const CONDITIONS: Record<string, Record<string, string>>[] = [
  { StringEquals: { 'aws:RequestTag/env': 'prod' } },
  { Bool: { 'aws:SecureTransport': 'true' } },
  { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
  { StringLike: { 's3:prefix': 'home/*' } },
];
const CONTEXTS: Record<string, ContextValue>[] = [
  {},
  { 'aws:RequestTag/env': 'prod' },
  { 'aws:SecureTransport': 'true' },
  { 'aws:SourceIp': '10.1.2.3' },
  { 's3:prefix': 'home/a' },
  { 'aws:RequestTag/env': 'prod', 'aws:SecureTransport': 'true', 'aws:SourceIp': '10.1.2.3', 's3:prefix': 'home/a' },
];

type Statement = Record<string, unknown>;
interface Doc {
  Version: string;
  Statement: Statement[];
}

const subset = <T>(values: readonly T[], max = 3) => fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: max });

const statementArb: fc.Arbitrary<Statement> = fc
  .record({
    effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
    not: fc.constantFrom(false, false, false, false, false, false, false, false, 'action', 'resource'),
    actions: subset(ACTION_PATTERNS),
    resources: subset(RESOURCE_PATTERNS),
    condition: fc.option(fc.constantFrom(...CONDITIONS), { freq: 3 }),
    sid: fc.option(fc.constantFrom('A', 'B', 'Read', 'Write'), { freq: 2 }),
  })
  .map(({ effect, not, actions, resources, condition, sid }) => {
    const s: Statement = {};
    if (sid !== null) s.Sid = sid;
    s.Effect = effect;
    s[not === 'action' ? 'NotAction' : 'Action'] = actions.length === 1 ? actions[0] : actions;
    s[not === 'resource' ? 'NotResource' : 'Resource'] = resources.length === 1 ? resources[0] : resources;
    if (condition !== null) s.Condition = condition;
    return s;
  });

const docArb: fc.Arbitrary<Doc> = fc.array(statementArb, { minLength: 1, maxLength: 5 }).map((Statement) => ({ Version: '2012-10-17', Statement }));

const requestArb = fc.record({ action: fc.constantFrom(...ACTIONS), resource: fc.constantFrom(...RESOURCES), context: fc.constantFrom(...CONTEXTS) });

function modelOf(inline: Doc, managed: Doc): AccountModel {
  return {
    accountId: ACCOUNT,
    partition: 'aws',
    users: [{ kind: 'user', arn: USER, name: 'u', id: 'AIDAU0000000000000001', path: '/', inlinePolicies: [{ name: 'p', document: inline }], attachedPolicies: [MANAGED], groups: [], tags: [] }],
    groups: [],
    roles: [],
    policies: new Map([[MANAGED, { arn: MANAGED, name: 'm', path: '/', awsManaged: false, defaultVersionId: 'v1', versions: [{ versionId: 'v1', isDefault: true, document: managed }], defaultDocument: managed }]]),
  };
}

const PRINCIPAL_CONTEXT: Record<string, ContextValue> = { 'aws:username': 'u', 'aws:PrincipalArn': USER, 'aws:PrincipalAccount': ACCOUNT };

function compiled(docs: unknown[]): CompiledPolicy[] {
  return docs.map((d, i) => compilePolicy(d, { id: i === 0 ? INLINE_ID : MANAGED, layer: 'identity' }));
}

function decision(docs: unknown[] | CompiledPolicy[], action: string, resource: string, context: Record<string, ContextValue>) {
  const identity = docs.every((d) => d instanceof CompiledPolicy) ? (docs as CompiledPolicy[]) : compiled(docs);
  return evaluate({ principal: USER, action, resource, context: { ...PRINCIPAL_CONTEXT, ...context } }, { identity });
}

function allows(docs: unknown[] | CompiledPolicy[], action: string, resource: string, context: Record<string, ContextValue>): boolean {
  return decision(docs, action, resource, context).decision === 'Allow';
}

/** The first sampled request `wider` allows and `narrower` does not. */
function widening(narrowerDocs: unknown[], widerDocs: unknown[]): string | undefined {
  const narrower = compiled(narrowerDocs);
  const wider = compiled(widerDocs);
  for (const action of SAMPLE_ACTIONS) {
    for (const resource of SAMPLE_RESOURCES) {
      for (const context of CONTEXTS) {
        if (allows(wider, action, resource, context) && !allows(narrower, action, resource, context)) return `${action} on ${resource} with ${JSON.stringify(context)}`;
      }
    }
  }
  return undefined;
}

const NOW = new Date('2026-06-01T00:00:00Z');
const SINCE = new Date('2026-05-02T00:00:00Z');

/** Usage as the data plane records it: the requests the engine allowed, with the statements that allowed them. */
function recordUsage(inline: Doc, managed: Doc, requests: { action: string; resource: string; context: Record<string, ContextValue> }[], withAllowedBy: boolean): UsageRecord[] {
  const out: UsageRecord[] = [];
  for (const r of requests) {
    const d = decision([inline, managed], r.action, r.resource, r.context);
    if (d.decision !== 'Allow') continue;
    const allowedBy = withAllowedBy ? d.decidedBy.map((s) => ({ policyId: s.policyId, statementIndex: s.statementIndex, ...(s.policyId === MANAGED ? { policyVersion: 'v1' } : {}) })) : [];
    out.push({ principal: USER, action: r.action, resource: r.resource, count: 1, firstSeen: '2026-05-20T00:00:00.000Z', lastSeen: '2026-05-20T00:00:00.000Z', allowedBy });
  }
  return out;
}

describe('tightening never widens', () => {
  it('the proposal allows nothing the current policies deny, keeps what was used, and is proven', () => {
    fc.assert(
      fc.property(docArb, docArb, fc.array(requestArb, { minLength: 1, maxLength: 12 }), fc.boolean(), (inline, managed, requests, withAllowedBy) => {
        const usage = recordUsage(inline, managed, requests, withAllowedBy);
        const index = new AccountIndex(modelOf(inline, managed));
        const result = proposeTightening({ index, principalArn: USER, usage, since: SINCE, now: NOW });
        if (usage.length === 0) {
          assert.equal(result.policies.length, 0);
          return;
        }
        assert.equal(result.proof.proven, true, JSON.stringify(result.proof.counterexamples));
        const empty = { Version: '2012-10-17', Statement: [] };
        const proposed = result.policies.map((p) => p.proposed ?? empty);
        // Each proposal against its own policy, and the principal as a whole.
        for (const [i, p] of result.policies.entries()) {
          const wider = widening([p.current], [proposed[i]]);
          assert.equal(wider, undefined, `${p.policyId} widened: ${wider}\ncurrent ${JSON.stringify(p.current)}\nproposed ${JSON.stringify(p.proposed)}`);
        }
        const inlineProposal = result.policies.find((p) => p.kind === 'inline')?.proposed ?? empty;
        const managedProposal = result.policies.find((p) => p.kind === 'managed')?.proposed ?? empty;
        const before = compiled([inline, managed]);
        const after = compiled([inlineProposal, managedProposal]);
        for (const r of requests) {
          if (!allows(before, r.action, r.resource, r.context)) continue;
          assert.ok(
            allows(after, r.action, r.resource, r.context),
            `used request lost: ${r.action} on ${r.resource} ${JSON.stringify(r.context)}\ninline ${JSON.stringify(inlineProposal)}\nmanaged ${JSON.stringify(managedProposal)}`,
          );
        }
      }),
      { numRuns: Number(process.env.RUNS ?? 60), seed: 5150 },
    );
  });

  it('the prover rejects a proposal widened by an extra grant', () => {
    let widened = 0;
    fc.assert(
      fc.property(docArb, fc.constantFrom(...SAMPLE_ACTIONS), fc.constantFrom(...SAMPLE_RESOURCES), (original, action, resource) => {
        const proposal = { ...original, Statement: [...original.Statement, { Effect: 'Allow', Action: action, Resource: resource }] };
        if (!widening([original], [proposal])) return; // the original already allowed it
        widened++;
        const proof = proveNoWidening(original, proposal, { principal: USER, context: PRINCIPAL_CONTEXT, account: ACCOUNT });
        assert.equal(proof.proven, false, `accepted a widening: ${JSON.stringify(proposal)}`);
        assert.ok(proof.counterexamples.length > 0);
      }),
      { numRuns: Number(process.env.RUNS ?? 60), seed: 42 },
    );
    assert.ok(widened > Number(process.env.RUNS ?? 60) / 3, `only ${widened} runs widened`);
  });

  it('the prover never accepts a mutation the engine finds wider', () => {
    const mutation = fc.constantFrom('drop-condition', 'drop-deny', 'widen-action', 'widen-resource', 'drop-statement', 'add-condition', 'narrow-resource');
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(docArb, mutation, fc.nat(4), (original, kind, at) => {
        const statements = original.Statement.map((s) => ({ ...s }));
        const s = statements[at % statements.length];
        switch (kind) {
          case 'drop-condition':
            delete s.Condition;
            break;
          case 'drop-deny':
            if (s.Effect === 'Deny') statements.splice(at % statements.length, 1);
            break;
          case 'widen-action':
            if (s.Action !== undefined) s.Action = 's3:*';
            break;
          case 'widen-resource':
            if (s.Resource !== undefined) s.Resource = 'arn:aws:s3:::*';
            break;
          case 'drop-statement':
            statements.splice(at % statements.length, 1);
            break;
          case 'add-condition':
            s.Condition = { ...(s.Condition as object | undefined), Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
            break;
          case 'narrow-resource':
            if (s.Resource !== undefined) s.Resource = 'arn:aws:s3:::b1/dir/k2';
            break;
        }
        const proposal = { Version: '2012-10-17', Statement: statements };
        const proof = proveNoWidening(original, proposal, { principal: USER, context: PRINCIPAL_CONTEXT, account: ACCOUNT });
        const wider = widening([original], [proposal]);
        if (proof.proven) {
          accepted++;
          assert.equal(wider, undefined, `proven, yet ${wider}\noriginal ${JSON.stringify(original)}\nproposal ${JSON.stringify(proposal)}`);
        } else rejected++;
      }),
      { numRuns: Number(process.env.RUNS ?? 60), seed: 7 },
    );
    assert.ok(accepted > Number(process.env.RUNS ?? 60) / 8 && rejected > Number(process.env.RUNS ?? 60) / 8, `accepted ${accepted}, rejected ${rejected}`);
  });
});
