// The options every entry point verifies with, declared and checked once: createHallpass,
// createVerifier and hallpass() (hallpass/hono) take them alike. Each entry point names them as its
// users write them: HALLPASS_… for createHallpass (the node and the worker configure it by the
// environment), the option's own name for the others.
import { ConfigError } from '../errors.ts'
import type { JwksCache } from '../jwks/cache.ts'
import type { FetchLike } from '../jwks/fetch.ts'
import type { CryptoProvider } from '../keys/crypto.ts'
import { checkJwk, keysOf } from '../keys/jwk.ts'
import { parseSecret } from '../keys/secret.ts'
import { checkTrustedIssuers, trustedIssuers, type CheckedIssuer, type TrustedIssuer, type TrustedIssuerConfig } from '../keys/trusted.ts'
import { checkedNumber, checkedText, SETTINGS } from '../protocol/settings.ts'

export interface VerifyOptions {
  /** HS256 key of access tokens: a string (its UTF-8 bytes), a JSON JWK `{"kty":"oct","k":…}`, or raw bytes; at least 32 bytes. */
  secret?: string | Uint8Array<ArrayBuffer>
  /**
   * Instead of `secret`: the access-token keys, a JWK Set (JSON text or object) of HS256/384/512,
   * RS256, PS256, ES256, ES384 or EdDSA keys, each with its `alg`, selected by `kid`. Keys with
   * private material sign too (createHallpass); public keys only verify.
   */
  keys?: string | { keys: unknown[] }
  /** Put in issued tokens as `iss`, and required on verify. */
  issuer?: string
  /**
   * Put in issued tokens as `aud`, and required on verify; required of a trusted issuer's tokens
   * too, unless that issuer has an `audience` of its own.
   */
  audience?: string
  /** Leeway in seconds for `exp` and `nbf` (0). */
  clockTolerance?: number
  /** The clock, epoch milliseconds (`Date.now`). */
  clock?: () => number
  /** Signing and verifying primitives; WebCrypto by default. The stdin node plugs in node:crypto. */
  crypto?: CryptoProvider
  /**
   * Other issuers (Auth0, Cognito, Cloudflare Access, Supabase, another hallpass) whose access
   * tokens verify with the keys they publish (HALLPASS_TRUSTED_ISSUERS): JSON text or the array of
   * `{ issuer, jwks_uri, audience?, algorithms? }`. A token is theirs by its exact `iss`, and only
   * their keys verify it.
   */
  trustedIssuers?: string | readonly TrustedIssuerConfig[]
  /**
   * Where fetched JWK Sets are kept beyond this instance's memory (the Workers Cache API:
   * `cacheApiJwksCache(caches.default, secret)`), so a new instance verifies without fetching.
   * What it returns is trusted as the issuers' keys: only your code may write to it.
   */
  jwksCache?: JwksCache
  /** What fetches trusted issuers' JWK Sets; the global `fetch` by default. */
  fetch?: FetchLike
  /**
   * Told of configuration warnings and of a trusted issuer's JWK Set that cannot be fetched (the
   * issuer and the reason, never a token); `console.warn` by default.
   */
  onWarning?: (message: string) => void
}

/** The verify options once checked: numbers defaulted, texts and trusted issuers validated. */
export interface CheckedVerifyOptions {
  issuer: string | undefined
  audience: string | undefined
  clockTolerance: number
  clock: () => number
  warn: (message: string) => void
  trusted: CheckedIssuer[]
}

/** How an entry point names its options in errors: `environment` for HALLPASS_…, or a prefix before the option's own name. */
export type OptionNames = 'environment' | { prefix: string }

function nameOf(names: OptionNames, option: 'secret' | 'keys' | 'issuer' | 'audience' | 'clockTolerance' | 'trustedIssuers'): string {
  return names === 'environment' ? SETTINGS[option].env : `${names.prefix}${option}`
}

/**
 * Checks the options every entry point verifies with, synchronously, so that a bad option fails
 * where it is given (hallpass() at construction, not at the first request). Throws ConfigError
 * naming the option, never a secret.
 */
export function checkVerifyOptions(options: VerifyOptions, names: OptionNames): CheckedVerifyOptions {
  const issuer = checkedText('issuer', options.issuer, nameOf(names, 'issuer'))
  for (const [option, value] of [['clock', options.clock], ['fetch', options.fetch], ['onWarning', options.onWarning]] as const) {
    if (value !== undefined && typeof value !== 'function') throw new ConfigError(`${names === 'environment' ? '' : names.prefix}${option} must be a function`)
  }
  return {
    issuer,
    audience: checkedText('audience', options.audience, nameOf(names, 'audience')),
    clockTolerance: checkedNumber('clockTolerance', options.clockTolerance, nameOf(names, 'clockTolerance')),
    clock: options.clock ?? Date.now,
    warn: options.onWarning ?? ((message: string) => console.warn(message)),
    trusted: options.trustedIssuers === undefined ? [] : checkTrustedIssuers(options.trustedIssuers, issuer, nameOf(names, 'trustedIssuers')),
  }
}

/**
 * A verifier's own key, checked in its form (the key is imported later, asynchronously): exactly
 * one of `secret` and `keys`, or `trustedIssuers` alone.
 */
export function checkVerifierKey(options: VerifyOptions, names: OptionNames): void {
  const given = (options.secret === undefined ? 0 : 1) + (options.keys === undefined ? 0 : 1)
  if (given > 1 || (given === 0 && options.trustedIssuers === undefined)) {
    throw new ConfigError(`give exactly one of ${nameOf(names, 'secret')} and ${nameOf(names, 'keys')} (with or without ${nameOf(names, 'trustedIssuers')}), or ${nameOf(names, 'trustedIssuers')} alone`)
  }
  if (options.secret !== undefined) {
    if (typeof options.secret !== 'string' && !(options.secret instanceof Uint8Array)) throw new ConfigError(`${nameOf(names, 'secret')} must be a string or bytes`)
    parseSecret(options.secret, nameOf(names, 'secret'))
  } else if (options.keys !== undefined) {
    for (const [index, key] of keysOf(options.keys, nameOf(names, 'keys')).entries()) checkJwk(key, index, nameOf(names, 'keys'))
  }
}

/** The trusted issuers of checked options by `iss`, each with its key set (fetched on first use). */
export function trustedIssuersOf(checked: CheckedVerifyOptions, options: VerifyOptions, audienceSetting: string): ReadonlyMap<string, TrustedIssuer> | undefined {
  return trustedIssuers(checked.trusted, {
    fetch: options.fetch,
    clock: checked.clock,
    cache: options.jwksCache,
    log: checked.warn,
    crypto: options.crypto,
    clockTolerance: checked.clockTolerance,
    audience: checked.audience,
    audienceSetting,
  })
}
