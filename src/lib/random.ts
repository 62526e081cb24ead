// Random identifiers for `jti` and refresh families, from the platform CSPRNG.
import { encode } from './base64url.ts'

const ID_BYTES = 16
/** Random bytes drawn in bulk: one `getRandomValues` call costs microseconds, whatever its size. */
const pool = new Uint8Array(ID_BYTES * 256)
let poolOffset = pool.length

/** A random identifier: 128 bits, base64url. */
export function randomId(): string {
  if (poolOffset === pool.length) {
    crypto.getRandomValues(pool)
    poolOffset = 0
  }
  const id = encode(pool.subarray(poolOffset, poolOffset + ID_BYTES))
  // Wipe what was used, so no identifier can be read back out of the pool.
  pool.fill(0, poolOffset, poolOffset + ID_BYTES)
  poolOffset += ID_BYTES
  return id
}
