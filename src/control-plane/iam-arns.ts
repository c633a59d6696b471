/** IAM ARNs: `arn:aws:iam::<account>:<type><path><name>`; the path starts and ends with `/`. */
export type IamResourceType = 'user' | 'group' | 'role' | 'policy' | 'mfa' | 'instance-profile';

export function iamArn(partition: string, account: string, type: IamResourceType, path: string, name: string): string {
  return `arn:${partition}:iam::${account}:${type}${path}${name}`;
}

/** The account's root user ARN. */
export function rootArn(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:root`;
}

/** Splits a policy (or other IAM) ARN into account, type, path and name; undefined when it is not one. */
export function parseIamArn(arn: string): { partition: string; account: string; type: string; path: string; name: string } | undefined {
  const m = /^arn:([^:]+):iam::([^:]*):([a-z-]+)(\/(?:[^]*\/)?)?([^/]+)$/.exec(arn);
  if (!m) return undefined;
  return { partition: m[1], account: m[2], type: m[3], path: m[4] ?? '/', name: m[5] };
}
