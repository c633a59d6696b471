import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { generateAccount } from '../../../bench/analysis/generate-account.js';
import { importAuthorizationDetails } from '../../../src/analysis/account/index.js';
import { validatePolicy } from '../../../src/core/policy/index.js';

const SMALL = { seed: 7, users: 60, roles: 40, groups: 8, policies: 200 };

describe('bench account generator', () => {
  test('the same options give the same document, another seed another one', () => {
    const a = JSON.stringify(generateAccount(SMALL).document);
    const b = JSON.stringify(generateAccount(SMALL).document);
    assert.equal(a, b);
    assert.notEqual(JSON.stringify(generateAccount({ ...SMALL, seed: 8 }).document), a);
  });

  test('imports without warnings, with the counts asked for', () => {
    const { document, counts } = generateAccount(SMALL);
    const { model, warnings } = importAuthorizationDetails(JSON.parse(JSON.stringify(document)));
    assert.deepEqual(warnings, []);
    assert.equal(model.users.length, 60);
    assert.equal(model.roles.length, 40);
    assert.equal(model.groups.length, 8);
    assert.equal(model.accountId, '123456789012');
    assert.equal(model.policies.size, counts.managedPolicies);
    assert.ok([...model.policies.values()].filter((p) => !p.awsManaged && !p.path.startsWith('/boundaries/')).length === 200);
    // Several versions, one default; boundaries and admins exist.
    assert.ok([...model.policies.values()].some((p) => p.versions.length > 1 && p.versions.filter((v) => v.isDefault).length === 1));
    assert.ok(model.users.some((u) => u.permissionsBoundary) || model.roles.some((r) => r.permissionsBoundary));
    assert.ok(model.groups.some((g) => g.attachedPolicies.includes('arn:aws:iam::aws:policy/AdministratorAccess')));
    assert.ok(counts.admins >= 2);
  });

  test('every policy document is valid for IAM (no validator errors)', () => {
    const { model } = importAuthorizationDetails(generateAccount(SMALL).document);
    const errors: string[] = [];
    for (const p of model.policies.values()) {
      for (const v of p.versions) {
        for (const f of validatePolicy(v.document, 'identity')) if (f.severity === 'error') errors.push(`${p.arn} ${v.versionId}: ${f.id} ${f.path} ${f.message}`);
      }
    }
    for (const r of model.roles) for (const f of validatePolicy(r.trustPolicy, 'trust')) if (f.severity === 'error') errors.push(`${r.arn} trust: ${f.id} ${f.path} ${f.message}`);
    for (const e of [...model.users, ...model.groups, ...model.roles]) {
      for (const i of e.inlinePolicies) for (const f of validatePolicy(i.document, 'identity')) if (f.severity === 'error') errors.push(`${e.arn}#${i.name}: ${f.id} ${f.path}`);
    }
    assert.deepEqual(errors.slice(0, 5), []);
  });
});
