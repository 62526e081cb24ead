// HALLPASS_TRUSTED_ISSUERS: other issuers whose tokens this node verifies with the keys they
// publish at their jwks_uri. The configuration is checked at start; a token's `iss` picks the
// issuer (before the signature, only to choose the key set), and that issuer's keys alone verify it.
import { ConfigError } from '../errors.ts'
import { checkHeader, HeaderVerdicts, type AcceptedHeader, type HeaderVerdict } from '../jws/header.ts'
import type { KeySource } from '../jws/verify.ts'
import type { ClaimRules } from '../jwt/claims.ts'
import type { Maybe } from '../lib/maybe.ts'
import type { RingKey } from './ring.ts'
import { ALGORITHMS, algorithmNamed, isSymmetric, type Algorithm } from './algorithms.ts'
import type { CryptoProvider } from './crypto.ts'
import type { JwksCache } from '../jwks/cache.ts'
import type { FetchLike } from '../jwks/fetch.ts'
import { RemoteKeySet } from '../jwks/remote.ts'

/** One trusted issuer as configured (PROTOCOL's member names). */
export interface TrustedIssuerConfig {
  issuer: string
  jwks_uri: string
  /** Required `aud` (equal, or in the array). */
  audience?: string
  /** The asymmetric algorithms its tokens may use (default: all of them). */
  algorithms?: string[]
}

/** A trusted issuer after the start-up checks. */
export interface CheckedIssuer {
  issuer: string
  jwksUri: string
  audience: string | undefined
  algorithms: Algorithm[]
}

export const ASYMMETRIC_ALGORITHMS = (Object.keys(ALGORITHMS) as Algorithm[]).filter((alg) => !isSymmetric(alg))

const MEMBERS = new Set(['issuer', 'jwks_uri', 'audience', 'algorithms'])

/** localhost, 127.0.0.0/8 and [::1]: the only hosts a jwks_uri may reach over plain HTTP (tests). */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text)
}

/**
 * Checks HALLPASS_TRUSTED_ISSUERS (JSON text or the parsed array). Throws ConfigError naming the
 * issuer and the problem: not JSON, not an array of objects, an unknown member, an issuer missing
 * or given twice or equal to this node's own `iss`, a jwks_uri that is not https:// (http:// to
 * loopback only) or carries credentials, an algorithm that is unknown or HMAC, an empty audience.
 */
export function checkTrustedIssuers(value: unknown, ownIssuer: string | undefined, setting = 'HALLPASS_TRUSTED_ISSUERS'): CheckedIssuer[] {
  let list = value
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value)
    } catch {
      throw new ConfigError(`${setting} is not valid JSON: expected [{"issuer":"...","jwks_uri":"https://..."}]`)
    }
  }
  if (!Array.isArray(list)) throw new ConfigError(`${setting} must be a JSON array of {"issuer","jwks_uri","audience"?,"algorithms"?}`)
  const seen = new Set<string>()
  return list.map((entry: unknown, index) => {
    let name = `issuer #${index + 1}`
    const fail = (problem: string): never => {
      throw new ConfigError(`${setting}: ${name}: ${problem}`)
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail('must be a JSON object {"issuer","jwks_uri"}')
    const raw = entry as Record<string, unknown>
    if (typeof raw.issuer !== 'string' || raw.issuer === '') fail('"issuer" must be a non-empty string')
    const issuer = raw.issuer as string
    name = `issuer ${quoted(issuer)}`
    for (const member of Object.keys(raw)) if (!MEMBERS.has(member)) fail(`unknown member ${quoted(member)} (expected issuer, jwks_uri, audience, algorithms)`)
    if (seen.has(issuer)) fail('is listed twice')
    seen.add(issuer)
    if (ownIssuer !== undefined && issuer === ownIssuer) fail("is this node's own HALLPASS_ISSUER: its tokens are verified with this node's keys")
    if (typeof raw.jwks_uri !== 'string') fail('"jwks_uri" must be a string')
    let url: URL
    try {
      url = new URL(raw.jwks_uri as string)
    } catch {
      return fail('"jwks_uri" is not a URL')
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) fail('"jwks_uri" must be https:// (plain http:// only to localhost, 127.0.0.0/8 or [::1])')
    if (url.username !== '' || url.password !== '') fail('"jwks_uri" must not carry credentials')
    if (raw.audience !== undefined && (typeof raw.audience !== 'string' || raw.audience === '')) fail('"audience" must be a non-empty string')
    let algorithms = ASYMMETRIC_ALGORITHMS
    if (raw.algorithms !== undefined) {
      if (!Array.isArray(raw.algorithms) || raw.algorithms.length === 0) fail('"algorithms" must be a non-empty array')
      algorithms = (raw.algorithms as unknown[]).map((given) => {
        const alg = algorithmNamed(given)
        if (alg === undefined) return fail(`algorithm ${quoted(String(given))} is not one of ${ASYMMETRIC_ALGORITHMS.join(', ')}`)
        if (isSymmetric(alg)) fail(`${alg} is an HMAC algorithm: a trusted issuer's tokens must be signed with a private key (one of ${ASYMMETRIC_ALGORITHMS.join(', ')})`)
        return alg
      })
      algorithms = [...new Set(algorithms)]
    }
    return { issuer, jwksUri: url.href, audience: raw.audience as string | undefined, algorithms }
  })
}

