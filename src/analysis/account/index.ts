export * from './account-model.js';
export { importAuthorizationDetails, parsePolicyDocument, type ImportOptions, type ImportResult } from './import-authorization-details.js';
export { AccountIndex, ANALYSIS_SESSION_NAME, boundDocument, type Access, type AccessDecision, type DecideOptions } from './account-index.js';
