/**
 * The curated action lists behind the risk categories. The categories are Cloudsplaining's
 * (DataExfiltration, ResourceExposure, CredentialsExposure, InfrastructureModification), whose
 * lists come from policy_sentry; we keep our own, shorter and reasoned, and a test checks that
 * every name is in the action catalog (canonical case). Infrastructure modification is not listed:
 * it is derived from the catalog's access levels (see risk-actions.ts).
 */

/**
 * Read actions that hand over data, not metadata: objects, table items, parameters, secrets,
 * plaintext from ciphertext, stream and queue records, function code, images, and the Write-level
 * snapshot copies and exports that move a whole database or volume somewhere the caller can read.
 * Cloudsplaining's default is the first five (s3:GetObject, ssm:GetParameter*,
 * secretsmanager:GetSecretValue); its docs name the RDS snapshot copies too.
 */
export const DATA_EXFILTRATION_ACTIONS: readonly string[] = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectTorrent',
  's3-object-lambda:GetObject',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'ssm:GetParameterHistory',
  'secretsmanager:GetSecretValue',
  'secretsmanager:BatchGetSecretValue',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PartiQLSelect',
  'dynamodb:GetRecords',
  'dynamodb:ExportTableToPointInTime',
  'rds:CreateDBSnapshot',
  'rds:CopyDBSnapshot',
  'rds:CreateDBClusterSnapshot',
  'rds:CopyDBClusterSnapshot',
  'rds:StartExportTask',
  'ec2:CreateSnapshot',
  'ec2:CopySnapshot',
  'ebs:GetSnapshotBlock',
  'lambda:GetFunction',
  'athena:GetQueryResults',
  'redshift-data:GetStatementResult',
  'kinesis:GetRecords',
  'sqs:ReceiveMessage',
  'codecommit:GitPull',
  'glacier:GetJobOutput',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
];

/**
 * Actions that change who else can reach a resource: resource policies, ACLs, grants, RAM and
 * snapshot/image sharing, public-access blocks, function URLs, and a role's trust policy. These
 * are policy_sentry's resource-exposure kind; the catalog rule in risk-actions.ts adds every other
 * "Permissions management" action that puts a resource policy, permission, ACL, grant or share,
 * so services added later are covered. Listed here: those the rule does not catch (Write-level
 * actions such as sqs:SetQueueAttributes, which also sets the queue policy) and the ones that
 * matter most, so they stay even if the catalog renames an access level.
 */
export const RESOURCE_EXPOSURE_ACTIONS: readonly string[] = [
  's3:PutBucketPolicy',
  's3:PutBucketAcl',
  's3:PutObjectAcl',
  's3:PutObjectVersionAcl',
  's3:PutAccessPointPolicy',
  's3:PutAccessPointPolicyForObjectLambda',
  's3:PutMultiRegionAccessPointPolicy',
  's3:PutBucketPublicAccessBlock',
  's3:PutAccountPublicAccessBlock',
  's3:PutAccessPointPublicAccessBlock',
  's3:PutBucketOwnershipControls',
  's3:PutAccessGrantsInstanceResourcePolicy',
  's3:CreateAccessGrant',
  's3tables:PutTableBucketPolicy',
  's3tables:PutTablePolicy',
  'kms:PutKeyPolicy',
  'kms:CreateGrant',
  'sqs:SetQueueAttributes',
  'sqs:AddPermission',
  'sns:SetTopicAttributes',
  'sns:AddPermission',
  'lambda:AddPermission',
  'lambda:AddLayerVersionPermission',
  'lambda:CreateFunctionUrlConfig',
  'lambda:UpdateFunctionUrlConfig',
  'lambda:PutResourcePolicy',
  'ecr:SetRepositoryPolicy',
  'ecr:PutRegistryPolicy',
  'ecr-public:SetRepositoryPolicy',
  'secretsmanager:PutResourcePolicy',
  'iam:UpdateAssumeRolePolicy',
  'ram:CreateResourceShare',
  'ram:AssociateResourceShare',
  'ram:UpdateResourceShare',
  'ram:EnableSharingWithAwsOrganization',
  'glacier:SetVaultAccessPolicy',
  'glacier:InitiateVaultLock',
  'ec2:ModifySnapshotAttribute',
  'ec2:ModifyImageAttribute',
  'ec2:ModifyFpgaImageAttribute',
  'ec2:DisableSnapshotBlockPublicAccess',
  'ec2:DisableImageBlockPublicAccess',
  'ec2:ModifyVpcEndpointServicePermissions',
  'rds:ModifyDBSnapshotAttribute',
  'rds:ModifyDBClusterSnapshotAttribute',
  'redshift:AuthorizeSnapshotAccess',
  'redshift:AuthorizeDataShare',
  'elasticfilesystem:PutFileSystemPolicy',
  'events:PutPermission',
  'logs:PutResourcePolicy',
  'logs:PutDestinationPolicy',
  'backup:PutBackupVaultAccessPolicy',
  'glue:PutResourcePolicy',
  'dynamodb:PutResourcePolicy',
  'apigateway:UpdateRestApiPolicy',
  'codeartifact:PutDomainPermissionsPolicy',
  'codeartifact:PutRepositoryPermissionsPolicy',
  'ssm:ModifyDocumentPermission',
  'ses:PutIdentityPolicy',
  'es:UpdateDomainConfig',
  'es:UpdateElasticsearchDomainConfig',
  'cloudsearch:UpdateServiceAccessPolicies',
  'acm-pca:PutPolicy',
  'acm-pca:CreatePermission',
  'serverlessrepo:PutApplicationPolicy',
  'servicecatalog:CreatePortfolioShare',
  'lakeformation:GrantPermissions',
  'vpc-lattice:PutAuthPolicy',
  'organizations:PutResourcePolicy',
];

