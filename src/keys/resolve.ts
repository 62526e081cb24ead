// The key rings of a node, from its options: one HS256 secret per kind (HALLPASS_SECRET, as in v1)
// or a JWK Set of access keys (HALLPASS_KEYS) with HS256 refresh keys of their own.
import { ConfigError } from '../errors.ts'
import { encode } from '../lib/base64url.ts'
import type { Maybe } from '../lib/maybe.ts'
import type { JsonObject } from '../jws/compact.ts'
import { encodeHeader } from '../jws/sign.ts'
import type { Algorithm } from './algorithms.ts'
import { webCrypto, type CryptoProvider } from './crypto.ts'
import { checkKeySet, publicJwk, type CheckedJwk } from './jwk.ts'
import { KeyRing, type RingKey } from './ring.ts'
import { deriveRefreshSecret, parseSecret, randomSecret, sameBytes, type SecretMaterial } from './secret.ts'

/** A key that signs, with the protected header its tokens carry (encoded once). */
export interface SigningKey {
  header: string
  sign(input: string): Maybe<string>
}

export interface KeyOptions {
  secret?: string | Uint8Array<ArrayBuffer> | undefined
  refreshSecret?: string | Uint8Array<ArrayBuffer> | undefined
  keys?: string | { keys: unknown[] } | undefined
  signingKid?: string | undefined
  crypto?: CryptoProvider | undefined
  warn: (message: string) => void
}

export interface ResolvedKeys {
  access: KeyRing
  refresh: KeyRing
  /** The key new access tokens are signed with; undefined on a verify-only node. */
  accessSigner: SigningKey | undefined
  refreshSigner: SigningKey
  /** What `jwks` publishes: the public JWKs of every asymmetric access key. */
  published: Array<JsonWebKey & { kid: string }>
}

/** A secret as the HS256 JWK it is. */
export function secretJwk(material: SecretMaterial, alg: Algorithm = 'HS256'): CheckedJwk {
  return { alg, kid: material.kid, public: { kty: 'oct' }, private: { kty: 'oct', k: encode(material.bytes) }, secret: material.bytes }
}

/** Imports a checked key for a ring: bound to its one algorithm. */
export async function ringKey(jwk: CheckedJwk, provider: CryptoProvider = webCrypto): Promise<RingKey> {
  const ops = await provider.importKey(jwk, jwk.alg)
  const key: RingKey = { alg: jwk.alg, verify: (input, signature) => ops.verify(input, signature) }
  if (jwk.kid !== undefined) key.kid = jwk.kid
  if (ops.sign !== undefined) key.signer = { sign: ops.sign }
  return key
}

/** The encoded header and signer of a ring key that signs tokens of `typ`. */
export function signingKey(key: RingKey, typ: string): SigningKey {
  const header: JsonObject = { alg: key.alg, typ }
  if (key.kid !== undefined) header.kid = key.kid
  return { header: encodeHeader(header), sign: key.signer!.sign }
}

async function importAll(jwks: CheckedJwk[], provider: CryptoProvider | undefined, setting: string): Promise<RingKey[]> {
  return Promise.all(
    jwks.map((jwk) =>
      ringKey(jwk, provider).catch((cause: unknown) => {
        // The runtime refused the material itself (a point off its curve, say): name the key only.
        throw new ConfigError(`${setting}: key "${jwk.kid ?? '?'}" cannot be imported as ${jwk.alg}: it is not a valid key`, { cause })
      }),
    ),
  )
}

