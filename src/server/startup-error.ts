/** A start-up problem the operator must fix; the message says what. */
export class StartupError extends Error {
  override name = 'StartupError';
}
