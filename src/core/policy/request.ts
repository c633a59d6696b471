/** An authorization question put to the engine. */
export type ContextValue = string | readonly string[];

export interface AuthzRequest {
  /**
   * The caller: an IAM ARN (`arn:aws:iam::111122223333:user/alice`,
   * `arn:aws:sts::111122223333:assumed-role/Role/session`, `...:federated-user/name`,
   * `...:root`), or a service / identity-provider name (`lambda.amazonaws.com`,
   * `accounts.google.com`) for requests made by a service or a web identity.
   */
  principal: string;
  action: string;
  resource: string;
  /** The request context: complete and authoritative; keys are case-insensitive. */
  context?: Readonly<Record<string, ContextValue>>;
}
