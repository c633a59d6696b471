/**
 * What answers an AWS Query request once the edge knows its service and region: the control
 * plane for IAM, a region's data plane for STS, and, for STS requests scoped to no region this
 * node serves (the global endpoint), the home region's STS behind the control plane's
 * authenticator, which holds the secrets and so verifies any scope, as AWS's global endpoint does.
 */
import type { Authenticator } from '../control-plane/authenticator.js';
import type { IamService } from '../control-plane/iam-service.js';
import type { PolicyLintReport } from '../control-plane/policy-lint-on-write.js';
import type { Principal } from '../core/model/principal.js';
import type { HttpRequestParts } from '../core/sigv4/index.js';
import type { QueryService } from '../protocol/index.js';
import type { RegionDataPlane } from './region-data-plane.js';

export interface RequestFacts {
  requestId: string;
  sourceIp: string;
  userAgent: string;
  secureTransport: boolean;
  now: Date;
}

export type BackendAuth =
  | { ok: true; principal: Principal; region: string }
  | { ok: false; code: string; message: string; status?: number; accessKeyId?: string; principal?: Principal };

export interface QueryBackend {
  readonly service: QueryService;
  authenticate(parts: HttpRequestParts, now: Date): Promise<BackendAuth>;
  /** `principal` is undefined only for the operations `isUnsigned` names. */
  call(operation: string, input: Record<string, unknown>, principal: Principal | undefined, region: string, facts: RequestFacts): Promise<{ output: unknown; revision?: number; changed: boolean; lint?: PolicyLintReport }>;
  isReadOnly(operation: string): boolean;
  /** Operations called without AWS credentials (AssumeRoleWithWebIdentity, AssumeRoleWithSAML). */
  isUnsigned?(operation: string): boolean;
  /** The data plane whose applied revision `x-gatehouse-min-revision` waits for. */
  readonly plane?: RegionDataPlane;
}

export function iamBackend(iam: IamService, authenticator: Authenticator): QueryBackend {
  return {
    service: 'iam',
    async authenticate(parts, now) {
      const auth = await authenticator.authenticate(parts, now, 'iam');
      if (!auth.ok) return { ok: false, code: auth.code, message: auth.message, accessKeyId: auth.accessKeyId, principal: auth.caller };
      const region = auth.info.region || auth.info.regionSet?.[0] || '';
      if (!auth.caller.session) authenticator.recordUse(auth.caller.accessKeyId, now, 'iam', region);
      return { ok: true, principal: auth.caller, region };
    },
    call: (operation, input, principal, region, facts) => {
      if (!principal) throw new Error('IAM calls are always signed');
      return iam.call(operation, input, principal, { requestId: facts.requestId, sourceIp: facts.sourceIp, userAgent: facts.userAgent, region, secureTransport: facts.secureTransport });
    },
    isReadOnly: (operation) => iam.isReadOnly(operation),
  };
}

function stsCall(plane: RegionDataPlane): QueryBackend['call'] {
  return async (operation, input, principal, region, facts) => {
    const output = plane.sts.call(operation, input, principal, { requestId: facts.requestId, now: facts.now, sourceIp: facts.sourceIp, userAgent: facts.userAgent, region, secureTransport: facts.secureTransport });
    return { output, revision: plane.follower.revision, changed: false };
  };
}

/** STS in a region, authenticated with the region's derived keys. */
export function regionalStsBackend(plane: RegionDataPlane): QueryBackend {
  return {
    service: 'sts',
    plane,
    async authenticate(parts, now) {
      const auth = plane.authenticator.authenticate(parts, now, 'sts');
      if (!auth.ok) return { ok: false, code: auth.code, message: auth.message, status: auth.status, accessKeyId: auth.accessKeyId };
      return { ok: true, principal: auth.principal, region: plane.region };
    },
    call: stsCall(plane),
    isReadOnly: (operation) => plane.sts.isReadOnly(operation),
    isUnsigned: (operation) => plane.sts.isUnsigned(operation),
  };
}

/** The global STS endpoint: the control plane authenticates, the home region answers. */
export function globalStsBackend(home: RegionDataPlane, authenticator: Authenticator): QueryBackend {
  return {
    service: 'sts',
    plane: home,
    async authenticate(parts, now) {
      const auth = await authenticator.authenticate(parts, now, 'sts');
      if (!auth.ok) return { ok: false, code: auth.code, message: auth.message, accessKeyId: auth.accessKeyId, principal: auth.caller };
      return { ok: true, principal: auth.caller, region: home.region };
    },
    call: stsCall(home),
    isReadOnly: (operation) => home.sts.isReadOnly(operation),
    isUnsigned: (operation) => home.sts.isUnsigned(operation),
  };
}
