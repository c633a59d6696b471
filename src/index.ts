/**
 * Gatehouse as a library: embed a region's replica in a Node service and authorize the SigV4
 * requests it receives (`createAuthorizer`), or use the policy engine directly.
 */
export { createAuthorizer, type Authorizer, type CreateAuthorizerOptions } from './data-plane/create-authorizer.js';
export type { AuthorizeInput, AuthorizeResult } from './data-plane/authorize.js';
export { accessDeniedMessage, compilePolicy, evaluate, validatePolicy, type AuthzRequest, type Decision, type PolicySets } from './core/policy/index.js';
