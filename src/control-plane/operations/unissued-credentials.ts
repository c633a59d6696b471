/**
 * Credentials and providers Gatehouse does not issue: SSH public keys (CodeCommit), signing
 * certificates, service-specific credentials, server certificates, OIDC and SAML providers. Their
 * operations that create one answer InvalidAction, so none can exist and the lists are truly
 * empty; security scanners and the AWS provider for Terraform list them on every account or user
 * and would otherwise stop at InvalidAction.
 */
import { defineOperation } from '../context.js';
import { loadUser } from '../entities.js';
import { userNameOrCaller, userResource } from './users.js';

/** A listing of one user's credentials of a kind none can have: the user must exist, as on AWS. */
function emptyUserListing(name: string, listMember: string) {
  return defineOperation({
    name,
    write: false,
    resource: userResource,
    async run(input: { userName?: string; allUsers?: boolean }, ctx) {
      // ListServiceSpecificCredentials' AllUsers names no user.
      if (!input.allUsers) await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
      return { [listMember]: [], isTruncated: false };
    },
  });
}

/** A listing of the account's entities of a kind none can exist of. */
function emptyAccountListing(name: string, listMember: string, paged: boolean) {
  return defineOperation({
    name,
    write: false,
    resource: () => '*',
    async run() {
      return paged ? { [listMember]: [], isTruncated: false } : { [listMember]: [] };
    },
  });
}

export const UNISSUED_CREDENTIAL_OPERATIONS = [
  emptyUserListing('ListSSHPublicKeys', 'sSHPublicKeys'),
  emptyUserListing('ListSigningCertificates', 'certificates'),
  emptyUserListing('ListServiceSpecificCredentials', 'serviceSpecificCredentials'),
  emptyAccountListing('ListServerCertificates', 'serverCertificateMetadataList', true),
  emptyAccountListing('ListOpenIDConnectProviders', 'openIDConnectProviderList', false),
  emptyAccountListing('ListSAMLProviders', 'sAMLProviderList', false),
];
