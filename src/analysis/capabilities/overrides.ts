/**
 * Corrections to the heuristic of `derive-capabilities.ts` for the services people use most
 * (S3, DynamoDB, KMS, SQS, SNS, Secrets Manager, Lambda, IAM with STS). Each entry replaces the
 * heuristic's answer for exact actions, and says why the heuristic is wrong there. Keep it small:
 * an entry belongs here only when the heuristic gives a wrong answer, not to restate a right one.
 * A test checks that every action named here exists in the catalog.
 */
import type { Capability } from './capability.js';

export interface CapabilityOverride {
  /** Action names of the service, as the catalog spells them. */
  readonly actions: readonly string[];
  /** The capabilities the actions have, instead of the heuristic's. Empty: none. */
  readonly capabilities: readonly Capability[];
  /** Why the heuristic is wrong for them. */
  readonly why: string;
}

/**
 * Actions a generated policy adds beside a capability's own actions because clients call them
 * first, though they do not give the capability (they are not counted as it in a review).
 */
export interface CompanionActions {
  /** The requests they accompany. */
  readonly capabilities: readonly Capability[];
  readonly actions: readonly string[];
  readonly why: string;
}

/**
 * For the capabilities listed, actions on `resourceType` are also granted on the requested ARN
 * followed by `suffix`: the catalog's ARN format misses a form AWS authorizes.
 */
export interface ResourceTypeExtension {
  readonly resourceType: string;
  readonly capabilities: readonly Capability[];
  readonly suffix: string;
  /** Resource types whose ARNs (the qualified forms) the type's actions also accept as they are. */
  readonly qualifiedTypes?: readonly string[];
  readonly why: string;
}

/** A note a generated policy carries when a capability is asked for on the service's resources. */
export interface CapabilityHint {
  readonly capabilities: readonly Capability[];
  /** Only for this resource type of the service (any when absent). */
  readonly resourceType?: string;
  readonly text: string;
}

export interface ServiceOverrides {
  readonly overrides: readonly CapabilityOverride[];
  readonly companions?: readonly CompanionActions[];
  readonly extensions?: readonly ResourceTypeExtension[];
  readonly hints?: readonly CapabilityHint[];
}

