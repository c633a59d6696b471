/**
 * The STS API of a region (`Version=2011-06-15`), answered from the region's replica alone: no
 * call leaves the process. Inputs and outputs use domain names (the model's member names with the
 * first letter lowercased); the protocol layer has already checked the model's constraints, so the
 * operations check meaning: who may call, trust and permissions, MFA, durations, session policies
 * and tags. Failures are AwsErrors with AWS's codes and wording.
 */
import { awsError } from '../../core/errors/index.js';
import type { Principal } from '../../core/model/principal.js';
import type { ReplicaView } from '../replica-view.js';
import { getAccessKeyInfo } from './access-key-info.js';
import { assumeRole } from './assume-role.js';
import { getCallerIdentity } from './caller-identity.js';
import { checkSessionMayCall } from './caller-rules.js';
import { decodeAuthorizationMessage } from './decode-authorization-message.js';
import { getFederationToken } from './federation-token.js';
import { assumeRoleWithSaml, assumeRoleWithWebIdentity, unsupported } from './identity-providers.js';
import { MfaVerifier } from './mfa.js';
import { getSessionToken } from './session-token.js';
import type { StsContext, StsRequest } from './sts-context.js';

export type { StsRequest } from './sts-context.js';

export interface StsServiceDeps {
  view: ReplicaView;
  random: (n: number) => Buffer;
  /** The ARN partition (default `aws`). */
  partition?: string;
}

type Handler = (ctx: StsContext, input: Record<string, unknown>, principal: Principal) => unknown;

const AUTHENTICATED: Readonly<Record<string, Handler>> = {
  GetCallerIdentity: (_ctx, _input, principal) => getCallerIdentity(principal),
  AssumeRole: assumeRole,
  GetSessionToken: getSessionToken,
  GetFederationToken: getFederationToken,
  GetAccessKeyInfo: getAccessKeyInfo,
  DecodeAuthorizationMessage: decodeAuthorizationMessage,
  AssumeRoot: () => unsupported('AssumeRoot'),
  GetDelegatedAccessToken: () => unsupported('GetDelegatedAccessToken'),
  GetWebIdentityToken: () => unsupported('GetWebIdentityToken'),
};

/** Called without AWS credentials (the identity provider's token or assertion authenticates). */
const UNSIGNED: Readonly<Record<string, (input: Record<string, unknown>) => unknown>> = {
  AssumeRoleWithWebIdentity: assumeRoleWithWebIdentity,
  AssumeRoleWithSAML: () => assumeRoleWithSaml(),
};

export class StsService {
  private readonly view: ReplicaView;
  private readonly random: (n: number) => Buffer;
  private readonly partition: string;
  /** Per node: a code accepted here is not accepted here again. */
  private readonly mfa = new MfaVerifier();

  constructor(deps: StsServiceDeps) {
    this.view = deps.view;
    this.random = deps.random;
    this.partition = deps.partition ?? 'aws';
  }

  /** Whether this service answers the operation (every operation of the STS model). */
  has(operation: string): boolean {
    return Object.hasOwn(AUTHENTICATED, operation) || Object.hasOwn(UNSIGNED, operation);
  }

  /** Whether an operation needs no AWS credentials (AssumeRoleWithWebIdentity, AssumeRoleWithSAML). */
  isUnsigned(operation: string): boolean {
    return Object.hasOwn(UNSIGNED, operation);
  }

  /**
   * STS writes nothing: credentials are self-contained and no state changes. CloudTrail likewise
   * records STS calls as read-only events.
   */
  isReadOnly(operation: string): boolean {
    return this.has(operation);
  }

  /**
   * Runs an operation for `principal` (undefined only for the unsigned operations). Synchronous:
   * everything it reads is in memory.
   */
  call(operation: string, input: Record<string, unknown>, principal: Principal | undefined, request: StsRequest): unknown {
    if (Object.hasOwn(UNSIGNED, operation)) return UNSIGNED[operation](input);
    if (!Object.hasOwn(AUTHENTICATED, operation)) throw awsError('InvalidAction', `Could not find operation ${operation} for version 2011-06-15`);
    if (!principal) throw awsError('MissingAuthenticationToken');
    checkSessionMayCall(principal, operation);
    const ctx: StsContext = { view: this.view, random: this.random, partition: this.partition, mfa: this.mfa, request, now: request.now };
    return AUTHENTICATED[operation](ctx, input, principal);
  }
}
