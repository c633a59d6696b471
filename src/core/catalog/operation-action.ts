/**
 * The IAM action the API layer authorizes for an IAM or STS API operation. For these two services
 * the action is the operation's own name (`CreateUser` → `iam:CreateUser`); the catalog confirms it.
 */
import { getAction } from './action-catalog.js';

export type ApiService = 'iam' | 'sts';

/**
 * Operations of the botocore models (IAM 2010-05-08, STS 2011-06-15) with no same-named action in
 * the catalog, and the action we authorize instead.
 */
export const OPERATIONS_WITHOUT_CATALOG_ACTION: Readonly<Record<ApiService, Readonly<Record<string, string>>>> = {
  iam: {
    // DIVERGENCE: the Service Authorization Reference lists no action for UpdateDelegationRequest
    // (AWS lets the request's owner update it by default). We authorize the same-named action so
    // that `iam:*` and `iam:Update*` grant it as one would expect.
    UpdateDelegationRequest: 'iam:UpdateDelegationRequest',
  },
  sts: {},
};

/**
 * `operationToAction('iam', 'CreateUser')` → `'iam:CreateUser'`. Operation names are
 * case-sensitive, as in the Query protocol's `Action` parameter; undefined when the catalog has
 * no such action. Returns only the primary action: AssumeRole with tags also needs
 * `sts:TagSession`, with a source identity `sts:SetSourceIdentity`, and GetCallerIdentity needs
 * no permission at all (AWS-COMPAT); those rules belong to the use cases.
 */
export function operationToAction(service: ApiService, operation: string): string | undefined {
  const extras = OPERATIONS_WITHOUT_CATALOG_ACTION[service];
  // hasOwn: `operation` comes from the request and may be `constructor` or `__proto__`.
  if (Object.hasOwn(extras, operation)) return extras[operation];
  const action = getAction(`${service}:${operation}`);
  return action && action.name === operation ? action.action : undefined;
}
