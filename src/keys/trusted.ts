// HALLPASS_TRUSTED_ISSUERS: other issuers whose tokens this node verifies with the keys they
// publish at their jwks_uri. The configuration is checked at start; a token's `iss` picks the
// issuer (before the signature, only to choose the key set), and that issuer's keys alone verify it.
import { ConfigError, type TokenErrorCode } from '../errors.ts'
import { parseSegment, type JsonObject } from '../jws/compact.ts'
import type { ClaimRules } from '../jwt/claims.ts'
import { isTrustedAccessTyp } from '../jwt/typ.ts'
import { ALGORITHMS, algorithmNamed, isSymmetric, type Algorithm } from './algorithms.ts'
import type { CryptoProvider } from './crypto.ts'
import { RemoteKeySet, type FetchLike, type JwksCache } from './remote.ts'

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

/** What a header segment of a trusted issuer's token decides before the signature. */
export type TrustedVerdict = { header: JsonObject; access: boolean; error?: undefined } | { header?: undefined; error: TokenErrorCode }

const MAX_HEADERS = 64

/** One trusted issuer: its rules, its allow-list, its remote key set. */
export class TrustedIssuer {
  readonly issuer: string
  readonly algorithms: ReadonlySet<Algorithm>
  /** `iss` is this issuer (it was chosen by it), `aud` its audience, times with this node's tolerance. */
  readonly rules: ClaimRules
  readonly keys: RemoteKeySet
  readonly #verdicts = new Map<string, TrustedVerdict>()

  constructor(checked: CheckedIssuer, keys: RemoteKeySet, rules: ClaimRules) {
    this.issuer = checked.issuer
    this.algorithms = new Set(checked.algorithms)
    this.keys = keys
    this.rules = rules
  }

  /**
   * The algorithm allow-list (this issuer's; `none` and HMAC never), then `crit`, and whether
   * `typ` says access token (kept for after the signature). Throws malformed_token on a header
   * that is not a JSON object; a repeated header costs one Map lookup.
   */
  judge(segment: string): TrustedVerdict {
    const known = this.#verdicts.get(segment)
    if (known !== undefined) return known
    const header = parseSegment(segment)
    const alg = algorithmNamed(header.alg)
    let verdict: TrustedVerdict
    if (alg === undefined || !this.algorithms.has(alg)) verdict = { error: 'unsupported_algorithm' }
    else if (header.crit !== undefined) verdict = { error: 'malformed_token' }
    else verdict = { header, access: isTrustedAccessTyp(header) }
    if (this.#verdicts.size >= MAX_HEADERS) this.#verdicts.clear()
    this.#verdicts.set(segment, verdict)
    return verdict
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
