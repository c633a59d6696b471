/** Usage-based analysis: last accessed, unused access, and policies generated from use. */
export { canonicalAction, parseUsageRecords, usageSince, type UsageRecord, type UsageStatementRef, type UsageWarning } from './usage-record.js';
export { groupUsageByPrincipal, resolveUsagePrincipal, type UsageByPrincipal } from './usage-principal.js';
export { holdersOf, principalPolicies, type PrincipalPolicy } from './principal-policies.js';
export { decideIdentity, grantedActions, type GrantedAccess } from './granted-actions.js';
export { lastAccessed, ownUsage, type ActionLastAccessed, type LastAccessedInput, type LastAccessedReport, type ServiceLastAccessed } from './last-accessed.js';
export { findUnused, type UnusedFinding, type UnusedFindingId, type UnusedInput, type UnusedReport } from './unused.js';
export { generalizeResources, globCovers, type GeneralizeOptions } from './resource-patterns.js';
export {
  MANAGED_POLICY_MAX_SIZE,
  oneOrMany,
  policyFromUsage,
  type GeneratedPolicyDocument,
  type GeneratedStatement,
  type GeneratedStatementInfo,
  type PolicyFromUsage,
  type PolicyFromUsageOptions,
} from './policy-from-usage.js';
