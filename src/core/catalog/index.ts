/** The AWS action catalog: services, actions, resource types and condition keys. */
export {
  actionsOfService,
  catalogSource,
  expandActionPattern,
  expandActionPatterns,
  getAction,
  getService,
  listActionNames,
  listServices,
  serviceExists,
  type ExpandOptions,
} from './action-catalog.js';
export { getConditionKey, isGlobalConditionKey, listGlobalConditionKeys } from './condition-key-catalog.js';
export { getResourceType, resourceTypesForArn, resourceTypesOfService } from './resource-type-catalog.js';
export { OPERATIONS_WITHOUT_CATALOG_ACTION, operationToAction, type ApiService } from './operation-action.js';
export { globToRegExp, hasWildcard } from '../policy/glob.js';
export {
  ACCESS_LEVELS,
  CONDITION_KEY_TYPES,
  type AccessLevel,
  type ActionInfo,
  type ActionResourceType,
  type ConditionKeyInfo,
  type ConditionKeyType,
  type ResourceTypeInfo,
  type ServiceInfo,
} from './catalog-types.js';
