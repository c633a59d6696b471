/**
 * Limits that protect the server from oversized or slow requests. Documented in
 * docs/operations.md; every one answers an AWS-style error, never a crash or a hang.
 */
export interface ServerLimits {
  /** Largest request body accepted (bytes). */
  maxBodyBytes: number;
  /** Most form parameters in one request. */
  maxParameters: number;
  /** Time allowed to receive the headers (ms). */
  headersTimeoutMs: number;
  /** Time allowed to receive the whole request (ms). */
  requestTimeoutMs: number;
  /** Idle time before a kept-alive connection is closed (ms). */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  // The largest legitimate IAM request (SimulateCustomPolicy with several policies) stays far below.
  maxBodyBytes: 512 * 1024,
  maxParameters: 1000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};
