/** Session tokens and their key schedule. */
export { issuingKey, MAX_SESSION_SECONDS, tokenKeyForDay, tokenKeySchedule, utcDay, type TokenKey } from './token-keys.js';
export { openAuthorizationMessage, openSessionToken, sealAuthorizationMessage, sealedKeyId, sealSessionToken } from './session-token.js';
