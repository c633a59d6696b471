import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getAction } from '../../../src/core/catalog/index.js';
import { ESCALATION_METHODS, escalationMethod } from '../../../src/analysis/escalation/methods.js';

describe('escalation method catalogue', () => {
  it('names every required action in canonical case, except those marked as missing from the catalog', () => {
    for (const m of ESCALATION_METHODS) {
      for (const action of m.requires) {
        const info = getAction(action);
        if (m.notInCatalog?.includes(action)) {
          assert.equal(info, undefined, `${m.id}: ${action} is marked notInCatalog but the catalog has it`);
          continue;
        }
        assert.ok(info, `${m.id}: ${action} is not in the catalog`);
        assert.equal(info.action, action, `${m.id}: ${action} is not in canonical case`);
      }
    }
  });

  it('has unique ids and covers the 28 Rhino methods', () => {
    const ids = ESCALATION_METHODS.map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length);
    const rhino = new Set(ESCALATION_METHODS.flatMap((m) => (m.rhino ? [m.rhino] : [])));
    for (let n = 1; n <= 28; n++) assert.ok(rhino.has(n), `Rhino method ${n} is missing`);
  });

  it('covers the pathfinding.cloud paths of the reference', () => {
    const expected = [
      'apprunner-001', 'apprunner-002', 'bedrock-001', 'bedrock-002',
      'cloudformation-001', 'cloudformation-002', 'cloudformation-003', 'cloudformation-004', 'cloudformation-005',
      'codebuild-001', 'codebuild-002', 'codebuild-003', 'codebuild-004', 'datapipeline-001',
      'ec2-001', 'ec2-002', 'ec2-003', 'ec2-004', 'ec2instanceconnect-003',
      'ecs-001', 'ecs-002', 'ecs-003', 'ecs-004', 'ecs-005', 'ecs-006',
      'glue-001', 'glue-002', 'glue-003', 'glue-004', 'glue-005', 'glue-006',
      ...Array.from({ length: 21 }, (_, i) => `iam-${String(i + 1).padStart(3, '0')}`),
      'lambda-001', 'lambda-002', 'lambda-003', 'lambda-004', 'lambda-005', 'lambda-006',
      'sagemaker-001', 'sagemaker-002', 'sagemaker-003', 'sagemaker-004', 'sagemaker-005',
      'ssm-001', 'ssm-002', 'sts-001',
    ];
    for (const id of expected) {
      const m = escalationMethod(id);
      assert.ok(m, `${id} is missing`);
      assert.equal(m.pathfinding, id);
    }
  });

  it('gives every new-passrole method that passes a role the service principal to look for', () => {
    for (const m of ESCALATION_METHODS.filter((x) => x.requires.includes('iam:PassRole'))) {
      assert.match(m.service ?? '', /\.amazonaws\.com$/, `${m.id} has no service principal`);
    }
  });
});
