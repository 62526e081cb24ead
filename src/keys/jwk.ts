// JWKs as configured (HALLPASS_KEYS, HALLPASS_REFRESH_SECRET as a set, a pasted key): every check
// that keeps a key to one algorithm and to its strength, made once at start. Errors name the key
// by its kid (or its place in the set) and the problem, never its material.
import { ConfigError } from '../errors.ts'
import { decode, encode, utf8 } from '../lib/base64url.ts'
import { ALGORITHMS, algorithmNamed, MIN_RSA_BITS, type Algorithm } from './algorithms.ts'

/** A key that passed every check: its algorithm, its kid, and clean JWKs of its public and private parts. */
export interface CheckedJwk {
  alg: Algorithm
  kid: string | undefined
  /** The public members only (for an `oct` key: just `kty`). */
  public: JsonWebKey
  /** Public and private members; absent on a public key. */
  private: JsonWebKey | undefined
  /** RSA: the modulus length in bytes (the length of every signature). */
  modulusBytes?: number
  /** `oct`: the secret, to refuse one shared between access and refresh keys. */
  secret?: Uint8Array<ArrayBuffer>
}

type Raw = Record<string, unknown>

const PRIVATE_MEMBERS = { RSA: ['d', 'p', 'q', 'dp', 'dq', 'qi'], EC: ['d'], OKP: ['d'], oct: ['k'] } as const
const PUBLIC_MEMBERS = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'], oct: [] } as const

/**
 * The label of a key in error texts: its kid when it has a usable one, else its place. Quoted as
 * JSON: a trusted issuer's JWKS chooses its kids, and they reach the log.
 */
function label(raw: Raw, index: number): string {
  return typeof raw.kid === 'string' && raw.kid !== '' && raw.kid.length <= 100 ? `key ${JSON.stringify(raw.kid)}` : `key #${index + 1}`
}

function bytesOf(raw: Raw, member: string, fail: (problem: string) => never): Uint8Array<ArrayBuffer> {
  const value = raw[member]
  if (typeof value !== 'string') fail(`"${member}" is missing or not a string`)
  try {
    return decode(value as string)
  } catch {
    return fail(`"${member}" is not strict base64url`)
  }
}

/**
 * Checks one JWK for `setting` (the variable's name, for errors). Its `alg` is required, unless
 * `defaultAlg` is given (a bare secret's JWK form is HS256).
 */
export function checkJwk(value: unknown, index: number, setting: string, defaultAlg?: Algorithm): CheckedJwk {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${setting}: key #${index + 1} is not a JSON object`)
  const raw = value as Raw
  const name = label(raw, index)
  const fail = (problem: string): never => {
    throw new ConfigError(`${setting}: ${name}: ${problem}`)
  }
  const alg = raw.alg === undefined ? defaultAlg : algorithmNamed(raw.alg)
  if (alg === undefined) fail(raw.alg === undefined ? '"alg" is required (one of ' + Object.keys(ALGORITHMS).join(', ') + ')' : `"alg" ${JSON.stringify(String(raw.alg).slice(0, 20))} is not one of ${Object.keys(ALGORITHMS).join(', ')}`)
  const spec = ALGORITHMS[alg!]
  if (raw.kty !== spec.kty) fail(`${alg} needs "kty":"${spec.kty}"`)
  if (raw.kid !== undefined && (typeof raw.kid !== 'string' || raw.kid === '')) fail('"kid" must be a non-empty string')
  if (raw.use !== undefined && raw.use !== 'sig') fail('"use" must be "sig" when present')
  if ('crv' in spec && raw.crv !== spec.crv) fail(`${alg} needs "crv":"${spec.crv}"`)
  const kty = spec.kty
  const checked: CheckedJwk = { alg: alg!, kid: raw.kid as string | undefined, public: { kty }, private: undefined }
  for (const member of PUBLIC_MEMBERS[kty]) (checked.public as unknown as Raw)[member] = raw[member]
  if (kty === 'oct') {
    const secret = bytesOf(raw, 'k', fail)
    if (secret.length < (spec as { minBytes: number }).minBytes) fail(`too short for ${alg}: ${secret.length} bytes, at least ${(spec as { minBytes: number }).minBytes} (RFC 7518 §3.2)`)
    checked.secret = secret
    checked.private = { kty, k: raw.k as string }
    return checked
  }
  if (kty === 'RSA') {
    const modulus = bytesOf(raw, 'n', fail)
    const bits = bitLength(modulus)
    if (bits < MIN_RSA_BITS) fail(`the RSA modulus has ${bits} bits, at least ${MIN_RSA_BITS} are needed`)
    if (!isStrongExponent(bytesOf(raw, 'e', fail))) fail('the RSA public exponent "e" must be odd, at least 65537 and below 2^256 (NIST SP 800-56B)')
    checked.modulusBytes = Math.ceil(bits / 8)
  } else {
    const size = (spec as { coordinateBytes: number }).coordinateBytes
    for (const member of kty === 'EC' ? ['x', 'y'] : ['x']) if (bytesOf(raw, member, fail).length !== size) fail(`"${member}" must be ${size} bytes for ${spec.crv}`)
    if (raw.d !== undefined && bytesOf(raw, 'd', fail).length !== size) fail(`"d" must be ${size} bytes for ${spec.crv}`)
    // A private key's `x` too: its public half is what verifies.
    if (kty === 'OKP') {
      const problem = ed25519PointProblem(bytesOf(raw, 'x', fail))
      if (problem !== undefined) fail(problem)
    }
  }
  const privates = PRIVATE_MEMBERS[kty].filter((member) => raw[member] !== undefined)
  if (privates.length > 0) {
    if (privates.length !== PRIVATE_MEMBERS[kty].length) fail(`a private ${kty} key needs all of ${PRIVATE_MEMBERS[kty].join(', ')}`)
    for (const member of privates) bytesOf(raw, member, fail)
    if (raw.oth !== undefined) fail('multi-prime RSA keys ("oth") are not supported')
    checked.private = { ...checked.public }
    for (const member of privates) (checked.private as unknown as Raw)[member] = raw[member]
  }
  return checked
}

