/**
 * DecodeAuthorizationMessage: the details of a denied request that an AccessDenied answer carried
 * encoded (sealed with a token key, core/tokens), as JSON text. It needs
 * `sts:DecodeAuthorizationMessage`. Messages open in every region while their token key is
 * published; after that, or when tampered with, they are InvalidAuthorizationMessageException.
 */
import { parseArn } from '../../core/arn.js';
import { awsError } from '../../core/errors/index.js';
import type { Principal } from '../../core/model/principal.js';
import { openAuthorizationMessage } from '../../core/tokens/index.js';
import { authorize, callerContext, str, type StsContext } from './sts-context.js';

// DIVERGENCE: AWS's wire message for this error is not documented; this follows the model's
// description of it ("invalid … or the message has expired").
export const INVALID_MESSAGE = 'The encoded authorization message is invalid or has expired.';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The account of the denied principal, when the message names it the way AWS's do (`context.principal.arn`). */
function principalAccount(message: Record<string, unknown>): string | undefined {
  const context = message.context as { principal?: { arn?: unknown } } | undefined;
  const arn = context?.principal?.arn;
  return typeof arn === 'string' ? parseArn(arn)?.account : undefined;
}

export function decodeAuthorizationMessage(ctx: StsContext, input: Record<string, unknown>, caller: Principal): { decodedMessage: string } {
  authorize(caller, 'sts:DecodeAuthorizationMessage', '*', callerContext(ctx, caller), ctx.view.policySets(caller));
  const encoded = str(input, 'encodedMessage') ?? '';
  // AWS-COMPAT: "invalid characters, such as line breaks" make a message invalid; base64 decoding
  // alone would skip them.
  const message = BASE64.test(encoded) ? openAuthorizationMessage(encoded, (id) => ctx.view.verifyingTokenKey(id, ctx.now)) : undefined;
  if (!message) throw awsError('InvalidAuthorizationMessageException', INVALID_MESSAGE);
  // The details may be privileged: only the account whose request was denied may read them.
  const account = principalAccount(message);
  if (account !== undefined && account !== caller.account) throw awsError('InvalidAuthorizationMessageException', INVALID_MESSAGE);
  return { decodedMessage: JSON.stringify(message) };
}
