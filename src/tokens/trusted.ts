// Verifying a token of a trusted issuer (HALLPASS_TRUSTED_ISSUERS): that issuer's allow-list, its
// published keys, its `aud`; access tokens only. The same order as for this node's tokens: shape →
// algorithm → key → signature → kind (`typ`) → claims.
import { TokenError } from '../errors.ts'
import type { CompactParts, JsonObject } from '../jws/compact.ts'
import { checkClaims } from '../jwt/claims.ts'
import type { TokenKind } from '../jwt/typ.ts'
import type { RingKey } from '../keys/ring.ts'
import type { TrustedIssuer } from '../keys/trusted.ts'
import type { Verified } from './context.ts'

/** Synchronous when the keys are in memory and fresh and the key's check is (node:crypto). */
export function verifyTrusted(issuer: TrustedIssuer, parts: CompactParts, payload: JsonObject, expected: TokenKind | 'any'): Verified | Promise<Verified> {
  // Judged first so that a header that does not decode is malformed_token whatever is expected.
  const verdict = issuer.judge(parts.header)
  // Such tokens are access tokens only, whatever they say: never spend one as a refresh token.
  if (expected === 'refresh') throw new TokenError('wrong_token_type')
  if (verdict.error !== undefined) throw new TokenError(verdict.error)
  const { access } = verdict
  const key = issuer.keys.key(verdict.header)
  if (key === undefined || !('then' in key)) return withKey(issuer, key, access, parts, payload)
  return key.then((found) => withKey(issuer, found, access, parts, payload))
}

function withKey(issuer: TrustedIssuer, key: RingKey | undefined, access: boolean, parts: CompactParts, payload: JsonObject): Verified | Promise<Verified> {
  if (key === undefined) throw new TokenError('unknown_key')
  const good = key.verify(parts.signingInput, parts.signature)
  if (typeof good === 'boolean') return afterSignature(issuer, good, access, payload)
  return good.then((ok) => afterSignature(issuer, ok, access, payload))
}

function afterSignature(issuer: TrustedIssuer, good: boolean, access: boolean, payload: JsonObject): Verified {
  if (!good) throw new TokenError('invalid_signature')
  if (!access) throw new TokenError('wrong_token_type')
  return { kind: 'access', payload, now: checkClaims(payload, issuer.rules), trusted: true }
}
