// A fetched JWK Set's text as a ring of verifying keys: the members this issuer may sign with,
// checked as strictly as configured keys, the weak or broken ones left out with a warning.
import { JwksError } from '../errors.ts'
import type { JsonObject } from '../jws/compact.ts'
import { algorithmNamed, isSymmetric, keyAlgorithms, type Algorithm } from '../keys/algorithms.ts'
import type { CryptoProvider } from '../keys/crypto.ts'
import { checkJwk, thumbprint, type CheckedJwk } from '../keys/jwk.ts'
import { ringKey } from '../keys/resolve.ts'
import { KeyRing, type RingKey } from '../keys/ring.ts'
import { JWKS_LIMITS } from './fetch.ts'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']

/**
 * The algorithm a published key is bound to: its own `alg` when in `allowed`, or, without one, its
 * type's (EC P-256 → ES256, P-384 → ES384, OKP Ed25519 → EdDSA, RSA → RS256 if allowed, else
 * PS256). Never an HMAC algorithm. Undefined: the key is not used.
 */
export function boundAlgorithm(raw: Record<string, unknown>, allowed: ReadonlySet<Algorithm>): Algorithm | undefined {
  if (raw.alg !== undefined) {
    const alg = algorithmNamed(raw.alg)
    return alg !== undefined && !isSymmetric(alg) && allowed.has(alg) ? alg : undefined
  }
  return keyAlgorithms(raw).find((alg) => !isSymmetric(alg) && allowed.has(alg))
}

/**
 * The usable keys of a JWK Set's text: signature keys (`use` absent or `sig`) whose algorithm
 * `boundAlgorithm` allows and that pass the same checks as configured keys (curve, RSA size and
 * exponent, small-order Ed25519 points), their public members only; a key without `kid` gets its
 * RFC 7638 thumbprint. A key of an allowed algorithm that fails them is left out and told to `warn`
 * by its kid and the rule, never its material. Throws JwksError when the text is not a JWK Set or
 * holds no usable key.
 */
export async function remoteRing(body: string, allowed: ReadonlySet<Algorithm>, provider: CryptoProvider, label: string, warn: (message: string) => void = () => {}): Promise<KeyRing> {
  let set: unknown
  try {
    set = JSON.parse(body)
  } catch {
    throw new JwksError('body is not JSON')
  }
  const members = typeof set === 'object' && set !== null ? (set as JsonObject).keys : undefined
  if (!Array.isArray(members)) throw new JwksError('body is not a JWK Set {"keys":[...]}')
  const keys: RingKey[] = []
  for (const [index, member] of members.entries()) {
    if (keys.length >= JWKS_LIMITS.maxKeys) break
    if (typeof member !== 'object' || member === null || Array.isArray(member)) continue
    const raw = { ...(member as Record<string, unknown>) }
    if (raw.use !== undefined && raw.use !== 'sig') continue
    const alg = boundAlgorithm(raw, allowed)
    if (alg === undefined) continue
    for (const name of PRIVATE_MEMBERS) delete raw[name]
    // A weak or broken key is left out; the others still verify. checkJwk's text names the key
    // and the rule only.
    let checked: CheckedJwk
    try {
      checked = checkJwk({ ...raw, alg, use: undefined }, index, label)
    } catch (error) {
      warn(`${error instanceof Error ? error.message : label}; this key is not used, the others still verify`)
      continue
    }
    checked.kid ??= await thumbprint(checked.public)
    try {
      keys.push(await ringKey(checked, provider))
    } catch {
      // The runtime refused the material (a point off its curve, say).
      warn(`${label}: key ${JSON.stringify(checked.kid.slice(0, 100))} cannot be imported as ${alg}; this key is not used, the others still verify`)
    }
  }
  if (keys.length === 0) throw new JwksError(`no usable key (of ${members.length}) for ${[...allowed].join(', ')}`)
  return new KeyRing(keys, { findByKid: true })
}

