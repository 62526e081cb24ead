// A verifier of access tokens alone: keys and claim rules, no store, no refresh key. It is what
// `hallpass/hono` verifies with when given a secret or keys (stateless: blind to revocations).
import type { JsonObject } from '../jws/compact.ts'
import { checkKeySet } from '../keys/jwk.ts'
import { ringKey, secretJwk } from '../keys/resolve.ts'
import { KeyRing, OwnKeys } from '../keys/ring.ts'
import { parseSecret } from '../keys/secret.ts'
import { andThen, promised } from '../lib/maybe.ts'
import type { VerifyContext } from './context.ts'
import { checkVerifierKey, checkVerifyOptions, trustedIssuersOf, type CheckedVerifyOptions, type OptionNames, type VerifyOptions } from './options.ts'
import { verifyToken } from './verify.ts'

/** What verifies an access token: all its claims, or a TokenError. */
export interface Verifier {
  verify(token: string): Promise<JsonObject>
}

/** Checks a verifier's options, its own key's form included, synchronously; throws ConfigError naming the option. */
export function checkVerifier(options: VerifyOptions, names: OptionNames): CheckedVerifyOptions {
  checkVerifierKey(options, names)
  return checkVerifyOptions(options, names)
}

/** Imports the key of options that `checkVerifier` passed: the verifier. */
export async function importVerifier(options: VerifyOptions, checked: CheckedVerifyOptions, names: OptionNames): Promise<Verifier> {
  const keysName = names === 'environment' ? 'HALLPASS_KEYS' : `${names.prefix}keys`
  const ring =
    options.keys !== undefined
      ? new KeyRing(await Promise.all((await checkKeySet(options.keys, keysName)).map((jwk) => ringKey(jwk, options.crypto))), { findByKid: true })
      : options.secret !== undefined
        ? new KeyRing([await ringKey(secretJwk(parseSecret(options.secret, 'secret')), options.crypto)], { findByKid: false })
        : // Trusted issuers only: no key of its own, so every other token is unsupported_algorithm.
          new KeyRing([], { findByKid: true })
  const { clock } = checked
  const ctx: VerifyContext = {
    // No refresh ring: a refresh token is the wrong type here, whatever its signature.
    keys: new OwnKeys(ring, undefined),
    decodeText: options.crypto?.decodeText,
    issuer: checked.issuer,
    audience: checked.audience,
    clockTolerance: checked.clockTolerance,
    now: () => Math.floor(clock() / 1000),
    trusted: trustedIssuersOf(checked, options, names === 'environment' ? 'HALLPASS_AUDIENCE' : `${names.prefix}audience`),
  }
  return {
    verify: (token) => promised(() => andThen(verifyToken(ctx, token, 'access'), (verified) => verified.payload)),
  }
}

/**
 * A verifier of access tokens from the options every entry point shares (exactly one of `secret`
 * and `keys`, or `trustedIssuers` alone): checks them, imports the key once; throws ConfigError.
 */
export async function createVerifier(options: VerifyOptions = {}): Promise<Verifier> {
  const names: OptionNames = { prefix: '' }
  return importVerifier(options, checkVerifier(options, names), names)
}
