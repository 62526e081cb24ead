// Compact JWS verification against a key source: header checks → key → signature. A key source is
// this node's own key rings or a trusted issuer's published keys: the same thing to verify (as
// jose's key resolver). Synchronous when the key is at hand and its check is (node:crypto), so the
// hot path awaits nothing.
import { TokenError } from '../errors.ts'
import type { TokenKind } from '../jwt/typ.ts'
import { isPending, type Maybe } from '../lib/maybe.ts'
import type { CompactParts } from './compact.ts'
import type { AcceptedHeader, HeaderVerdict } from './header.ts'

/** A key that checks signatures: bound to exactly one algorithm. */
export interface VerifyKey {
  alg: string
  kid?: string
  /** Whether `signature` (base64url, as in the token) is this key's signature of `input`. */
  verify(input: string, signature: string): Promise<boolean> | boolean
}

/** Where a token's key comes from. */
export interface KeySource {
  /** The verdict on a header segment (jws/header.ts), remembered per segment. */
  judge(segment: string): HeaderVerdict<VerifyKey>
  /** The key an accepted header selects when its verdict holds none: now, or once fetched. Undefined: unknown_key. */
  key(accepted: AcceptedHeader<VerifyKey>): Maybe<VerifyKey | undefined>
}

/**
 * The kind the token's header claims, once its signature has passed under the key `source`
 * selects; throws TokenError (unsupported_algorithm, malformed_token, unknown_key,
 * invalid_signature, wrong_token_type for a kind the source verifies no token of).
 */
export function verifySignature(parts: CompactParts, source: KeySource): Maybe<TokenKind | 'other'> {
  const verdict = source.judge(parts.header)
  if (verdict.error !== undefined) throw new TokenError(verdict.error)
  const key = verdict.key ?? source.key(verdict)
  if (isPending(key)) return key.then((found) => signedBy(found, parts, verdict.kind))
  return signedBy(key, parts, verdict.kind)
}

function signedBy(key: VerifyKey | undefined, parts: CompactParts, kind: TokenKind | 'other'): Maybe<TokenKind | 'other'> {
  if (key === undefined) throw new TokenError('unknown_key')
  const good = key.verify(parts.signingInput, parts.signature)
  if (good === true) return kind
  if (good === false) throw new TokenError('invalid_signature')
  return good.then((ok) => {
    if (!ok) throw new TokenError('invalid_signature')
    return kind
  })
}
