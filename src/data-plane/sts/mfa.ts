/**
 * MFA codes presented to AssumeRole and GetSessionToken (`SerialNumber` + `TokenCode`). The data
 * plane never sees a TOTP seed: the control plane ships each enabled device's codes for the MFA
 * window (ReplicaMfaDevice.codes), and a code is checked against the current 30-second step and
 * one step either side, in constant time.
 *
 * A code accepted once is refused afterwards on this node (the last accepted step is remembered per
 * device). DIVERGENCE: AWS refuses a reused code everywhere; nodes and regions do not share this
 * state, so a code may be used once per node within its step (documented in docs/sts.md).
 */
import { constantTimeEqual } from '../../core/crypto/index.js';
import { awsError } from '../../core/errors/index.js';
import type { Principal } from '../../core/model/principal.js';
import type { ReplicaView } from '../replica-view.js';

const STEP_MS = 30_000;
const DIGITS = 6;
/** Devices remembered at most; entries whose step has passed are dropped first. */
const MAX_REMEMBERED = 100_000;

// AWS-COMPAT: AWS's wording (AccessDenied) for a serial number that is not the caller's device, and
// for a wrong, expired or reused code (as quoted from AWS responses in aws-cli#6325, broamski/aws-mfa#46,
// lonelyplanet/aws-mfa#21 and step-security/wait-for-secrets#216). The double space is AWS's.
export const MFA_UNKNOWN_DEVICE = 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.';
export const MFA_INVALID_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code.';

/** The account in an MFA device's serial number (its ARN, `arn:aws:iam::ACCOUNT:mfa/name`). */
function serialAccount(serial: string): string | undefined {
  const parts = serial.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[2] === 'iam' ? parts[4] : undefined;
}

export class MfaVerifier {
  /** The last step accepted per serial number. */
  private readonly lastStep = new Map<string, number>();

  /**
   * Checks `code` from device `serial` for the calling IAM user (long-term key or a GetSessionToken
   * session); throws AccessDenied with AWS's wording otherwise. Both or neither parameter must be given.
   */
  verify(view: ReplicaView, principal: Principal, serial: string | undefined, code: string | undefined, now: Date): void {
    if (serial === undefined || code === undefined) throw awsError('AccessDenied', serial === undefined ? MFA_UNKNOWN_DEVICE : MFA_INVALID_CODE);
    // Role sessions, federated users and the root user have no IAM user whose devices count.
    // DIVERGENCE: the root user's own MFA device is not replicated, so root cannot present MFA here.
    if (principal.type !== 'IAMUser' || !principal.userName || principal.session?.kind === 'FederatedUser') throw awsError('AccessDenied', MFA_UNKNOWN_DEVICE);
    const device = view.mfaDevice(serial);
    const user = view.user(principal.account, principal.userName);
    if (
      !device ||
      !user ||
      serialAccount(serial) !== principal.account ||
      device.userName?.toLowerCase() !== principal.userName.toLowerCase() ||
      !user.mfaDevices.includes(serial)
    ) {
      throw awsError('AccessDenied', MFA_UNKNOWN_DEVICE);
    }
    const step = this.match(device.codes, device.firstStep, code, Math.floor(now.getTime() / STEP_MS));
    if (step === undefined || step <= (this.lastStep.get(serial) ?? -Infinity)) throw awsError('AccessDenied', MFA_INVALID_CODE);
    this.remember(serial, step);
  }

  /** The latest step among now-1..now+1 whose code is `code`; every candidate is compared. */
  private match(codes: string | undefined, firstStep: number | undefined, code: string, now: number): number | undefined {
    if (codes === undefined || firstStep === undefined) return undefined;
    const count = Math.floor(codes.length / DIGITS);
    let found: number | undefined;
    for (let step = now - 1; step <= now + 1; step++) {
      const i = step - firstStep;
      if (i < 0 || i >= count) continue;
      if (constantTimeEqual(codes.slice(i * DIGITS, i * DIGITS + DIGITS), code)) found = step;
    }
    return found;
  }

  private remember(serial: string, step: number): void {
    if (this.lastStep.size >= MAX_REMEMBERED && !this.lastStep.has(serial)) {
      // Steps more than one behind `step` can no longer be presented (the window is ±1).
      for (const [s, last] of this.lastStep) if (last < step - 2) this.lastStep.delete(s);
      if (this.lastStep.size >= MAX_REMEMBERED) this.lastStep.delete(this.lastStep.keys().next().value as string);
    }
    this.lastStep.set(serial, step);
  }
}
