/** Public types of the action catalog (actions, resource types and condition keys of every AWS service). */

/** The access levels of the Service Authorization Reference. */
export const ACCESS_LEVELS = ['List', 'Read', 'Write', 'Permissions management', 'Tagging'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/**
 * Condition key types as the Service Authorization Reference writes them. The generator fails on
 * any other value, so a new type in the data is noticed instead of slipping through untyped.
 */
export const CONDITION_KEY_TYPES = [
  'String',
  'ARN',
  'Bool',
  'Numeric',
  'Date',
  'IPAddress',
  'Binary',
  'ArrayOfString',
  'ArrayOfARN',
  'ArrayOfBool',
  'ArrayOfNumeric',
  'ArrayOfDate',
  'ArrayOfIPAddress',
  'ArrayOfBinary',
] as const;
export type ConditionKeyType = (typeof CONDITION_KEY_TYPES)[number];

export interface ServiceInfo {
  /** Service prefix used in actions and ARNs, e.g. `s3`. */
  readonly key: string;
  /** Display name, e.g. `Amazon S3`. */
  readonly name: string;
}

/** One row of an action's resource table. */
export interface ActionResourceType {
  /** Resource type name within the action's service, e.g. `object`. */
  readonly name: string;
  /** True when the action always needs a resource of this type (the `*` in the reference). */
  readonly required: boolean;
  /** Condition keys that apply only when the request targets this resource type. */
  readonly conditionKeys: readonly string[];
}

export interface ActionInfo {
  /** Service prefix, e.g. `s3`. */
  readonly service: string;
  /** Action name in its canonical case, e.g. `GetObject`. */
  readonly name: string;
  /** `service:Name`, e.g. `s3:GetObject`. */
  readonly action: string;
  /** One or more levels: the reference now gives combined levels such as `Permissions management, Write`. */
  readonly accessLevels: readonly AccessLevel[];
  /** Empty when the action only supports `"Resource": "*"`. */
  readonly resourceTypes: readonly ActionResourceType[];
  /** Condition keys the action supports whatever the resource. */
  readonly conditionKeys: readonly string[];
}

export interface ResourceTypeInfo {
  readonly service: string;
  /** Name in its canonical case, e.g. `object` or `code signing config`. */
  readonly name: string;
  /** ARN formats with `${Placeholder}` variables, e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`. */
  readonly arnFormats: readonly string[];
  readonly conditionKeys: readonly string[];
}

export interface ConditionKeyInfo {
  /**
   * The key as documented; for a templated key the template, e.g. `aws:ResourceTag/${TagKey}` or
   * `s3:ExistingObjectTag/<key>`, also when it was looked up as `aws:ResourceTag/team`.
   */
  readonly name: string;
  /** Usually one type; several when services document the same key differently. */
  readonly types: readonly ConditionKeyType[];
  /** A global condition context key (`aws:SourceIp`, `aws:PrincipalTag/${TagKey}`...). */
  readonly global: boolean;
  /** For global keys, the group AWS documents it in (`principal`, `session`, `network`, `resource`, `request`). */
  readonly category?: string;
  /** Services whose reference pages list the key, sorted; empty for global keys no page lists. */
  readonly services: readonly string[];
  /** True when `name` has a variable part (`${TagKey}`, `<key>`, `tag-key`). */
  readonly templated: boolean;
}
