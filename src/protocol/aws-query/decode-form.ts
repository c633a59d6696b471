/**
 * Decodes an `application/x-www-form-urlencoded` body (the AWS Query request) into parameters.
 * Form rules: `+` and `%20` are both spaces (the CLI sends `+`, the JS SDK `%20`), `%XX` sequences
 * are UTF-8, order doesn't matter. Limits come from the caller, so a hostile body costs bounded work.
 */
import { AwsError } from '../../core/errors/index.js';

export interface FormLimits {
  /** Most `name=value` pairs in one body. */
  maxParameters: number;
  /** Longest decoded parameter name, in UTF-16 code units. */
  maxKeyLength: number;
  /** Longest decoded value, in UTF-16 code units. */
  maxValueLength: number;
}

/**
 * Generous for every IAM/STS operation: the largest modelled value is a 2 MiB certificate chain
 * (UploadServerCertificate), the longest real names are nested list keys like
 * `ContextEntries.member.12.ContextKeyValues.member.345`.
 */
export const DEFAULT_FORM_LIMITS: Readonly<FormLimits> = {
  maxParameters: 5000,
  maxKeyLength: 256,
  maxValueLength: 2_200_000,
};

const PLUS = /\+/g;

function decodePart(raw: string, what: string): string {
  const text = raw.indexOf('+') === -1 ? raw : raw.replace(PLUS, ' ');
  if (text.indexOf('%') === -1) return text;
  try {
    // decodeURIComponent rejects bad `%XX`, truncated or overlong UTF-8 and encoded surrogates.
    return decodeURIComponent(text);
  } catch {
    throw new AwsError('MalformedQueryString', `Invalid percent-encoding in ${what}: ${JSON.stringify(raw.length > 64 ? `${raw.slice(0, 64)}...` : raw)}`);
  }
}

/**
 * The body's parameters. A pair without `=` has an empty value, empty pairs (`a=1&&b=2`, a
 * trailing `&`) and empty names are skipped. A repeated name keeps its last value. Limits not
 * given are DEFAULT_FORM_LIMITS'.
 */
export function decodeForm(body: string, limitsGiven: Readonly<Partial<FormLimits>> = DEFAULT_FORM_LIMITS): Map<string, string> {
  const limits = limitsGiven === DEFAULT_FORM_LIMITS ? DEFAULT_FORM_LIMITS : { ...DEFAULT_FORM_LIMITS, ...limitsGiven };
  const params = new Map<string, string>();
  if (body.length === 0) return params;
  let pairs = 0;
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf('&', start);
    if (end === -1) end = body.length;
    if (end > start) {
      if (++pairs > limits.maxParameters) {
        throw new AwsError('RequestEntityTooLarge', `Request has more than ${limits.maxParameters} parameters`);
      }
      const eq = body.indexOf('=', start);
      const hasValue = eq !== -1 && eq < end;
      const key = decodePart(body.slice(start, hasValue ? eq : end), 'a parameter name');
      if (key.length > limits.maxKeyLength) {
        throw new AwsError('RequestEntityTooLarge', `Parameter name longer than ${limits.maxKeyLength} characters: ${JSON.stringify(key.slice(0, 64))}...`);
      }
      const value = hasValue ? decodePart(body.slice(eq + 1, end), `the value of ${key}`) : '';
      if (value.length > limits.maxValueLength) {
        throw new AwsError('RequestEntityTooLarge', `Value of parameter ${key} is longer than ${limits.maxValueLength} characters`);
      }
      // DIVERGENCE: AWS's handling of a repeated name is undocumented and no client sends one;
      // the last value wins, as with Map.set.
      if (key.length > 0) params.set(key, value);
    }
    start = end + 1;
  }
  return params;
}
