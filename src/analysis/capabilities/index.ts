/** Capabilities and intent-based policies: public API of `src/analysis/capabilities`. */
export { CAPABILITIES, CAPABILITY_NAMES, capabilityPascalCase, isCapability, type Capability, type CapabilityInfo } from './capability.js';
export { deriveCapabilities, type Derivation } from './derive-capabilities.js';
export {
  CAPABILITY_OVERRIDES,
  type CapabilityHint,
  type CapabilityOverride,
  type CompanionActions,
  type ResourceTypeExtension,
  type ServiceOverrides,
} from './overrides.js';
export {
  capabilitiesOfAction,
  capabilityCoverage,
  explainCapabilities,
  type CapabilityExplanation,
  type ServiceCoverage,
} from './capabilities-of-action.js';
export {
  actionsForCapability,
  capabilityGrants,
  type CapabilityError,
  type CapabilityErrorCode,
  type CapabilityGrants,
  type Grant,
  type GrantOptions,
} from './capability-grants.js';
export { resolveResource, type MatchedType, type ResolvedResource, type ResourceError } from './resolve-resource.js';
export {
  compressActions,
  generatePolicy,
  type GenerateError,
  type GenerateOptions,
  type GeneratedPolicy,
  type PolicyRequest,
} from './generate-policy.js';
