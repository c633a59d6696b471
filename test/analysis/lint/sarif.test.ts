/**
 * SARIF output checked against what the SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json)
 * requires of the objects we emit: sarifLog {version "2.1.0", runs}, run {tool}, tool {driver},
 * toolComponent {name}, reportingDescriptor {id}, multiformatMessageString {text}, result
 * {message with text or id}, levels from none/note/warning/error, region lines and columns >= 1,
 * ruleIndex pointing at the rule with the result's ruleId.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LINT_RULES, lintPolicy, ruleAnchor, toSarif, type LintFinding } from '../../../src/analysis/lint/index.js';

const LEVELS = new Set(['none', 'note', 'warning', 'error']);
type Obj = Record<string, unknown>;

function obj(v: unknown, what: string): Obj {
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), `${what} is an object`);
  return v as Obj;
}

function arr(v: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(v), `${what} is an array`);
  return v;
}

/** The structural requirements of the SARIF 2.1.0 schema for what toSarif emits. */
function assertValidSarif(log: unknown): void {
  const root = obj(log, 'log');
  assert.equal(root.version, '2.1.0');
  assert.equal(typeof root.$schema, 'string');
  const runs = arr(root.runs, 'runs');
  assert.equal(runs.length, 1);
  for (const r of runs) {
    const run = obj(r, 'run');
    if (run.columnKind !== undefined) assert.ok(['utf16CodeUnits', 'unicodeCodePoints'].includes(run.columnKind as string));
    const driver = obj(obj(run.tool, 'tool').driver, 'driver');
    assert.equal(typeof driver.name, 'string');
    const rules = arr(driver.rules, 'rules').map((x) => obj(x, 'rule'));
    const ids = new Set<string>();
    for (const rule of rules) {
      assert.equal(typeof rule.id, 'string');
      assert.ok(!ids.has(rule.id as string), `rule ${String(rule.id)} listed once`);
      ids.add(rule.id as string);
      assert.equal(typeof obj(rule.shortDescription, 'shortDescription').text, 'string');
      assert.ok(LEVELS.has(obj(rule.defaultConfiguration, 'defaultConfiguration').level as string));
      assert.equal(typeof rule.helpUri, 'string');
      if (rule.properties !== undefined) obj(rule.properties, 'properties');
    }
    for (const x of arr(run.results, 'results')) {
      const result = obj(x, 'result');
      const message = obj(result.message, 'message');
      assert.ok(typeof message.text === 'string' || typeof message.id === 'string', 'message has text or id');
      assert.ok(LEVELS.has(result.level as string), `level ${String(result.level)}`);
      assert.equal(typeof result.ruleId, 'string');
      assert.equal(typeof result.ruleIndex, 'number');
      assert.equal(rules[result.ruleIndex as number].id, result.ruleId, 'ruleIndex points at the rule');
      for (const l of arr(result.locations, 'locations')) {
        const physical = obj(obj(l, 'location').physicalLocation, 'physicalLocation');
        assert.equal(typeof obj(physical.artifactLocation, 'artifactLocation').uri, 'string');
        if (physical.region !== undefined) {
          const region = obj(physical.region, 'region');
          assert.ok(Number.isInteger(region.startLine) && (region.startLine as number) >= 1);
          if (region.startColumn !== undefined) assert.ok(Number.isInteger(region.startColumn) && (region.startColumn as number) >= 1);
        }
      }
      if (result.properties !== undefined) obj(result.properties, 'properties');
    }
  }
}

const TEXT = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObjekt", "iam:PassRole"], "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
  ]
}`;

describe('toSarif', () => {
  const findings = lintPolicy(TEXT, { kind: 'identity' });
  const log = toSarif([{ file: 'policies/app role.json', findings }, { file: 'clean.json', findings: [] }]) as Obj;

  test('is a SARIF 2.1.0 log with one run and the linter as its tool', () => {
    assertValidSarif(log);
    const driver = ((log.runs as Obj[])[0].tool as Obj).driver as Obj;
    assert.equal(driver.name, 'gatehouse-policy-lint');
  });

  test('lists every lint rule and validator check, with help pointing at its docs section', () => {
    const rules = (((log.runs as Obj[])[0].tool as Obj).driver as Obj).rules as Obj[];
    const ids = rules.map((r) => r.id);
    for (const r of LINT_RULES) assert.ok(ids.includes(r.id), r.id);
    assert.ok(ids.includes('SYN-JSON'));
    const refAction = rules.find((r) => r.id === 'REF-ACTION')!;
    assert.equal(refAction.helpUri, 'docs/lint-rules.md#ref-action');
    assert.deepEqual(refAction.defaultConfiguration, { level: 'error' });
    assert.equal(refAction.name, 'UnknownAction');
  });

  test('each finding is a result on its line, with level, JSON path and category', () => {
    const results = (log.runs as Obj[])[0].results as Obj[];
    assert.equal(results.length, findings.length);
    const byRule = (id: string): Obj => results.find((r) => r.ruleId === id)!;

    const unknown = byRule('REF-ACTION');
    assert.equal(unknown.level, 'error');
    assert.match((unknown.message as Obj).text as string, /s3:GetObjekt/);
    const loc = ((unknown.locations as Obj[])[0].physicalLocation as Obj);
    assert.deepEqual(loc.artifactLocation, { uri: 'policies/app%20role.json' });
    assert.deepEqual(loc.region, { startLine: 4, startColumn: TEXT.split('\n')[3].indexOf('"s3:GetObjekt"') + 1 });
    assert.equal((unknown.properties as Obj).path, '$.Statement[0].Action[0]');

    assert.equal(byRule('PAT-PRIVATE-IP').level, 'warning');
    // iam:PassRole on "*" is a security finding: SARIF has no such level, so it is an error.
    const security = results.find((r) => (r.properties as Obj).severity === 'security');
    assert.ok(security, 'a security finding');
    assert.equal(security.level, 'error');
  });

  test('maps every severity to its level', () => {
    const mk = (severity: LintFinding['severity'], id: string): LintFinding => ({ id, severity, path: '$', message: 'm', line: 1, column: 1, category: 'data-exfiltration' });
    const custom = toSarif([{ file: 'a.json', findings: [mk('error', 'X-ERR'), mk('security', 'X-SEC'), mk('warning', 'X-WARN'), mk('suggestion', 'X-SUG')] }], []) as Obj;
    assertValidSarif(custom);
    const results = (custom.runs as Obj[])[0].results as Obj[];
    assert.deepEqual(results.map((r) => r.level), ['error', 'error', 'warning', 'note']);
    assert.equal((results[0].properties as Obj).category, 'data-exfiltration');
    assert.equal(ruleAnchor('PAT-FORALLVALUES-EMPTY'), 'pat-forallvalues-empty');
  });

  test('findings without a position have no region; absolute paths become file URIs', () => {
    const out = toSarif([{ file: '/tmp/p.json', findings: [{ id: 'REF-ACTION', severity: 'error', path: '$', message: 'm' }] }]) as Obj;
    assertValidSarif(out);
    const physical = ((((out.runs as Obj[])[0].results as Obj[])[0].locations as Obj[])[0].physicalLocation as Obj);
    assert.deepEqual(physical, { artifactLocation: { uri: 'file:///tmp/p.json' } });
  });
});
