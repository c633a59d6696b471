/**
 * The review's rows as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, a
 * quote or a line break, quotes doubled), one line per principal × resource × capability.
 *
 * Names and ARNs come from the audited account: a cell that a spreadsheet would run as a formula
 * (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'` (OWASP's
 * CSV injection advice), so opening the file never evaluates anything.
 */
import type { AccessReview, AccessRow } from './review-types.js';

export const CSV_COLUMNS = ['principal', 'principal_kind', 'resource', 'resource_kind', 'resource_type', 'service', 'capability', 'access', 'action_count', 'actions', 'via'] as const;

/** One CSV field, neutralized and quoted as needed. */
export function csvField(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(fields: readonly (string | number)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

function rowFields(r: AccessRow): (string | number)[] {
  return [
    r.principal,
    r.principalKind,
    r.resource,
    r.resourceKind,
    r.resourceType,
    r.service,
    r.capability,
    r.access,
    r.actionCount,
    r.actions.join(' ') + (r.actionCount > r.actions.length ? ' …' : ''),
    r.via.map((v) => `${v.policyId}[${v.statementIndex}]`).join(' '),
  ];
}

/** The CSV text in pieces (a header, then a few thousand rows per piece), for streaming. */
export function* renderCsv(review: AccessReview, rowsPerChunk = 2000): Generator<string> {
  yield csvLine(CSV_COLUMNS);
  let chunk = '';
  let n = 0;
  for (const r of review.rows) {
    chunk += csvLine(rowFields(r));
    if (++n === rowsPerChunk) {
      yield chunk;
      chunk = '';
      n = 0;
    }
  }
  if (chunk) yield chunk;
}
