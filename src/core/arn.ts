/** Amazon Resource Names: `arn:partition:service:region:account-id:resource`. */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the fifth colon; may itself contain colons and slashes. */
  resource: string;
}

export function parseArn(value: string): Arn | undefined {
  if (!value.startsWith('arn:')) return undefined;
  const parts = value.split(':');
  if (parts.length < 6) return undefined;
  return {
    partition: parts[1],
    service: parts[2],
    region: parts[3],
    account: parts[4],
    resource: parts.slice(5).join(':'),
  };
}

/**
 * Offsets of the five colons that separate an ARN's six segments, or undefined when the value
 * has fewer than five colons (not an ARN).
 */
export function arnColons(value: string): number[] | undefined {
  const out: number[] = [];
  let i = -1;
  for (let n = 0; n < 5; n++) {
    i = value.indexOf(':', i + 1);
    if (i < 0) return undefined;
    out.push(i);
  }
  return out;
}

const ACCOUNT_ID = /^\d{12}$/;
export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}
