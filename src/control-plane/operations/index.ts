/** Every IAM operation the control plane implements. */
import type { AnyOperation } from '../context.js';
import { ACCESS_KEY_OPERATIONS } from './access-keys.js';
import { ACCOUNT_ALIAS_OPERATIONS } from './account-aliases.js';
import { ACCOUNT_DETAIL_OPERATIONS } from './account-details.js';
import { ATTACHMENT_OPERATIONS } from './attachments.js';
import { BOUNDARY_OPERATIONS } from './boundaries.js';
import { CREDENTIAL_REPORT_OPERATIONS } from './credential-report.js';
import { GROUP_OPERATIONS } from './groups.js';
import { INLINE_POLICY_OPERATIONS } from './inline-policies.js';
import { INSTANCE_PROFILE_OPERATIONS } from './instance-profiles.js';
import { LOGIN_PROFILE_OPERATIONS } from './login-profiles.js';
import { MANAGED_POLICY_OPERATIONS } from './policies.js';
import { MFA_DEVICE_OPERATIONS } from './mfa-devices.js';
import { PASSWORD_POLICY_OPERATIONS } from './password-policy.js';
import { ROLE_OPERATIONS } from './roles.js';
import { SIMULATION_OPERATIONS } from './simulation.js';
import { UNISSUED_CREDENTIAL_OPERATIONS } from './unissued-credentials.js';
import { USER_OPERATIONS } from './users.js';

export const IAM_OPERATIONS: readonly AnyOperation[] = [
  ...USER_OPERATIONS,
  ...GROUP_OPERATIONS,
  ...ROLE_OPERATIONS,
  ...INSTANCE_PROFILE_OPERATIONS,
  ...INLINE_POLICY_OPERATIONS,
  ...BOUNDARY_OPERATIONS,
  ...MANAGED_POLICY_OPERATIONS,
  ...ATTACHMENT_OPERATIONS,
  ...ACCOUNT_DETAIL_OPERATIONS,
  ...ACCESS_KEY_OPERATIONS,
  ...LOGIN_PROFILE_OPERATIONS,
  ...PASSWORD_POLICY_OPERATIONS,
  ...MFA_DEVICE_OPERATIONS,
  ...ACCOUNT_ALIAS_OPERATIONS,
  ...CREDENTIAL_REPORT_OPERATIONS,
  ...UNISSUED_CREDENTIAL_OPERATIONS,
  ...SIMULATION_OPERATIONS,
];
