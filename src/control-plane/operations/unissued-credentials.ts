/**
 * Credentials and providers Gatehouse does not issue: SSH public keys (CodeCommit), signing
 * certificates, service-specific credentials, server certificates, OIDC and SAML providers. Their
 * operations that create one answer InvalidAction, so none can exist and the lists are truly
 * empty; security scanners and the AWS provider for Terraform list them on every account or user
 * and would otherwise stop at InvalidAction.
 */
import { defineOperation, type OperationContext } from '../context.js';
import { loadUser } from '../entities.js';
import { userNameOrCaller, userResource } from './users.js';

const NOTHING = { isTruncated: false };

/** A listing of a user's credentials: the user must exist, as on AWS. */
async function checkUser(input: { userName?: string }, ctx: OperationContext): Promise<void> {
  await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
}

export const listSSHPublicKeys = defineOperation({
  name: 'ListSSHPublicKeys',
  write: false,
  resource: userResource,
  async run(input: { userName?: string }, ctx) {
    await checkUser(input, ctx);
    return { sSHPublicKeys: [], ...NOTHING };
  },
});

export const listSigningCertificates = defineOperation({
  name: 'ListSigningCertificates',
  write: false,
  resource: userResource,
  async run(input: { userName?: string }, ctx) {
    await checkUser(input, ctx);
    return { certificates: [], ...NOTHING };
  },
});

export const listServiceSpecificCredentials = defineOperation({
  name: 'ListServiceSpecificCredentials',
  write: false,
  resource: userResource,
  async run(input: { userName?: string; allUsers?: boolean }, ctx) {
    if (!input.allUsers) await checkUser(input, ctx);
    return { serviceSpecificCredentials: [], ...NOTHING };
  },
});

export const listServerCertificates = defineOperation({
  name: 'ListServerCertificates',
  write: false,
  resource: () => '*',
  async run() {
    return { serverCertificateMetadataList: [], ...NOTHING };
  },
});

export const listOpenIDConnectProviders = defineOperation({
  name: 'ListOpenIDConnectProviders',
  write: false,
  resource: () => '*',
  async run() {
    return { openIDConnectProviderList: [] };
  },
});

export const listSAMLProviders = defineOperation({
  name: 'ListSAMLProviders',
  write: false,
  resource: () => '*',
  async run() {
    return { sAMLProviderList: [] };
  },
});

export const UNISSUED_CREDENTIAL_OPERATIONS = [
  listSSHPublicKeys,
  listSigningCertificates,
  listServiceSpecificCredentials,
  listServerCertificates,
  listOpenIDConnectProviders,
  listSAMLProviders,
];
