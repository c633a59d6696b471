/** The access review: who can do what to which resource, and its JSON, CSV and HTML renderings. */
export { reviewAccount } from './access-review.js';
export { renderJson } from './render-json.js';
export { CSV_COLUMNS, csvField, renderCsv } from './render-csv.js';
export { escapeHtml, renderHtml, scriptSafeJson } from './render-html.js';
export { escalationForReview, summarizePath } from './review-escalation.js';
export * from './review-types.js';