/**
 * NIST SP 800-56B §6.2.1: e odd, 65537 ≤ e < 2^256. Odd with 17 to 256 bits says exactly that (the
 * smallest odd number of 17 bits is 65537). node:crypto imports e = 1, under which every message is
 * its own signature.
 */
function isStrongExponent(bytes: Uint8Array): boolean {
  const bits = bitLength(bytes)
  return bits >= 17 && bits <= 256 && (bytes[bytes.length - 1]! & 1) === 1
}

const hexBytes = (text: string) => Uint8Array.from(text.match(/../g)!, (byte) => parseInt(byte, 16))

/**
 * libsodium's blocklist (`has_small_order`), compared with the sign bit masked: 0 (order 4), 1 (the
 * identity), the two y of order 8, and p-1 (order 2); p and p+1 are caught as non-canonical too.
 */
const ED25519_SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map(hexBytes)

/**
 * Why an Ed25519 public key (32 bytes) is unsafe, or undefined. Under a small-order point RFC 8032's
 * cofactorless check accepts a signature made without any private key (R the identity, S = 0, for
 * the identity), and node:crypto checks no more than that; a non-canonical y (p or more, sign bit
 * masked) is a second spelling of another point.
 */
function ed25519PointProblem(x: Uint8Array): string | undefined {
  const masked = (i: number) => (i === 31 ? x[i]! & 0x7f : x[i]!)
  if (ED25519_SMALL_ORDER.some((point) => point.every((byte, i) => byte === masked(i)))) return '"x" is a small-order Ed25519 point, under which anyone can sign'
  // y ≥ p = 2^255 - 19: the top 31 bytes (masked) all ones and the lowest byte ≥ 0xed.
  let top = masked(31) === 0x7f
  for (let i = 30; top && i >= 1; i--) top = x[i] === 0xff
  if (top && x[0]! >= 0xed) return '"x" is not a canonical Ed25519 point (y is not below 2^255 - 19)'
  return undefined
}

function bitLength(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length && bytes[i] === 0) i++
  if (i === bytes.length) return 0
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!))
}

/** RFC 7638: the SHA-256 thumbprint of a public key, over its required members in order. */
export async function thumbprint(jwk: JsonWebKey): Promise<string> {
  const members = [...PUBLIC_MEMBERS[jwk.kty as keyof typeof PUBLIC_MEMBERS], 'kty'].sort()
  const canonical = `{${members.map((member) => `${JSON.stringify(member)}:${JSON.stringify((jwk as unknown as Raw)[member])}`).join(',')}}`
  return encode(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(canonical))))
}

/** The keys of a JWK Set, given as JSON text or as the parsed object; at least one. */
export function keysOf(value: unknown, setting: string): unknown[] {
  let set = value
  if (typeof value === 'string') {
    try {
      set = JSON.parse(value)
    } catch {
      throw new ConfigError(`${setting} is not valid JSON: expected a JWK Set {"keys":[...]}`)
    }
  }
  if (typeof set !== 'object' || set === null || !Array.isArray((set as Raw).keys)) throw new ConfigError(`${setting} must be a JWK Set: {"keys":[...]}`)
  const keys = (set as { keys: unknown[] }).keys
  if (keys.length === 0) throw new ConfigError(`${setting} holds no key`)
  return keys
}

/**
 * Checks every key of a JWK Set: each as `checkJwk`; an asymmetric key without `kid` gets its
 * RFC 7638 thumbprint; an `oct` key must carry a `kid` (a thumbprint of a secret would publish a
 * hash of it); kids are unique in the set.
 */
export async function checkKeySet(value: unknown, setting: string, defaultAlg?: Algorithm): Promise<CheckedJwk[]> {
  const keys = keysOf(value, setting).map((key, index) => checkJwk(key, index, setting, defaultAlg))
  const seen = new Set<string>()
  for (const [index, key] of keys.entries()) {
    if (key.kid === undefined) {
      if (key.public.kty === 'oct') throw new ConfigError(`${setting}: key #${index + 1}: an "oct" key needs a "kid"`)
      key.kid = await thumbprint(key.public)
    }
    if (seen.has(key.kid)) throw new ConfigError(`${setting}: key "${key.kid.slice(0, 100)}": the kid is used twice`)
    seen.add(key.kid)
  }
  return keys
}

/** The key as `jwks` publishes it: public members, `kid`, `alg` and `use: "sig"`. */
export function publicJwk(key: CheckedJwk): JsonWebKey & { kid: string } {
  return { ...key.public, kid: key.kid!, alg: key.alg, use: 'sig' }
}
