/**
 * The IAM and STS models (generated from botocore's service-2.json; see scripts/generate-models.ts)
 * and the API version that names each service on the wire.
 */
import { IAM_MODEL } from './generated/iam-model.js';
import { STS_MODEL } from './generated/sts-model.js';
import type { ServiceModelData, ServiceName } from './model-types.js';

export type * from './model-types.js';

export const SERVICE_MODELS: Readonly<Record<ServiceName, ServiceModelData>> = { iam: IAM_MODEL, sts: STS_MODEL };

export const SERVICE_NAMES: readonly ServiceName[] = ['iam', 'sts'];

const BY_VERSION: ReadonlyMap<string, ServiceName> = new Map(SERVICE_NAMES.map((s) => [SERVICE_MODELS[s].apiVersion, s]));

/** `2010-05-08` → iam, `2011-06-15` → sts; undefined for any other version. */
export function serviceForVersion(version: string): ServiceName | undefined {
  return BY_VERSION.get(version);
}

export function serviceModel(service: ServiceName): ServiceModelData {
  return SERVICE_MODELS[service];
}

/** The operation names of a service, in the model's (alphabetical) order. */
export function operationNames(service: ServiceName): string[] {
  return Object.keys(SERVICE_MODELS[service].operations);
}
