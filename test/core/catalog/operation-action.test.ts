import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  getAction,
  OPERATIONS_WITHOUT_CATALOG_ACTION,
  operationToAction,
  type ApiService,
} from '../../../src/core/catalog/index.js';

// Operation names of the botocore IAM and STS models (see test/fixtures/catalog/README.md).
const operations = JSON.parse(
  readFileSync(new URL('../../fixtures/catalog/api-operations.json', import.meta.url), 'utf8'),
) as Record<ApiService, string[]>;

describe('operationToAction', () => {
  test('the fixture has every model operation', () => {
    assert.equal(operations.iam.length, 176);
    assert.equal(operations.sts.length, 11);
  });

  for (const service of ['iam', 'sts'] as const) {
    test(`every ${service.toUpperCase()} operation maps to its same-named action`, () => {
      const withoutAction: string[] = [];
      for (const operation of operations[service]) {
        const action = operationToAction(service, operation);
        assert.equal(action, `${service}:${operation}`, operation);
        if (!getAction(action)) withoutAction.push(operation);
      }
      // The only exceptions are the documented ones; a new one must be looked at, not mapped blindly.
      assert.deepEqual(withoutAction, Object.keys(OPERATIONS_WITHOUT_CATALOG_ACTION[service]));
    });
  }

  test('known exceptions', () => {
    assert.deepEqual(Object.keys(OPERATIONS_WITHOUT_CATALOG_ACTION.iam), ['UpdateDelegationRequest']);
    assert.deepEqual(Object.keys(OPERATIONS_WITHOUT_CATALOG_ACTION.sts), []);
  });

  test('examples; operation names are case-sensitive', () => {
    assert.equal(operationToAction('iam', 'CreateUser'), 'iam:CreateUser');
    assert.equal(operationToAction('sts', 'AssumeRoleWithWebIdentity'), 'sts:AssumeRoleWithWebIdentity');
    assert.equal(operationToAction('sts', 'GetCallerIdentity'), 'sts:GetCallerIdentity');
    assert.equal(operationToAction('iam', 'createuser'), undefined);
    assert.equal(operationToAction('iam', 'NoSuchOperation'), undefined);
    assert.equal(operationToAction('iam', 'constructor'), undefined);
    assert.equal(operationToAction('iam', '__proto__'), undefined);
    assert.equal(operationToAction('sts', 'CreateUser'), undefined);
  });
});