export const CAPABILITY_OVERRIDES: Readonly<Record<string, ServiceOverrides>> = {
  s3: {
    overrides: [
      {
        actions: ['ListBucket', 'ListBucketVersions', 'ListObjectAnnotations', 'ListObjectVersionAnnotations'],
        capabilities: ['read-data'],
        why: 'Listed as "List", but they return object keys, versions and annotations: names are data, and a reader needs them beside GetObject.',
      },
      {
        actions: ['AbortMultipartUpload'],
        capabilities: ['write-data'],
        why: 'Multipart-upload bookkeeping that writers (and `aws s3 cp` of large files) need; it touches only unfinished uploads.',
      },
      {
        actions: ['ReplicateDelete'],
        capabilities: ['delete-data'],
        why: 'Replication deleting objects (delete markers) in the destination, not configuring replication.',
      },
      {
        actions: ['PauseReplication'],
        capabilities: ['administer-resource'],
        why: "Stops the bucket's replication: a configuration change, not running a job.",
      },
      {
        actions: ['GetDataAccess'],
        capabilities: ['read-data'],
        why: 'Vends temporary credentials for the data an access grant covers.',
      },
      {
        actions: ['AllowVendedLogDeliveryForResource'],
        capabilities: ['administer-resource'],
        why: 'Lets a log-delivery service write into the bucket: a grant of access, though listed as "Read".',
      },
    ],
    companions: [
      {
        capabilities: ['write-data'],
        actions: ['ListMultipartUploadParts', 'ListBucketMultipartUploads'],
        why: 'Large uploads (`aws s3 cp`, the SDKs\' upload managers) list the parts of their own unfinished uploads to resume or abort them.',
      },
    ],
    hints: [
      {
        capabilities: ['write-data'],
        text: 'Uploading with tags (x-amz-tagging) also needs s3:PutObjectTagging, which is administer-resource because tags can steer access.',
      },
    ],
  },
  dynamodb: {
    overrides: [
      {
        actions: ['GetShardIterator'],
        capabilities: ['read-data'],
        why: 'Its only use is reading stream records with GetRecords.',
      },
      {
        actions: ['ReadDataForReplication', 'WriteDataForReplication'],
        capabilities: [],
        why: "Used by global tables' replication (its service-linked role); there is no API a principal calls with them.",
      },
    ],
  },
  kms: {
    overrides: [
      {
        actions: ['ReEncryptFrom'],
        capabilities: ['read-data'],
        why: 'Decrypts under this key; the data can then be re-encrypted under a key the caller controls, so it is as strong as Decrypt.',
      },
      {
        actions: ['DeriveSharedSecret'],
        capabilities: ['read-data'],
        why: 'Returns a secret derived from the private key, which decrypts what peers encrypted for it (like Decrypt).',
      },
      {
        actions: ['GetParametersForImport'],
        capabilities: ['administer-resource'],
        why: 'First step of importing key material into the key; "Parameters" made it look like reading data.',
      },
      {
        actions: ['CancelKeyDeletion', 'ConnectCustomKeyStore'],
        capabilities: ['administer-resource'],
        why: "The key's or key store's lifecycle, not using or running it.",
      },
    ],
    hints: [
      {
        capabilities: ['use-resource'],
        text: 'kms:Decrypt is read-data, not use-resource: it reveals what the key protects. Ask for read-data on the key to decrypt.',
      },
    ],
  },
  sqs: {
    overrides: [
      {
        actions: ['ChangeMessageVisibility'],
        capabilities: ['read-data'],
        why: 'A consumer hides a message it received while it works on it; no content changes. Consuming is read-data plus delete-data.',
      },
      {
        actions: ['StartMessageMoveTask', 'CancelMessageMoveTask'],
        capabilities: ['administer-resource'],
        why: "Redrive moves every message of a dead-letter queue to another queue: an operator's task, not a queue user's.",
      },
    ],
    companions: [
      {
        capabilities: ['read-data', 'write-data', 'delete-data'],
        actions: ['GetQueueUrl'],
        why: 'SDKs resolve a queue name to its URL before sending or receiving; it reveals only the URL.',
      },
    ],
    hints: [
      {
        capabilities: ['read-data'],
        text: 'Consumers usually also need delete-data (sqs:DeleteMessage) to remove the messages they processed.',
      },
      {
        capabilities: ['delete-data'],
        text: 'delete-data includes sqs:PurgeQueue, which deletes every message at once.',
      },
    ],
  },
  sns: {
    overrides: [
      {
        actions: ['Subscribe', 'ConfirmSubscription'],
        capabilities: ['read-data'],
        why: "A subscription delivers every later message to an endpoint the caller chooses: that is how a topic's data is read.",
      },
    ],
    hints: [
      {
        capabilities: ['use-resource'],
        text: 'Publishing to a topic encrypted with a customer managed KMS key also needs use-resource (kms:GenerateDataKey) and read-data (kms:Decrypt) on that key.',
      },
    ],
  },
  secretsmanager: {
    overrides: [
      {
        actions: ['UpdateSecret'],
        capabilities: ['administer-resource', 'write-data'],
        why: 'Changes the description and KMS key and can also set a new value (SecretString): both, so a policy gets it only when both are asked for.',
      },
      {
        actions: ['GetRandomPassword'],
        capabilities: ['use-resource'],
        why: 'Generates a random string and reads no secret ("Password" made it look like data).',
      },
      {
        actions: ['CancelRotateSecret', 'StopReplicationToReplica'],
        capabilities: ['administer-resource'],
        why: "Change the secret's rotation or replication: configuration, not running a job.",
      },
    ],
    hints: [
      {
        capabilities: ['read-data'],
        text: 'A secret encrypted with a customer managed KMS key also needs read-data (kms:Decrypt) on that key.',
      },
    ],
  },
  lambda: {
    overrides: [
      {
        actions: [
          'CheckpointDurableExecution',
          'SendDurableExecutionCallbackSuccess',
          'SendDurableExecutionCallbackFailure',
          'SendDurableExecutionCallbackHeartbeat',
        ],
        capabilities: ['use-resource'],
        why: 'They drive a running durable execution of the function, as an invocation does; a function holds no data to write.',
      },
    ],
    extensions: [
      {
        resourceType: 'function',
        capabilities: ['use-resource'],
        suffix: ':*',
        qualifiedTypes: ['function alias', 'function version'],
        why: 'Invoking a version or alias is authorized on the qualified ARN (function:name:prod), which the unqualified ARN does not match.',
      },
    ],
  },
  iam: {
    overrides: [],
    hints: [
      {
        capabilities: ['use-resource'],
        resourceType: 'role',
        text: 'Assuming the role with session tags also needs sts:TagSession, which is administer-resource (session tags can steer access); add it only if you pass tags.',
      },
    ],
  },
  // IAM itself needs no correction (the heuristic gets PassRole, credentials and policies right).
  // STS acts on IAM roles, so it is part of IAM for a reviewer.
  sts: {
    overrides: [
      {
        actions: ['AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity'],
        capabilities: [],
        why: "The caller is a SAML or OIDC identity, not an IAM principal: only the role's trust policy authorizes it, so no identity policy grants it.",
      },
      {
        actions: ['DecodeAuthorizationMessage'],
        capabilities: ['read-config'],
        why: 'Decodes why a request was denied (policy details): configuration, though its noun is "Message".',
      },
    ],
  },
};
