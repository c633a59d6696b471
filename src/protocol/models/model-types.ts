/**
 * The layout of the generated service models (generated/*-model.ts): the parts of botocore's
 * service-2.json that the AWS Query protocol needs, without documentation. Names are botocore's,
 * so a reader can check a generated line against the upstream file.
 */

/** The services this endpoint speaks, keyed as in the credential scope (`iam`, `sts`). */
export type ServiceName = 'iam' | 'sts';

export interface ServiceModelData {
  service: ServiceName;
  apiVersion: string;
  xmlNamespace: string;
  /** Where the model came from (file and sha256), for the reader. */
  source: string;
  operations: Record<string, OperationData>;
  /** Only the shapes reachable from some operation's input or output; exceptions are in core/errors. */
  shapes: Record<string, ShapeData>;
}

export interface OperationData {
  /** The input structure; absent for operations that take no parameters. */
  input?: string;
  /** The output structure; absent for operations that answer with ResponseMetadata only. */
  output?: string;
  /** The element wrapping the output (`<CreateUserResult>`); set whenever `output` is. */
  resultWrapper?: string;
}

/** A structure member: the shape name, or the shape with the wire-name overrides the model gives. */
export type MemberData = string | MemberRef;

export interface MemberRef {
  shape: string;
  /** Wire name when it differs from the member name. */
  locationName?: string;
  /** Member-level timestamp format (`iso8601`, `unixTimestamp`, `rfc822`). */
  timestampFormat?: string;
}

export interface StructureShape {
  type: 'structure';
  members: Record<string, MemberData>;
  required?: string[];
  /** A Smithy union: at most one member is set. */
  union?: true;
}

export interface ListShape {
  type: 'list';
  member: string;
  /** Wire name of each element (default `member`). */
  memberName?: string;
  /** Elements appear without a wrapper (`Name.1` rather than `Name.member.1`). */
  flattened?: true;
  min?: number;
  max?: number;
}

export interface MapShape {
  type: 'map';
  key: string;
  value: string;
  /** Wire names of the key and value (default `key`, `value`). */
  keyName?: string;
  valueName?: string;
  flattened?: true;
  min?: number;
  max?: number;
}

export interface StringShape {
  type: 'string';
  min?: number;
  max?: number;
  /** A Java regular expression that must match the whole value (see aws-query/java-pattern.ts). */
  pattern?: string;
  enum?: string[];
  /** Values are secrets: validation messages don't quote them. */
  sensitive?: true;
}

export interface NumberShape {
  type: 'integer' | 'long' | 'float' | 'double';
  min?: number;
  max?: number;
}

export interface BooleanShape {
  type: 'boolean';
}

export interface TimestampShape {
  type: 'timestamp';
  timestampFormat?: string;
}

export interface BlobShape {
  type: 'blob';
  min?: number;
  max?: number;
  sensitive?: true;
}

export type ShapeData =
  | StructureShape
  | ListShape
  | MapShape
  | StringShape
  | NumberShape
  | BooleanShape
  | TimestampShape
  | BlobShape;
