/**
 * The review's shortcuts against the engine itself, on a generated account: every request the
 * engine allows is covered by a row, and what a row on a concrete resource lists, the engine allows.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { generateAccount } from '../../../bench/analysis/generate-account.js';
import { createRng } from '../../../bench/analysis/prng.js';
import { AccountIndex, importAuthorizationDetails } from '../../../src/analysis/account/index.js';
import { capabilitiesOfAction } from '../../../src/analysis/capabilities/index.js';
import { reviewAccount, type AccessRow } from '../../../src/analysis/review/index.js';
import { parseStatements } from '../../../src/analysis/review/review-statements.js';
import { getAction, resourceTypesForArn } from '../../../src/core/catalog/index.js';
import { compileGlob } from '../../../src/core/policy/glob.js';

const { model } = importAuthorizationDetails(generateAccount({ seed: 11, users: 80, roles: 50, groups: 8, policies: 300 }).document);
const index = new AccountIndex(model);
const review = reviewAccount(index, { now: new Date('2026-01-01T00:00:00Z'), escalation: false });
const rowsByPrincipal = new Map<string, AccessRow[]>();
for (const r of review.rows) {
  const list = rowsByPrincipal.get(r.principal);
  if (list) list.push(r);
  else rowsByPrincipal.set(r.principal, [r]);
}
const KEY_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${model.accountId}:root` }, Action: 'kms:*', Resource: '*' }] };

/** A concrete ARN of the right type for `action` on the row's resource (an object in a bucket...), if the catalog says how. */
function concrete(action: string, resource: string): string | undefined {
  const info = getAction(action);
  if (!info) return undefined;
  const wanted = new Set(info.resourceTypes.map((t) => t.name));
  const fits = (arn: string) => resourceTypesForArn(info.service, arn).some((t) => wanted.has(t.name));
  if (fits(resource)) return resource;
  for (const suffix of ['/some/key.txt', '/index/by-date']) if (fits(resource + suffix)) return resource + suffix;
  return undefined;
}

describe('the review agrees with the engine', () => {
  test('every request the engine allows on a known resource is covered by a row', () => {
    const rng = createRng(5);
    // Actions the account's policies name, on resources it names (objects inside buckets too).
    const actions = new Set<string>();
    const resources = new Set<string>(review.resources.map((r) => r.resource));
    for (const p of model.policies.values()) {
      for (const s of parseStatements(p.defaultDocument, p.arn)) {
        if (s.actions.list.length < 200) for (const a of s.actions.list) actions.add(a);
      }
    }
    for (const r of [...resources]) if (r.startsWith('arn:aws:s3:::')) resources.add(`${r}/some/key.txt`);
    const actionList = [...actions].sort();
    const resourceList = [...resources].sort();
    const principals = index.principals();
    let allowedSeen = 0;
    const byService = new Map<string, string[]>();
    for (const r of resourceList) {
      const service = r.split(':')[2];
      const list = byService.get(service);
      if (list) list.push(r);
      else byService.set(service, [r]);
    }
    const ownActions = new Map(principals.map((p) => {
      const owners = p.kind === 'user' ? [p, ...index.groupsOf(p)] : [p];
      const docs = owners.flatMap((o) => [...o.inlinePolicies.map((i) => i.document), ...o.attachedPolicies.map((a) => model.policies.get(a)?.defaultDocument)]);
      return [p.arn, [...new Set(docs.flatMap((d) => parseStatements(d, 'x').filter((s) => s.allow && s.actions.list.length < 200).flatMap((s) => [...s.actions.list])))]];
    }));
    for (let i = 0; i < 6000; i++) {
      const p = principals[rng.int(0, principals.length - 1)];
      // Half the questions are about actions the principal's own statements name, on resources of their service.
      const own = ownActions.get(p.arn) ?? [];
      const targeted = own.length > 0 && rng.chance(0.5);
      const action = targeted ? own[rng.int(0, own.length - 1)] : actionList[rng.int(0, actionList.length - 1)];
      const pool = targeted ? (byService.get(action.startsWith('sts:') ? 'iam' : action.split(':')[0]) ?? resourceList) : resourceList;
      const picked = pool[rng.int(0, pool.length - 1)];
      const resource = rng.chance(0.5) ? picked : (concrete(action, picked) ?? '*');
      const options = /^kms:/.test(action) && /:key\//.test(resource) ? { resourcePolicy: KEY_POLICY } : {};
      const d = index.decide(p, action, resource, options);
      // Actions with no capability (service-internal ones such as dynamodb:WriteDataForReplication) have no rows.
      const caps = capabilitiesOfAction(action);
      if (d.access === 'denied' || caps.length === 0) continue;
      allowedSeen++;
      const service = action.slice(0, action.indexOf(':'));
      const folded = resource.replace(/^(arn:aws:s3:::[^/]+)\/.*$/, '$1');
      const covered = (rowsByPrincipal.get(p.arn) ?? []).some(
        (row) =>
          caps.includes(row.capability) &&
          row.service === service &&
          (row.resourceKind === 'service' || row.resource === folded || (row.resourceKind === 'pattern' && (compileGlob(row.resource)(resource) || compileGlob(row.resource)(folded)))),
      );
      assert.ok(covered, `${p.arn} ${action} ${resource} is ${d.access} but no row covers it`);
    }
    assert.ok(allowedSeen > 1000, `enough allowed samples (${allowedSeen})`);
  });

  test('the actions of rows on concrete resources are allowed by the engine', () => {
    let checked = 0;
    for (const row of review.rows) {
      if ((row.resourceKind !== 'named' && row.resourceKind !== 'entity') || row.actionCount > row.actions.length) continue;
      const p = index.principals().find((x) => x.arn === row.principal);
      assert.ok(p);
      for (const action of row.actions) {
        const resource = concrete(action, row.resource);
        if (!resource) continue;
        const options = row.service === 'kms' ? { resourcePolicy: KEY_POLICY } : {};
        const d = index.decide(p, action, resource, options);
        assert.notEqual(d.access, 'denied', `${row.principal} ${action} ${resource}`);
        if (row.access === 'allowed') assert.equal(d.access, 'allowed', `${row.principal} ${action} ${resource}`);
        checked++;
      }
    }
    assert.ok(checked > 500, `checked ${checked}`);
  });
});
