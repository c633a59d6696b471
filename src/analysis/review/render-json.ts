/**
 * The review as JSON (schema `gatehouse.access-review/v1`, docs/access-review.md), in pieces so
 * a review of thousands of principals is written without building one huge string. Parsing the
 * output gives back the review; the big arrays have one element per line.
 */
import type { AccessReview } from './review-types.js';

const STREAMED = new Set(['principals', 'resources', 'rows', 'findings']);

export function* renderJson(review: AccessReview, itemsPerChunk = 2000): Generator<string> {
  let first = true;
  for (const [key, value] of Object.entries(review)) {
    if (value === undefined) continue;
    const prefix = `${first ? '{' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!STREAMED.has(key) || !Array.isArray(value)) {
      yield prefix + JSON.stringify(value);
      continue;
    }
    let chunk = `${prefix}[`;
    for (let i = 0; i < value.length; i++) {
      chunk += `${i ? ',' : ''}\n${JSON.stringify(value[i])}`;
      if ((i + 1) % itemsPerChunk === 0) {
        yield chunk;
        chunk = '';
      }
    }
    yield `${chunk}${value.length ? '\n' : ''}]`;
  }
  yield first ? '{}\n' : '}\n';
}
