export { decodeForm, DEFAULT_FORM_LIMITS, type FormLimits } from './decode-form.js';
export { domainKey } from './domain-key.js';
export { javaPatternToRegExp } from './java-pattern.js';
export { formatTimestamp } from './output-writer.js';
export {
  NO_VERSION,
  parseQueryRequest,
  readQueryRequest,
  routeQueryRequest,
  type CheckedQueryRequest,
  type QueryRequest,
  type QueryRoute,
} from './parse-query-request.js';
export { encodePolicyDocument } from './policy-document.js';
export { requestIdFromBytes, requestIdGenerator } from './request-id.js';
export {
  errorResponse,
  serializeError,
  serializeResult,
  unknownOutputKeys,
  type ErrorResponse,
  type WireError,
} from './serialize-response.js';
export { escapeXmlText } from './xml-text.js';
