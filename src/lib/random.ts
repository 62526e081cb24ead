// Identifiers for `jti` and refresh families, from the platform CSPRNG. A token's `jti` also
// carries the millisecond it was issued at, which `iat` (whole seconds) cannot: "log out
// everywhere" refuses the tokens issued before an instant, and a login in the same second after it
// must still work.
import { decode, encode } from './base64url.ts'

const RANDOM_BYTES = 16
const TIME_BYTES = 6
/** Random bytes drawn in bulk: one `getRandomValues` call costs microseconds, whatever its size. */
const pool = new Uint8Array(RANDOM_BYTES * 256)
let poolOffset = pool.length

function takeRandom(into: Uint8Array, at: number): void {
  if (poolOffset === pool.length) {
    crypto.getRandomValues(pool)
    poolOffset = 0
  }
  into.set(pool.subarray(poolOffset, poolOffset + RANDOM_BYTES), at)
  // Wipe what was used, so no identifier can be read back out of the pool.
  pool.fill(0, poolOffset, poolOffset + RANDOM_BYTES)
  poolOffset += RANDOM_BYTES
}

/** A random identifier: 128 bits, base64url. */
export function randomId(): string {
  const bytes = new Uint8Array(RANDOM_BYTES)
  takeRandom(bytes, 0)
  return encode(bytes)
}

/** Length of a `timedId`: 22 bytes in base64url. */
const TIMED_ID_LENGTH = 30

/**
 * An identifier that starts with the instant `ms` (48 bits, big-endian, as in UUIDv7) and goes on
 * with 128 random bits: unique, unguessable, and it says when its token was issued.
 */
export function timedId(ms: number): string {
  const bytes = new Uint8Array(TIME_BYTES + RANDOM_BYTES)
  let t = Math.max(0, Math.floor(ms))
  for (let i = TIME_BYTES - 1; i >= 0; i--) {
    bytes[i] = t % 256
    t = Math.floor(t / 256)
  }
  takeRandom(bytes, TIME_BYTES)
  return encode(bytes)
}

/**
 * The instant (epoch ms) a token was issued at: from its `jti` when that is a `timedId` within
 * the token's `iat` second, else the start of the `iat` second (a token of another issuer, or one
 * whose jti says nothing: counted as early as it can be, so a subject's logout refuses it). No
 * `iat` at all counts as the earliest instant.
 */
export function issuedAtMs(jti: unknown, iat: unknown): number {
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return -Infinity
  const second = Math.floor(iat) * 1000
  if (typeof jti !== 'string' || jti.length !== TIMED_ID_LENGTH) return second
  let bytes: Uint8Array
  try {
    bytes = decode(jti.slice(0, 8))
  } catch {
    return second
  }
  let ms = 0
  for (let i = 0; i < TIME_BYTES; i++) ms = ms * 256 + bytes[i]!
  return ms >= second && ms < second + 1000 ? ms : second
}
