/**
 * The access review as one self-contained HTML file: no external assets (a Content Security
 * Policy forbids fetching any), inline style and script, tables a reviewer can filter by
 * principal, resource, capability and access and sort by any column, the per-principal summary,
 * the findings, and the picture of the escalation paths.
 *
 * Everything from the account (names, ARNs, tags, policy ids) is untrusted: text placed in the
 * markup is HTML-escaped, and the tables' data travels as JSON in a `<script
 * type="application/json">` block with `<`, `>`, `&` and the JavaScript line separators escaped,
 * so nothing in it can close the block; the script then only sets `textContent`.
 */
import { CAPABILITY_NAMES } from '../capabilities/capability.js';
import { principalName } from '../escalation/index.js';
import { escalationPicture } from './escalation-picture.js';
import { REPORT_SCRIPT, REPORT_STYLE } from './html-report-assets.js';
import type { AccessReview, ResourceKind } from './review-types.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a `<script>` block whatever the strings hold. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const KIND_CODE: Record<ResourceKind, number> = { entity: 0, named: 1, pattern: 2, service: 3 };

/** The report's data: strings interned once, rows as small arrays (a review has hundreds of thousands). */
function reportData(review: AccessReview) {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const s = (text: string): number => {
    let id = ids.get(text);
    if (id === undefined) {
      id = strings.length;
      strings.push(text);
      ids.set(text, id);
    }
    return id;
  };
  const capIndex = new Map(CAPABILITY_NAMES.map((c, i) => [c, i]));
  const rows = review.rows.map((r) => [
    s(r.principal),
    s(r.resource),
    KIND_CODE[r.resourceKind],
    s(r.resourceType),
    s(r.service),
    capIndex.get(r.capability) ?? 0,
    r.access === 'allowed' ? 0 : 1,
    r.actionCount,
    s(r.actions.join(' ')),
    s(r.via.map((v) => `${v.policyId}[${v.statementIndex}]`).join(' ')),
  ]);
  const principals = review.principals.map((p) => [
    s(p.principal),
    p.principalKind,
    p.name,
    p.rows,
    p.resources,
    p.capabilityCount,
    p.admin ? 1 : 0,
    p.administersKnownResources,
    p.escalation ? p.escalation.steps.map((st) => `→ ${principalName(st.to)} (${st.description})`).join(' ') : '',
  ]);
  const findings = review.findings.map((f) => [f.id, f.severity, s(f.subject), f.message, f.capability ?? '']);
  const resources = review.resources.map((r) => [s(r.resource), r.resourceKind, s(r.resourceType), r.principals, r.nonAdminPrincipals, ...CAPABILITY_NAMES.map((c) => r.byCapability[c])]);
  return { capabilities: CAPABILITY_NAMES, findingIds: [...new Set(review.findings.map((f) => f.id))].sort(), strings, rows, principals, findings, resources };
}

function count(label: string, value: number | string): string {
  return `<div><b>${escapeHtml(String(value))}</b>${escapeHtml(label)}</div>`;
}

/** The HTML document in pieces (the data block is the big one). */
export function* renderHtml(review: AccessReview): Generator<string> {
  const account = review.account.accountId || 'unknown account';
  const title = `Access review of ${account}`;
  const c = review.counts;
  yield `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gatehouse access-review (${escapeHtml(review.schema)})">
<title>${escapeHtml(title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Generated ${escapeHtml(review.generatedAt)} · partition ${escapeHtml(review.account.partition)}${review.principalFilter ? ` · principal ${escapeHtml(review.principalFilter)} only` : ''}</p>
<div class="counts">${count('principals', c.principals)}${count('administrators', c.admins)}${count('paths to admin', review.escalationEvaluated ? c.escalationPaths : 'not evaluated')}${count('access rows', c.rows)}${count('known resources', c.resources)}${count('findings', c.findings)}</div>
<nav><a href="#findings">Findings</a><a href="#escalation">Escalation</a><a href="#principals">Principals</a><a href="#access">Who can do what</a><a href="#resources">Resources</a></nav>
</header>
<noscript><p>The tables of this report need JavaScript; the JSON and CSV formats of <code>gatehouse access-review</code> hold the same data.</p></noscript>
`;
  if (review.warnings.length) {
    yield `<section id="warnings"><h2>Warnings</h2><ul>${review.warnings.map((w) => `<li><code>${escapeHtml(w.subject)}</code>: ${escapeHtml(w.message)}</li>`).join('')}</ul></section>\n`;
  }
  yield `<section id="findings"><h2>Findings</h2><p class="meta">OVR-ADMIN: administrators. PE-PATH: principals that can become one. OVR-THRESHOLD: resources more than ${review.thresholds.principalsPerResource} non-admin principals can read, write, delete or administer; principals that can administer more than ${review.thresholds.resourcesPerPrincipal} resources.</p><div id="findings-table"></div></section>\n`;
  yield `<section id="escalation"><h2>Privilege escalation</h2>${
    review.escalationEvaluated
      ? `<div class="picture">${escalationPicture(review)}</div>`
      : '<p class="empty">The escalation graph was not evaluated for this review.</p>'
  }</section>\n`;
  yield `<section id="principals"><h2>Principals</h2><p class="meta">Select a name to see its access below.</p><div id="principals-table"></div></section>\n`;
  yield `<section id="access"><h2>Who can do what</h2><p class="meta">One row per principal × resource × capability. Kind <i>pattern</i>: a wildcard resource as a policy names it; <i>service</i>: every resource of the service. <i>conditional</i>: only for requests that meet a condition (source IP, MFA...).</p><div id="rows-table"></div></section>\n`;
  yield `<section id="resources"><h2>Resources</h2><p class="meta">The account's IAM entities and the resources its policies name, with the principals that reach each (through their own rows, patterns and <code>*</code>).</p><div id="resources-table"></div></section>\n`;
  yield `<script type="application/json" id="review-data">${scriptSafeJson(reportData(review))}</script>\n`;
  yield `<script>${REPORT_SCRIPT}</script>\n</body>\n</html>\n`;
}