/** HALLPASS_REFRESH_SECRET with a key ring: a secret (string or JWK) or a JWK Set of HS256 `oct` keys. */
async function refreshKeys(value: string | Uint8Array<ArrayBuffer>): Promise<{ jwks: CheckedJwk[]; findByKid: boolean }> {
  const name = 'HALLPASS_REFRESH_SECRET'
  if (typeof value === 'string' && /^\s*\{[\s\S]*"keys"\s*:/.test(value)) {
    const jwks = await checkKeySet(value, name, 'HS256')
    for (const jwk of jwks) if (jwk.alg !== 'HS256') throw new ConfigError(`${name}: key "${jwk.kid}": refresh tokens are HS256 only`)
    return { jwks, findByKid: true }
  }
  return { jwks: [secretJwk(parseSecret(value, name))], findByKid: false }
}

/** Builds both rings and the signing keys; throws ConfigError on anything PROTOCOL refuses at start. */
export async function resolveKeys(options: KeyOptions, accessTyp: string, refreshTyp: string): Promise<ResolvedKeys> {
  if (options.keys !== undefined && options.keys !== '') {
    if (options.secret !== undefined) throw new ConfigError('HALLPASS_SECRET and HALLPASS_KEYS are two forms of one setting: set only one')
    return resolveKeyRing(options, accessTyp, refreshTyp)
  }
  if (options.signingKid !== undefined) throw new ConfigError('HALLPASS_SIGNING_KID names a key of HALLPASS_KEYS, which is not set')
  let access: SecretMaterial
  if (options.secret === undefined) {
    access = randomSecret()
    options.warn('HALLPASS_SECRET is not set: using a random secret for this process. Its tokens stop verifying when it exits, and no other service can verify them.')
  } else {
    access = parseSecret(options.secret, 'HALLPASS_SECRET')
  }
  const refresh = options.refreshSecret === undefined ? await deriveRefreshSecret(access) : parseSecret(options.refreshSecret, 'HALLPASS_REFRESH_SECRET')
  if (options.refreshSecret !== undefined && sameBytes(access.bytes, refresh.bytes)) {
    throw new ConfigError('HALLPASS_REFRESH_SECRET must differ from HALLPASS_SECRET: a refresh token must never verify as an access token')
  }
  const [accessKey, refreshKey] = await Promise.all([ringKey(secretJwk(access), options.crypto), ringKey(secretJwk(refresh), options.crypto)])
  // One secret per kind: a header's kid is not used to find the key (PROTOCOL v1).
  return {
    access: new KeyRing([accessKey], { findByKid: false }),
    refresh: new KeyRing([refreshKey], { findByKid: false }),
    accessSigner: signingKey(accessKey, accessTyp),
    refreshSigner: signingKey(refreshKey, refreshTyp),
    published: [],
  }
}

async function resolveKeyRing(options: KeyOptions, accessTyp: string, refreshTyp: string): Promise<ResolvedKeys> {
  const accessJwks = await checkKeySet(options.keys, 'HALLPASS_KEYS')
  if (options.refreshSecret === undefined) {
    throw new ConfigError('HALLPASS_REFRESH_SECRET is required with HALLPASS_KEYS: refresh tokens are HS256 under a key of their own')
  }
  const refresh = await refreshKeys(options.refreshSecret)
  for (const refreshJwk of refresh.jwks) {
    for (const accessJwk of accessJwks) {
      if (accessJwk.secret !== undefined && sameBytes(accessJwk.secret, refreshJwk.secret!)) {
        throw new ConfigError(`HALLPASS_REFRESH_SECRET must differ from every key of HALLPASS_KEYS (it equals key "${accessJwk.kid}")`)
      }
    }
  }
  let signer: CheckedJwk | undefined
  if (options.signingKid !== undefined) {
    signer = accessJwks.find((jwk) => jwk.kid === options.signingKid)
    if (signer === undefined) throw new ConfigError(`HALLPASS_SIGNING_KID: no key of HALLPASS_KEYS has the kid "${options.signingKid.slice(0, 100)}"`)
    if (signer.private === undefined) throw new ConfigError(`HALLPASS_SIGNING_KID: key "${signer.kid}" has no private material: it can only verify`)
  } else {
    signer = accessJwks.find((jwk) => jwk.private !== undefined)
  }
  const [accessKeys, refreshRingKeys] = await Promise.all([importAll(accessJwks, options.crypto, 'HALLPASS_KEYS'), importAll(refresh.jwks, options.crypto, 'HALLPASS_REFRESH_SECRET')])
  const signingRingKey = signer === undefined ? undefined : accessKeys[accessJwks.indexOf(signer)]!
  return {
    access: new KeyRing(accessKeys, { findByKid: true }),
    refresh: new KeyRing(refreshRingKeys, { findByKid: refresh.findByKid }),
    accessSigner: signingRingKey === undefined ? undefined : signingKey(signingRingKey, accessTyp),
    // The first refresh key signs; all of them verify (rotation of the refresh secret).
    refreshSigner: signingKey(refreshRingKeys[0]!, refreshTyp),
    published: accessJwks.filter((jwk) => jwk.public.kty !== 'oct').map(publicJwk),
  }
}
