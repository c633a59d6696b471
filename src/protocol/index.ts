export * from './aws-query/index.js';
export {
  operationNames,
  serviceForVersion,
  serviceModel,
  SERVICE_MODELS,
  SERVICE_NAMES,
  type ServiceModelData,
  type ServiceName,
  type ServiceName as QueryService,
} from './models/index.js';
