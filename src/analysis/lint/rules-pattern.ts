/**
 * Pattern checks: conditions that AWS accepts but that do not do what their author meant (MFA
 * tests that let long-term keys through, set operators on the wrong kind of key, wildcards in
 * exact-match operators, private addresses in aws:SourceIp).
 */
import { getConditionKey } from '../../core/catalog/index.js';
import { parseCidr, type Cidr } from '../../core/policy/ip.js';
import { parseConditionOperator } from '../../core/policy/validate-values.js';
import type { LintRule } from './lint-types.js';
import { conditionPath, conditionUses, quote } from './statement-helpers.js';

const ALL_KINDS = ['identity', 'resource', 'trust', 'boundary', 'scp', 'session'] as const;

const MFA_KEY = 'aws:multifactorauthpresent';

export const PAT_MFA: LintRule = {
  id: 'PAT-MFA',
  severity: 'warning',
  title: 'MFA condition that does not enforce MFA',
  kinds: ALL_KINDS,
  check(ctx) {
    for (const use of conditionUses(ctx.statements)) {
      if (use.key.toLowerCase() !== MFA_KEY) continue;
      const op = parseConditionOperator(use.operator);
      if (!op || op.qualifier) continue;
      const values = new Set(use.values.map((v) => v.toLowerCase()));
      if (values.size !== 1) continue;
      const value = [...values][0];
      const effect = use.stmt.effect;
      let message: string | undefined;
      // AWS-COMPAT: requests signed with long-term access keys carry no aws:MultiFactorAuthPresent at all.
      if (op.base === 'Bool' && !op.ifExists && effect === 'Deny' && value === 'false') {
        message = 'This Deny does not apply to requests signed with long-term access keys, which carry no aws:MultiFactorAuthPresent. Use "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"} to deny every request made without MFA.';
      } else if (op.base === 'Bool' && op.ifExists && effect === 'Allow' && value === 'true') {
        message = 'BoolIfExists also matches requests that carry no aws:MultiFactorAuthPresent, such as those signed with long-term access keys, so this Allow does not require MFA. Use "Bool": {"aws:MultiFactorAuthPresent": "true"}.';
      } else if (op.base === 'Bool' && effect === 'Deny' && value === 'true') {
        message = 'This Deny applies to requests made with MFA, and lets requests without MFA through: the test looks inverted. To deny requests made without MFA use "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}.';
      } else if (op.base === 'Null' && effect === 'Deny' && value === 'true') {
        message = 'Null is true only when the key is absent (long-term access keys); temporary credentials obtained without MFA carry the key as "false" and are not denied. Use "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}.';
      } else if (op.base === 'Null' && effect === 'Allow' && value === 'false') {
        message = 'Null false only tests that the key is present, which every request with temporary credentials satisfies, with or without MFA. Use "Bool": {"aws:MultiFactorAuthPresent": "true"}.';
      }
      if (message) ctx.report({ id: 'PAT-MFA', severity: 'warning', path: use.path, message });
    }
  },
};

function isArrayType(t: string): boolean {
  return t.startsWith('ArrayOf');
}

export const PAT_SET_OPERATOR: LintRule = {
  id: 'PAT-SET-OPERATOR',
  severity: 'warning',
  title: 'Set operator on a single-valued key, or none on a multivalued key',
  kinds: ALL_KINDS,
  check(ctx) {
    for (const use of conditionUses(ctx.statements)) {
      const op = parseConditionOperator(use.operator);
      if (!op || op.base === 'Null') continue; // Null with a qualifier is the validator's PAT-NULL-IFEXISTS
      const info = getConditionKey(use.key);
      if (!info || info.types.length === 0) continue;
      // Keys that services document with both kinds of type are left alone.
      const multi = info.types.every(isArrayType);
      const single = info.types.every((t) => !isArrayType(t));
      if (op.qualifier && single) {
        const message =
          op.qualifier === 'ForAllValues'
            ? `${quote(use.key)} is single-valued. ForAllValues is also true when the key is absent from the request, so ${use.stmt.effect === 'Allow' ? 'this Allow grants more than it seems to' : 'the condition matches more requests than it seems to'}. Drop the ForAllValues: qualifier.`
            : `${quote(use.key)} is single-valued: ForAnyValue adds nothing and hides that. Drop the ForAnyValue: qualifier.`;
        ctx.report({ id: 'PAT-SET-OPERATOR', severity: 'warning', path: use.path, message });
      } else if (!op.qualifier && multi) {
        ctx.report({
          id: 'PAT-SET-OPERATOR',
          severity: 'warning',
          path: use.path,
          message: `${quote(use.key)} is multivalued (${info.types.join('/')}): say how its values are compared with ForAnyValue:${op.base} (at least one value matches) or ForAllValues:${op.base} (every value matches).`,
        });
      }
    }
  },
};

