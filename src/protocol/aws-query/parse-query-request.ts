/**
 * From decoded form parameters to `{service, version, operation, input}`: route by `Version`
 * (2010-05-08 is IAM, 2011-06-15 is STS; no action names collide) and `Action`, then read the
 * operation's input shape. Parameters the shape doesn't name (Action and Version included) are
 * ignored, as AWS ignores them.
 */
import { AwsError, validationError } from '../../core/errors/index.js';
import { serviceForVersion, type ServiceName } from '../models/index.js';
import { buildFormTree } from './form-tree.js';
import { operationCodec, type OperationCodec } from './operation-codec.js';

export interface QueryRoute {
  service: ServiceName;
  version: string;
  operation: string;
}

export interface QueryRequest extends QueryRoute {
  /** Domain input: model member names with the first letter lowercased (see domain-key.ts). */
  input: Record<string, unknown>;
}

/** The version AWS names in its message when a request carries none. */
// AWS-COMPAT: recalled from AWS's Coral front end, not found in a quotable source; see README.
export const NO_VERSION = 'NO_VERSION_SPECIFIED';

function route(params: ReadonlyMap<string, string>): { route: QueryRoute; codec: OperationCodec } {
  const action = params.get('Action');
  if (!action) throw new AwsError('MissingAction', 'Missing Action');
  const version = params.get('Version') ?? '';
  const service = version ? serviceForVersion(version) : undefined;
  const codec = service && operationCodec(service, action);
  // AWS-COMPAT: an unknown action and a known action under another API version get the same
  // answer from AWS: "Could not find operation ListUsers for version 2011-06-15" (InvalidAction, 400).
  if (!service || !codec) throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${version || NO_VERSION}`);
  return { route: { service, version, operation: action }, codec };
}

/** Only the routing (no input conversion), e.g. to check the credential scope's service first. */
export function routeQueryRequest(params: ReadonlyMap<string, string>): QueryRoute {
  return route(params).route;
}

export interface CheckedQueryRequest extends QueryRequest {
  /** The model constraint violations, in AWS's wording; empty when the input is valid. */
  violations: string[];
}

/**
 * Routes and reads the input without failing on constraint violations: they are returned (for
 * tools that show all of them, and for tests of the conversion itself). Throws AwsError
 * MissingAction, InvalidAction or InvalidParameterValue (a value not of its type).
 */
export function readQueryRequest(params: ReadonlyMap<string, string>): CheckedQueryRequest {
  const { route: r, codec } = route(params);
  if (!codec.readInput) return { ...r, input: {}, violations: [] };
  const { input, violations } = codec.readInput(buildFormTree(params));
  return { ...r, input, violations };
}

/**
 * Routes and reads the input. Throws AwsError: MissingAction, InvalidAction, ValidationError (every
 * model constraint violation, in AWS's wording) or InvalidParameterValue (a value not of its type).
 */
export function parseQueryRequest(params: ReadonlyMap<string, string>): QueryRequest {
  // readQueryRequest without its copies: this runs on every request.
  const { route: r, codec } = route(params);
  if (!codec.readInput) return { ...r, input: {} };
  const { input, violations } = codec.readInput(buildFormTree(params));
  if (violations.length) throw validationError(violations);
  return { ...r, input };
}
