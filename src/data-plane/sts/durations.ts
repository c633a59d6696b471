/** DurationSeconds of GetSessionToken and GetFederationToken. */
import { constraint, validationError, violation } from '../../core/errors/index.js';

export interface DurationRule {
  min: number;
  max: number;
  default: number;
  /** The longest a session of the root user lasts. */
  root: number;
}

/**
 * The session length: the requested one (the protocol has already checked the model's range; a
 * direct caller gets the same ValidationError), or the default. AWS-COMPAT: for the root user a
 * longer duration "defaults to one hour" rather than failing (STS API reference).
 */
export function checkDuration(requested: number | undefined, rule: DurationRule, root: boolean): number {
  if (requested !== undefined && (requested < rule.min || requested > rule.max)) {
    const c = requested < rule.min ? constraint.minValue(rule.min) : constraint.maxValue(rule.max);
    throw validationError([violation('durationSeconds', { text: String(requested) }, c)]);
  }
  const duration = requested ?? rule.default;
  return root ? Math.min(duration, rule.root) : duration;
}