/**
 * One trusted issuer as a key source (jws/verify.ts): its own allow-list (asymmetric algorithms
 * only), its published keys, its claim rules. Its tokens are access tokens only: a refresh `typ` is
 * wrong_token_type before any key is sought, any other is refused after the signature. Its keys
 * change as the issuer rotates them, so a verdict never holds one: each verify asks the key set.
 */
export class TrustedIssuer implements KeySource {
  readonly issuer: string
  readonly algorithms: ReadonlySet<Algorithm>
  /** `iss` is this issuer (it was chosen by it), `aud` its audience, times with this node's tolerance. */
  readonly rules: ClaimRules
  readonly keys: RemoteKeySet
  readonly #verdicts: HeaderVerdicts<RingKey>

  constructor(checked: CheckedIssuer, keys: RemoteKeySet, rules: ClaimRules) {
    this.issuer = checked.issuer
    this.algorithms = new Set(checked.algorithms)
    this.keys = keys
    this.rules = rules
    this.#verdicts = new HeaderVerdicts<RingKey>((header) => {
      const verdict = checkHeader(header, (kind) => (kind === 'refresh' ? undefined : this.algorithms))
      return verdict.error !== undefined ? verdict : { ...verdict, header, key: undefined }
    })
  }

  judge(segment: string): HeaderVerdict<RingKey> {
    return this.#verdicts.judge(segment)
  }

  key(accepted: AcceptedHeader<RingKey>): Maybe<RingKey | undefined> {
    return this.keys.key(accepted.header)
  }
}

export interface TrustedOptions {
  fetch?: FetchLike | undefined
  /** Epoch milliseconds. */
  clock: () => number
  cache?: JwksCache | undefined
  log: (message: string) => void
  crypto?: CryptoProvider | undefined
  clockTolerance: number
  /** This node's own required `aud` (HALLPASS_AUDIENCE): required of an issuer that sets none of its own. */
  audience: string | undefined
  /** Its setting's name, for the warning about an issuer that no audience applies to. */
  audienceSetting: string
}

/**
 * The trusted issuers by `iss`, each with its key set; undefined when there are none. An issuer's
 * tokens must carry its own `audience`, else this node's (RFC 8725 §3.9: a token another API of
 * the same issuer was given must not pass here); with neither, any `aud` passes, and `log` is told
 * so once per issuer.
 */
export function trustedIssuers(checked: readonly CheckedIssuer[], options: TrustedOptions): ReadonlyMap<string, TrustedIssuer> | undefined {
  if (checked.length === 0) return undefined
  const now = () => Math.floor(options.clock() / 1000)
  return new Map(
    checked.map((issuer) => {
      const keys = new RemoteKeySet({ issuer: issuer.issuer, uri: issuer.jwksUri, algorithms: issuer.algorithms, fetch: options.fetch, clock: options.clock, cache: options.cache, log: options.log, crypto: options.crypto })
      const audience = issuer.audience ?? options.audience
      if (audience === undefined) {
        options.log(`trusted issuer ${quoted(issuer.issuer)}: neither its "audience" nor ${options.audienceSetting} is set, so its tokens pass whatever their "aud" (a token it gave another API too): set one (RFC 8725 §3.9)`)
      }
      const rules: ClaimRules = { issuer: issuer.issuer, audience, clockTolerance: options.clockTolerance, now }
      return [issuer.issuer, new TrustedIssuer(issuer, keys, rules)]
    }),
  )
}