export const PAT_FORALLVALUES_EMPTY: LintRule = {
  id: 'PAT-FORALLVALUES-EMPTY',
  severity: 'warning',
  title: 'ForAllValues, ForAnyValue or IfExists with an empty list of values',
  kinds: ALL_KINDS,
  check(ctx) {
    for (const use of conditionUses(ctx.statements)) {
      if (use.values.length !== 0) continue;
      const op = parseConditionOperator(use.operator);
      if (!op || op.base === 'Null' || (!op.qualifier && !op.ifExists)) continue;
      const why =
        op.qualifier === 'ForAllValues'
          ? 'ForAllValues with no values is true only when the request carries no value for the key, the opposite of a restriction'
          : op.qualifier === 'ForAnyValue'
            ? 'ForAnyValue with no values never matches'
            : `${op.base}IfExists with no values matches only requests without the key`;
      ctx.report({ id: 'PAT-FORALLVALUES-EMPTY', severity: 'warning', path: use.path, message: `${quote(use.key)} has an empty list of values: ${why}. List the values, or remove the key.` });
    }
  },
};

const EXACT_STRING = new Set(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase']);
const EXACT_ARN = new Set(['ArnEquals', 'ArnNotEquals']);

/** `*` or `?` outside policy variables (`${aws:username}`, `${*}`). */
function hasLiteralWildcard(value: string): boolean {
  const text = value.includes('${') ? value.replace(/\$\{[^}]*\}/g, '') : value;
  return text.includes('*') || text.includes('?');
}

export const PAT_WILDCARD_NO_LIKE: LintRule = {
  id: 'PAT-WILDCARD-NO-LIKE',
  severity: 'warning',
  title: 'Wildcard in an exact-match condition operator',
  kinds: ALL_KINDS,
  check(ctx) {
    for (const use of conditionUses(ctx.statements)) {
      const op = parseConditionOperator(use.operator);
      if (!op || (!EXACT_STRING.has(op.base) && !EXACT_ARN.has(op.base))) continue;
      for (let i = 0; i < use.values.length; i++) {
        const value = use.values[i];
        if (!hasLiteralWildcard(value)) continue;
        const path = conditionPath(use.stmt, use.operator, use.key, i);
        if (EXACT_STRING.has(op.base)) {
          const like = op.base.includes('Not') ? 'StringNotLike' : 'StringLike';
          ctx.report({
            id: 'PAT-WILDCARD-NO-LIKE',
            severity: 'warning',
            path,
            message: `${op.base} compares text exactly: the * or ? in ${quote(value)} is not a wildcard, so only that literal text matches. Use ${like} to match a pattern.`,
          });
        } else {
          // AWS-COMPAT: ArnEquals honours wildcards exactly like ArnLike; only readability is at stake.
          ctx.report({
            id: 'PAT-WILDCARD-NO-LIKE',
            severity: 'suggestion',
            path,
            message: `${op.base} matches the wildcards in ${quote(value)} just as ${op.base.replace('Equals', 'Like')} does; write ${op.base.replace('Equals', 'Like')} so readers see a pattern.`,
          });
        }
      }
    }
  },
};

const PRIVATE_RANGES: readonly { cidr: Cidr; name: string }[] = [
  ['10.0.0.0/8', 'private (RFC 1918)'],
  ['172.16.0.0/12', 'private (RFC 1918)'],
  ['192.168.0.0/16', 'private (RFC 1918)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['fc00::/7', 'unique local (private IPv6)'],
  ['fe80::/10', 'link-local'],
  ['::1/128', 'loopback'],
].map(([c, name]) => ({ cidr: parseCidr(c)!, name }));

/** The private range that wholly contains `value`, if any. */
function privateRange(value: string): string | undefined {
  const cidr = parseCidr(value);
  if (!cidr) return undefined;
  for (const p of PRIVATE_RANGES) {
    let inside = true;
    for (let w = 0; w < 4 && inside; w++) {
      // `value` is at least as narrow as the range, and starts inside it.
      if (((cidr.masks[w] & p.cidr.masks[w]) >>> 0) !== p.cidr.masks[w]) inside = false;
      else if (((cidr.words[w] & p.cidr.masks[w]) >>> 0) !== p.cidr.words[w]) inside = false;
    }
    if (inside) return p.name;
  }
  return undefined;
}

export const PAT_PRIVATE_IP: LintRule = {
  id: 'PAT-PRIVATE-IP',
  severity: 'warning',
  title: 'aws:SourceIp compared with a private address range',
  kinds: ALL_KINDS,
  check(ctx) {
    for (const use of conditionUses(ctx.statements)) {
      if (use.key.toLowerCase() !== 'aws:sourceip') continue;
      const op = parseConditionOperator(use.operator);
      if (!op || op.type !== 'ip') continue;
      for (let i = 0; i < use.values.length; i++) {
        const range = privateRange(use.values[i]);
        if (!range) continue;
        const effect = op.base === 'IpAddress' ? 'never matches' : 'always matches';
        ctx.report({
          id: 'PAT-PRIVATE-IP',
          severity: 'warning',
          path: conditionPath(use.stmt, use.operator, use.key, i),
          message: `${quote(use.values[i])} is a ${range} range, but aws:SourceIp holds the public address a request comes from (requests through a VPC endpoint carry aws:VpcSourceIp instead), so this ${op.base} test ${effect} for it. Compare private addresses with aws:VpcSourceIp.`,
        });
      }
    }
  },
};

export const PATTERN_RULES: readonly LintRule[] = [PAT_MFA, PAT_SET_OPERATOR, PAT_FORALLVALUES_EMPTY, PAT_WILDCARD_NO_LIKE, PAT_PRIVATE_IP];
