import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constraint, validationError, validationMessage, violation } from '../../../src/core/errors/index.js';

describe('validation messages', () => {
  test('one violation, in AWS wording', () => {
    const v = violation('userName', { text: 'bad name' }, constraint.pattern('[\\w+=,.@-]+'));
    assert.equal(
      validationMessage([v]),
      "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
  });

  test('several violations are counted and joined with "; "', () => {
    const msg = validationMessage([
      violation('roleName', null, constraint.notNull()),
      violation('policyName', { text: '' }, constraint.minLength(1)),
    ]);
    assert.equal(
      msg,
      "2 validation errors detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null; " +
        "Value '' at 'policyName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  test('constraint wordings', () => {
    assert.equal(constraint.notNull(), 'Member must not be null');
    assert.equal(constraint.maxLength(64), 'Member must have length less than or equal to 64');
    assert.equal(constraint.minLength(1), 'Member must have length greater than or equal to 1');
    assert.equal(constraint.enumValues(['Active', 'Inactive']), 'Member must satisfy enum value set: [Active, Inactive]');
    assert.equal(constraint.maxValue(43200), 'Member must have value less than or equal to 43200');
    assert.equal(constraint.minValue(900), 'Member must have value greater than or equal to 900');
  });

  test('secrets are not quoted', () => {
    assert.equal(
      violation('password', 'hidden', constraint.minLength(1)),
      "Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  test('validationError is a 400 Sender ValidationError', () => {
    const e = validationError([violation('maxItems', { text: '0' }, constraint.minValue(1))]);
    assert.deepEqual([e.code, e.httpStatus, e.senderFault], ['ValidationError', 400, true]);
    assert.match(e.message, /^1 validation error detected: Value '0' at 'maxItems'/);
  });
});