/**
 * Permissions-management actions that match the resource-exposure name rule but do not open a
 * resource to anyone: a stack policy only guards updates, a retrieval policy caps Glacier spend,
 * WorkSpaces self-service settings are the end user's own.
 */
export const RESOURCE_EXPOSURE_RULE_EXCEPTIONS: readonly string[] = [
  'cloudformation:SetStackPolicy',
  'glacier:SetDataRetrievalPolicy',
  'workspaces:ModifySelfservicePermissions',
];

/**
 * Actions whose response carries a credential, a password, a token or a key, or that make one
 * usable (an SSH key pushed to an instance, a database login): policy_sentry's
 * credentials-exposure list and Cloudsplaining's CredentialsExposure, plus the newer token APIs.
 * sts:GetSessionToken is left out: it only re-issues the caller's own permissions.
 */
export const CREDENTIALS_EXPOSURE_ACTIONS: readonly string[] = [
  'iam:CreateAccessKey',
  'iam:UpdateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:CreateServiceSpecificCredential',
  'iam:ResetServiceSpecificCredential',
  'iam:UploadSSHPublicKey',
  'sts:AssumeRole',
  'sts:AssumeRoleWithSAML',
  'sts:AssumeRoleWithWebIdentity',
  'sts:GetFederationToken',
  'ecr:GetAuthorizationToken',
  'ecr-public:GetAuthorizationToken',
  'codeartifact:GetAuthorizationToken',
  'redshift:GetClusterCredentials',
  'redshift:GetClusterCredentialsWithIAM',
  'redshift-serverless:GetCredentials',
  'rds-db:connect',
  'lightsail:GetInstanceAccessDetails',
  'lightsail:GetRelationalDatabaseMasterUserPassword',
  'lightsail:DownloadDefaultKeyPair',
  'ec2-instance-connect:SendSSHPublicKey',
  'ec2-instance-connect:SendSerialConsoleSSHPublicKey',
  'ec2:GetPasswordData',
  'cognito-identity:GetCredentialsForIdentity',
  'cognito-identity:GetOpenIdToken',
  'cognito-identity:GetOpenIdTokenForDeveloperIdentity',
  'cognito-idp:AdminInitiateAuth',
  'gamelift:GetInstanceAccess',
  'gamelift:RequestUploadCredentials',
  'connect:GetFederationToken',
  'storagegateway:DescribeChapCredentials',
  'iot:CreateKeysAndCertificate',
  'mediapackage:RotateChannelCredentials',
  'mediapackage:RotateIngestEndpointCredentials',
  'appsync:CreateApiKey',
];
